"""After issue: revocation, re-issue, suspension with the licence, expiry and reminders.
Each is audited and the holder is told."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Licence
from certification.models import Award, Certificate
from certification.services import issuing, lifecycle
from certification.tasks import certificate_expiry_reminders_task, certificates_expire_task
from certification.tests.factories import qualified
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(instructor, examiner, administrator, django_capture_on_commit_callbacks):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    return certificate


def verdict(client, certificate) -> str:
    return client.get(reverse("certification:verify", args=[certificate.code])).content.decode()


def test_revoking_needs_a_reason_tells_the_holder_and_shows_publicly(
    issued, administrator, client_for, client, mailoutbox, django_capture_on_commit_callbacks
):
    staff = client_for(administrator)
    url = reverse("certification:staff_revoke", args=[issued.pk])
    response = staff.post(url, {"revoke-reason": "  "})
    assert response.status_code == 400
    assert response.context["revoke_form"].errors["reason"] == ["This field is required."]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"revoke-reason": "The licence it rested on was obtained by fraud."})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.REVOKED
    event = AuditEvent.objects.get(action="certificate.revoked")
    assert event.actor == administrator
    assert event.details["reason"].startswith("The licence")
    (notice,) = [m for m in mailoutbox if "revoked" in m.subject]
    assert "obtained by fraud" in notice.body
    client.logout()
    assert "Revoked certificate" in verdict(client, issued)
    # Revoked is final: it can be neither revoked again nor re-issued.
    with pytest.raises(ValidationError):
        lifecycle.certificate_revoke(certificate_id=issued.pk, actor=administrator, reason="again")
    with pytest.raises(ValidationError):
        lifecycle.certificate_reissue(certificate_id=issued.pk, actor=administrator, reason="new name")
    # Nor downloaded or exported by the holder.
    holder = client_for(issued.holder)
    assert holder.get(reverse("certification:badge", args=[issued.pk])).status_code == 404


def test_reissue_gives_a_new_serial_with_the_current_name_and_supersedes_the_old(
    issued, administrator, client, mailoutbox, django_capture_on_commit_callbacks
):
    holder = issued.holder
    holder.legal_name = "Dr Ada Married-Name"
    holder.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = lifecycle.certificate_reissue(certificate_id=issued.pk, actor=administrator, reason="Name changed")
    new.refresh_from_db()
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.SUPERSEDED
    assert new.status == Certificate.Status.ISSUED
    assert new.replaces == issued
    assert new.serial != issued.serial
    assert new.code != issued.code
    assert new.holder_name == "Dr Ada Married-Name"
    assert issued.holder_name != new.holder_name
    assert (new.certified_on, new.expires_on) == (issued.certified_on, issued.expires_on)
    assert "Superseded certificate" in verdict(client, issued)
    assert "Valid certificate" in verdict(client, new)
    assert AuditEvent.objects.filter(action="certificate.reissued", object_id=str(issued.pk)).exists()
    assert len([m for m in mailoutbox if new.serial in m.subject]) == 1


def test_one_current_certificate_per_award_is_a_database_rule(issued):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            award=issued.award, holder=issued.holder, holder_name="x", holder_profession="", course_code="x",
            course_title="x", accrediting_body="x", accreditation_number="x", credit_hours=1,
            certified_on=issued.issued_on, issued_on=issued.issued_on, expires_on=issued.expires_on,
        )  # fmt: skip


def test_issuing_twice_returns_the_same_certificate(issued, administrator):
    assert issuing.certificate_issue(award_id=issued.award_id, actor=administrator) == issued
    assert Certificate.objects.count() == 1


def test_suspended_while_the_licence_is_not_valid_and_valid_again_after_reverification(
    issued, administrator, client, mailoutbox, django_capture_on_commit_callbacks
):
    licence = issued.holder.licences.get()
    with django_capture_on_commit_callbacks(execute=True):
        account_services.licence_revoke(licence_id=licence.pk, actor=administrator, reason="Regulator suspended it")
    issued.refresh_from_db()
    assert issued.suspended_at is not None
    assert "Suspended certificate" in verdict(client, issued)
    assert any("is suspended" in m.subject for m in mailoutbox)

    renewed = Licence.objects.create(
        holder=issued.holder, profession=licence.profession, number="NEW-7", jurisdiction=licence.jurisdiction,
        expires_on=timezone.localdate() + datetime.timedelta(days=500), document=licence.document,
        document_content_type=licence.document_content_type,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        account_services.licence_verify(licence_id=renewed.pk, actor=administrator)
    issued.refresh_from_db()
    assert issued.suspended_at is None
    assert "Valid certificate" in verdict(client, issued)
    assert list(
        AuditEvent.objects.filter(
            object_id=str(issued.pk), action__in=["certificate.suspended", "certificate.reinstated"]
        )
        .order_by("created_at")
        .values_list("action", flat=True)
    ) == ["certificate.suspended", "certificate.reinstated"]


def test_the_nightly_licence_expiry_suspends_certificates(issued, client):
    Licence.objects.filter(holder=issued.holder).update(expires_on=timezone.localdate())
    account_services.licences_expire()
    issued.refresh_from_db()
    assert issued.suspended_at is not None


def test_certificates_expire_on_their_date_once_and_holders_are_reminded_60_days_before(
    issued, mailoutbox, django_capture_on_commit_callbacks
):
    expires = issued.expires_on
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.certificate_expiry_reminders_send(today=expires - datetime.timedelta(days=61)) == 0
        assert lifecycle.certificate_expiry_reminders_send(today=expires - datetime.timedelta(days=60)) == 1
        assert lifecycle.certificate_expiry_reminders_send(today=expires - datetime.timedelta(days=30)) == 0
        assert lifecycle.certificates_expire(today=expires - datetime.timedelta(days=1)) == 0
        assert lifecycle.certificates_expire(today=expires) == 1
        assert lifecycle.certificates_expire(today=expires) == 0
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.EXPIRED
    subjects = [m.subject for m in mailoutbox if issued.serial in m.subject]
    assert subjects[-2:] == [
        f"[Glabella] Your certificate {issued.serial} expires soon",
        f"[Glabella] Your certificate {issued.serial} has expired",
    ]
    reminder = next(m for m in mailoutbox if "expires soon" in m.subject)
    assert "in 60 days" in reminder.body
    assert AuditEvent.objects.filter(action="certificate.expired", object_id=str(issued.pk)).count() == 1


def test_beat_runs_the_certificate_jobs():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    expected = {certificates_expire_task.name, certificate_expiry_reminders_task.name,
                "certification.tasks.certificates_requeue_stalled_task"}  # fmt: skip
    assert expected <= tasks <= set(app.tasks)


def test_no_certificate_without_a_legal_name_to_print(instructor, examiner, administrator):
    enrolment = qualified(instructor, examiner=examiner)
    type(enrolment.trainee).objects.filter(pk=enrolment.trainee_id).update(legal_name=" ")
    with pytest.raises(ValidationError) as error:
        issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    assert error.value.messages == [issuing.MSG_NO_LEGAL_NAME]
    assert not Certificate.objects.exists()


def test_the_profession_printed_is_the_licences(issued):
    assert issued.holder_profession == issued.award.licence.get_profession_display()
