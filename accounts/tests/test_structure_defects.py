"""Defects fixed in accounts during the restructuring (issue 14): licence locks that also
locked the holder and jurisdiction rows, nightly licence batches in one transaction, and
messages translated at use instead of where they are defined; and the selector the
dashboards and the pathway ask whether a licence awaits verification."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.functional import Promise

from accounts import selectors, services, validators
from accounts.models import Licence
from accounts.tests.factories import LicenceFactory, TraineeFactory
from core.models import AuditEvent
from tests.support.queries import locking_selects

pytestmark = pytest.mark.django_db


def test_licence_locks_with_joins_lock_only_the_licence(administrator):
    today = timezone.localdate()
    submitted = [LicenceFactory() for _ in range(3)]
    verified = LicenceFactory(verified=True)
    expiring = LicenceFactory(verified=True, expires_on=today + datetime.timedelta(days=10))
    with locking_selects() as seen:
        services.licence_verify(licence_id=submitted[0].pk, actor=administrator)
        services.licence_reject(licence_id=submitted[1].pk, actor=administrator, reason="Blurred scan")
        services.licence_revoke(licence_id=verified.pk, actor=administrator, reason="Withdrawn")
        services.licence_expiry_reminders_send(today=today)
        services.licences_expire(today=expiring.expires_on)
    licence_locks = [(joins, of) for label, joins, of in seen if label == "accounts.Licence"]
    assert len(licence_locks) >= 5
    assert all(joins for joins, _of in licence_locks)
    assert all(of == ("self",) for _joins, of in licence_locks), licence_locks


def test_the_expiry_batch_expires_and_audits_each_licence():
    today = timezone.localdate()
    due = [LicenceFactory(verified=True, expires_on=today) for _ in range(4)]
    LicenceFactory(verified=True)  # not due
    assert services.licences_expire(today=today) == 4
    assert set(Licence.objects.filter(pk__in=[d.pk for d in due]).values_list("status", flat=True)) == {
        Licence.Status.EXPIRED
    }
    assert AuditEvent.objects.filter(action="licence.expired").count() == 4
    assert services.licences_expire(today=today) == 0


def test_a_licence_that_fails_to_expire_does_not_undo_the_others(monkeypatch):
    today = timezone.localdate()
    due = [LicenceFactory(verified=True, expires_on=today) for _ in range(4)]
    bad = due[1]
    real_notify = services._notify_holder

    def notify(licence):
        if licence.pk == bad.pk:
            raise RuntimeError("mail template broke for this one")
        real_notify(licence)

    monkeypatch.setattr(services, "_notify_holder", notify)
    with pytest.raises(RuntimeError, match="template broke"):
        services.licences_expire(today=today)
    statuses = dict(Licence.objects.values_list("pk", "status"))
    assert statuses.pop(bad.pk) == Licence.Status.VERIFIED
    assert set(statuses.values()) == {Licence.Status.EXPIRED}
    events = AuditEvent.objects.filter(action="licence.expired").values_list("object_id", flat=True)
    assert sorted(events) == sorted(str(d.pk) for d in due if d != bad)
    monkeypatch.setattr(services, "_notify_holder", real_notify)
    assert services.licences_expire(today=today) == 1  # the task's retry finds the one left


def test_a_licence_reminder_that_fails_does_not_undo_the_others(monkeypatch, mailoutbox):
    today = timezone.localdate()
    due = [LicenceFactory(verified=True, expires_on=today + datetime.timedelta(days=20)) for _ in range(3)]
    bad = due[2]
    real_email_queue = services.email_queue

    def email_queue(*, to, **kwargs):
        if to == bad.holder.email:
            raise RuntimeError("no template")
        real_email_queue(to=to, **kwargs)

    monkeypatch.setattr(services, "email_queue", email_queue)
    with pytest.raises(RuntimeError):
        services.licence_expiry_reminders_send(today=today)
    reminded = set(Licence.objects.filter(expiry_reminder_sent_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {d.pk for d in due if d != bad}


def test_licence_awaiting_is_the_latest_submitted_licence():
    trainee = TraineeFactory()
    assert selectors.licence_awaiting(trainee) is None
    LicenceFactory(holder=trainee, verified=True)
    LicenceFactory(status=Licence.Status.SUBMITTED)  # someone else's
    assert selectors.licence_awaiting(trainee) is None
    older = LicenceFactory(holder=trainee, submitted_at=timezone.now() - datetime.timedelta(days=2))
    newer = LicenceFactory(holder=trainee, submitted_at=timezone.now() - datetime.timedelta(days=1))
    assert selectors.licence_awaiting(trainee) == newer
    # From licences already loaded: the same answer, and no query.
    licences = list(selectors.licence_list_for_holder(user=trainee))
    with mock.patch.object(SQLCompiler, "execute_sql", side_effect=AssertionError("queried")):
        assert selectors.licence_awaiting(trainee, licences=licences) == newer
        assert selectors.licence_awaiting(trainee, licences=[older]) == older
        assert selectors.licence_awaiting(trainee, licences=[]) is None


def test_message_constants_are_lazy_translations_with_their_texts():
    constants = {
        f"{m.__name__}.{name}": getattr(m, name)
        for m in (services, validators)
        for name in dir(m)
        if name.startswith("MSG_")
    }
    assert len(constants) >= 12
    assert [name for name, value in constants.items() if not isinstance(value, Promise)] == []
    assert str(services.MSG_ALREADY_DECIDED).format(status="verified") == (
        "This licence is no longer awaiting verification; it is verified."
    )
