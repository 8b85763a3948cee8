"""Defects fixed while certification/services.py was split by job (issue 14): row locks
that took the joined rows too, nightly batches in one transaction, the stalled sweep
measuring from created_at and sending at once, and the staff page restating the
services' preconditions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from accounts.tests.factories import LicenceFactory, TraineeFactory
from certification import tasks, verification, views
from certification.models import Certificate
from certification.services import delivery, issuing, lifecycle, rendering
from certification.tests.factories import certificate_issued
from core.models import AuditEvent
from courses.tests.factories import EnrolmentFactory
from exams.models import Assessment, Attempt
from tests.support.queries import locking_selects

pytestmark = pytest.mark.django_db


def certificate(n: int = 0, **fields) -> Certificate:
    """An issued certificate (written straight to the database) with its own holder."""
    trainee = TraineeFactory(email=f"holder{n}@example.com", legal_name=f"Dr Holder {n}")
    licence = LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee)
    now = timezone.now()
    attempt = Attempt.objects.create(enrolment=enrolment, number=1, status=Attempt.Status.SUBMITTED,
                                     submitted_at=now, started_at=now - datetime.timedelta(hours=1), deadline=now,
                                     pass_mark_percent=70, review="full", passed=True, percent=90, score=9,
                                     max_score=10)  # fmt: skip
    assessment = Assessment.objects.create(enrolment=enrolment, number=1, scheduled_at=now, place="Lab",
                                           status=Assessment.Status.COMPLETED, passed=True, percent=95,
                                           completed_at=now)  # fmt: skip
    return certificate_issued(enrolment, licence=licence, attempt=attempt, assessment=assessment, **fields)


# select_for_update() with select_related() locks only the certificate row --------------


def test_certificate_locks_with_joins_lock_only_the_certificate(administrator):
    today = timezone.localdate()
    expiring = certificate(1, expires_on=today + datetime.timedelta(days=30))
    expired = certificate(2)
    with locking_selects() as seen:
        lifecycle.certificate_expiry_reminders_send(today=today)
        lifecycle.certificates_expire(today=expired.expires_on)
        lifecycle.certificate_revoke(certificate_id=expiring.pk, actor=administrator, reason="Fraud")
    joined = [(label, of) for label, joins, of in seen if joins]
    assert {label for label, _of in joined} == {"certification.Certificate"}
    assert len(joined) >= 3
    assert all(of == ("self",) for _label, of in joined), joined


# Nightly batches: one transaction per row --------------------------------------------


def test_the_expiry_batch_expires_and_audits_each_certificate(mailoutbox, django_capture_on_commit_callbacks):
    due = [certificate(n) for n in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.certificates_expire(today=due[0].expires_on) == 4
    assert set(Certificate.objects.values_list("status", flat=True)) == {Certificate.Status.EXPIRED}
    assert AuditEvent.objects.filter(action="certificate.expired").count() == 4
    assert lifecycle.certificates_expire(today=due[0].expires_on) == 0


def test_a_certificate_that_fails_to_expire_does_not_undo_the_others(monkeypatch):
    due = [certificate(n) for n in range(4)]
    bad = due[2]
    real_email_queue = lifecycle.email_queue

    def email_queue(*, to, **kwargs):
        if to == bad.holder.email:
            raise RuntimeError("template broke for this one")
        real_email_queue(to=to, **kwargs)

    monkeypatch.setattr(lifecycle, "email_queue", email_queue)
    with pytest.raises(RuntimeError, match="template broke"):
        lifecycle.certificates_expire(today=bad.expires_on)
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses.pop(bad.pk) == Certificate.Status.ISSUED
    assert set(statuses.values()) == {Certificate.Status.EXPIRED}
    expired_events = AuditEvent.objects.filter(action="certificate.expired")
    assert sorted(expired_events.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in due if c != bad)
    # The next run (the task's retry) finds only the one left.
    monkeypatch.setattr(lifecycle, "email_queue", real_email_queue)
    assert lifecycle.certificates_expire(today=bad.expires_on) == 1


def test_a_reminder_that_fails_does_not_undo_the_others(monkeypatch):
    today = timezone.localdate()
    due = [certificate(n, expires_on=today + datetime.timedelta(days=30)) for n in range(3)]
    bad = due[0]
    real_email_queue = lifecycle.email_queue

    def email_queue(*, to, **kwargs):
        if to == bad.holder.email:
            raise RuntimeError("no template")
        real_email_queue(to=to, **kwargs)

    monkeypatch.setattr(lifecycle, "email_queue", email_queue)
    with pytest.raises(RuntimeError):
        lifecycle.certificate_expiry_reminders_send(today=today)
    reminded = set(Certificate.objects.filter(expiry_reminder_sent_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {c.pk for c in due if c != bad}


# The stalled sweep: measured from queued_at, enqueued on commit ----------------------


def stalled(n: int, *, status=Certificate.Status.QUEUED, created_ago, queued_ago) -> Certificate:
    now = timezone.now()
    found = certificate(n, status=status, pdf_sha256="", rendered_at=None)
    Certificate.objects.filter(pk=found.pk).update(created_at=now - created_ago, queued_at=now - queued_ago)
    return found


def test_an_old_certificate_enqueued_a_minute_ago_is_not_enqueued_again(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.certificate_render_task, "delay", lambda *args: sent.append(args))
    stalled(1, created_ago=datetime.timedelta(hours=2), queued_ago=datetime.timedelta(minutes=1))
    stalled(2, status=Certificate.Status.RENDERING, created_ago=datetime.timedelta(days=1),
            queued_ago=datetime.timedelta(minutes=14))  # fmt: skip
    assert lifecycle.certificates_requeue_stalled() == 0
    assert sent == []


def test_the_sweep_enqueues_on_commit_and_stamps_queued_at(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.certificate_render_task, "delay", lambda *args: sent.append(args))
    queued = stalled(1, created_ago=datetime.timedelta(minutes=11), queued_ago=datetime.timedelta(minutes=11))
    rendering_ = stalled(2, status=Certificate.Status.RENDERING, created_ago=datetime.timedelta(minutes=16),
                         queued_ago=datetime.timedelta(minutes=16))  # fmt: skip
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert lifecycle.certificates_requeue_stalled() == 2
    assert sent == []  # nothing is sent before the commit
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert sorted(sent) == sorted([(str(queued.pk),), (str(rendering_.pk),)])
    for found in (queued, rendering_):
        found.refresh_from_db()
        assert found.queued_at >= before
    # Stamped: the next sweep, five minutes on, leaves them alone.
    assert lifecycle.certificates_requeue_stalled(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    assert len(sent) == 2


def test_issuing_and_retrying_stamp_queued_at(administrator, monkeypatch):
    monkeypatch.setattr(tasks.certificate_render_task, "delay", lambda *args: None)
    failed = certificate(1, status=Certificate.Status.FAILED, pdf_sha256="", rendered_at=None)
    Certificate.objects.filter(pk=failed.pk).update(queued_at=timezone.now() - datetime.timedelta(days=3))
    before = timezone.now()
    rendering.certificate_retry(certificate_id=failed.pk, actor=administrator)
    failed.refresh_from_db()
    assert failed.status == Certificate.Status.QUEUED
    assert failed.queued_at >= before


# The actions a certificate allows: one rule for the services and the staff page ------

ACTION_URLS = {
    "revoke": "certification:staff_revoke",
    "reissue": "certification:staff_reissue",
    "retry_render": "certification:staff_retry",
    "resend_email": "certification:staff_resend_email",
}

STATES = {
    "queued": ({"status": Certificate.Status.QUEUED, "pdf_sha256": ""}, set()),
    "rendering": ({"status": Certificate.Status.RENDERING, "pdf_sha256": ""}, set()),
    "failed": ({"status": Certificate.Status.FAILED, "pdf_sha256": ""}, {"retry_render"}),
    "issued": ({}, {"revoke", "reissue"}),
    "issued, email failed": ({"email_failed_at": timezone.now()}, {"revoke", "reissue", "resend_email"}),
    "issued, emailed": ({"emailed_at": timezone.now()}, {"revoke", "reissue"}),
    "expired": ({"status": Certificate.Status.EXPIRED, "email_failed_at": timezone.now()}, {"revoke"}),
    "revoked": (
        {"status": Certificate.Status.REVOKED, "revoked_at": timezone.now(), "revocation_reason": "Fraud"},
        set(),
    ),
    "superseded": ({"status": Certificate.Status.SUPERSEDED}, set()),
}


@pytest.mark.parametrize("state", STATES)
def test_the_staff_page_offers_exactly_the_actions_the_certificate_allows(state, administrator, client_for):
    fields, allowed = STATES[state]
    found = certificate(1, **fields)
    assert found.allowed_actions == allowed
    page = client_for(administrator).get(reverse("certification:staff_detail", args=[found.pk])).content.decode()
    shown = {action for action, name in ACTION_URLS.items() if reverse(name, args=[found.pk]) in page}
    assert shown == allowed


@pytest.mark.parametrize("state", STATES)
def test_the_services_refuse_what_the_certificate_does_not_allow(state, administrator, monkeypatch):
    monkeypatch.setattr(tasks.certificate_render_task, "delay", lambda *args: None)
    monkeypatch.setattr(tasks.certificate_email_task, "delay", lambda *args: None)
    fields, allowed = STATES[state]
    found = certificate(1, **fields)
    attempts = {
        "revoke": lambda: lifecycle.certificate_revoke(certificate_id=found.pk, actor=administrator, reason="Why"),
        "reissue": lambda: lifecycle.certificate_reissue(certificate_id=found.pk, actor=administrator, reason="Why"),
        "retry_render": lambda: rendering.certificate_retry(certificate_id=found.pk, actor=administrator),
        "resend_email": lambda: delivery.certificate_email_resend(certificate_id=found.pk, actor=administrator),
    }
    for action, attempt in attempts.items():
        if action in allowed:
            continue
        with pytest.raises(ValidationError):
            attempt()
    # And one the certificate allows goes through.
    if allowed:
        attempts[sorted(allowed)[0]]()


# Messages are marked for translation where they are defined ---------------------------


def test_message_constants_are_lazy_translations():
    modules = (issuing, rendering, delivery, lifecycle, views)
    constants = {
        f"{m.__name__}.{name}": getattr(m, name) for m in modules for name in dir(m) if name.startswith("MSG_")
    }
    assert len(constants) >= 10
    assert [name for name, value in constants.items() if not isinstance(value, Promise)] == []
    # The texts are what they were.
    assert str(issuing.MSG_LICENCE_LAPSED) == (
        "The holder has no valid licence now; a certificate can be issued once one is re-verified."
    )
    assert str(lifecycle.MSG_CANNOT_REVOKE).format(status="queued") == (
        "Only an issued certificate can be revoked; this one is queued."
    )


def test_the_public_lookups_live_in_verification():
    found = certificate(1)
    assert verification.certificate_for_code(found.code) == found
    assert verification.certificate_for_serial_and_surname(found.serial, "holder 1") == found
    assert verification.certificate_for_serial_and_surname(found.serial, "Someone") is None
    assert verification.public_verdict(found) == (found, Certificate.VALID)
    Certificate.objects.filter(pk=found.pk).update(status=Certificate.Status.QUEUED)
    found.refresh_from_db()
    assert verification.public_verdict(found) == (None, None)
