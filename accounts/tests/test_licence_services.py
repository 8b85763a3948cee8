import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services
from accounts.models import Licence
from accounts.tests.factories import JurisdictionFactory, LicenceFactory, png_bytes
from core.models import AuditEvent
from core.uploads import check_document

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def document():
    return check_document(SimpleUploadedFile("scan.png", png_bytes()))


def submit(holder, **overrides):
    values = {
        "holder": holder,
        "profession": "md",
        "number": "a123456",
        "jurisdiction": JurisdictionFactory(),
        "expires_on": today() + datetime.timedelta(days=90),
        "npi": "1234567893",
        "document": document(),
    }
    values.update(overrides)
    return services.licence_submit(**values)


def stored_files(settings):
    root = settings.PRIVATE_MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_submit_records_licence_file_and_audit_event(trainee, settings):
    licence = submit(trainee)
    assert licence.status == Licence.Status.SUBMITTED
    assert licence.number == "A123456"
    assert licence.document.name.startswith(f"licences/{trainee.pk}/")
    assert licence.document.name.endswith(".png")
    assert len(stored_files(settings)) == 1
    event = AuditEvent.objects.get(action="licence.submitted")
    assert event.actor == trainee
    assert event.object_id == str(licence.pk)


def test_submit_with_past_expiry_writes_nothing(trainee, settings):
    with pytest.raises(ValidationError) as error:
        submit(trainee, expires_on=today())
    assert error.value.message_dict == {"expires_on": [services.MSG_EXPIRY_NOT_FUTURE]}
    assert not Licence.objects.exists()
    assert stored_files(settings) == []
    assert not AuditEvent.objects.exists()


def test_jurisdiction_rule_refuses_a_profession_it_does_not_certify(trainee):
    jurisdiction = JurisdictionFactory(country="GB", region="", name="United Kingdom", certifiable_professions=["md"])
    with pytest.raises(ValidationError) as error:
        submit(trainee, profession="pa", jurisdiction=jurisdiction)
    assert error.value.message_dict == {
        "profession": ["In United Kingdom, a physician assistant may not be certified to inject botulinum toxin."]
    }


def test_the_same_live_licence_cannot_be_submitted_twice_by_its_holder(trainee):
    jurisdiction = JurisdictionFactory()
    submit(trainee, jurisdiction=jurisdiction)
    with pytest.raises(ValidationError) as error:
        submit(trainee, number="A123456 ", jurisdiction=jurisdiction)
    assert error.value.message_dict == {"number": [services.MSG_LICENCE_ON_FILE]}


def test_a_rejected_licence_can_be_resubmitted(trainee, administrator):
    first = submit(trainee)
    services.licence_reject(licence_id=first.pk, actor=administrator, reason="The scan is unreadable.")
    second = submit(trainee)
    assert second.status == Licence.Status.SUBMITTED


def test_verify_records_who_and_when_emails_and_audits(trainee, administrator, django_capture_on_commit_callbacks):
    licence = submit(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_verify(licence_id=licence.pk, actor=administrator)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VERIFIED
    assert licence.decided_by == administrator
    assert licence.decided_at is not None
    assert licence.is_valid()
    assert [m.subject for m in mail.outbox] == ["[Glabella] Your licence is verified"]
    assert mail.outbox[0].to == [trainee.email]
    assert AuditEvent.objects.filter(action="licence.verified", actor=administrator).count() == 1


def test_reject_needs_a_reason_and_tells_the_trainee(trainee, administrator, django_capture_on_commit_callbacks):
    licence = submit(trainee)
    with pytest.raises(ValidationError) as error:
        services.licence_reject(licence_id=licence.pk, actor=administrator, reason="  ")
    assert error.value.message_dict == {"reason": [services.MSG_REASON_REQUIRED]}
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_reject(
            licence_id=licence.pk, actor=administrator, reason="Number not on the board's register."
        )
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REJECTED
    assert licence.decision_reason == "Number not on the board's register."
    assert "Number not on the board's register." in mail.outbox[0].body
    event = AuditEvent.objects.get(action="licence.rejected")
    assert event.details == {"reason": "Number not on the board's register."}


def test_a_decided_licence_cannot_be_decided_again(trainee, administrator):
    licence = submit(trainee)
    services.licence_verify(licence_id=licence.pk, actor=administrator)
    with pytest.raises(ValidationError) as error:
        services.licence_reject(licence_id=licence.pk, actor=administrator, reason="Changed my mind")
    assert error.value.messages == ["This licence is no longer awaiting verification; it is verified."]


def test_revoke_only_a_verified_licence(trainee, administrator):
    licence = LicenceFactory(holder=trainee, verified=True)
    services.licence_revoke(licence_id=licence.pk, actor=administrator, reason="Board suspended the licence.")
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED
    assert not licence.is_valid()
    with pytest.raises(ValidationError):
        services.licence_revoke(licence_id=licence.pk, actor=administrator, reason="again")


def test_expire_marks_licences_on_their_expiry_date_once(trainee, django_capture_on_commit_callbacks):
    due = LicenceFactory(holder=trainee, verified=True, expires_on=today())
    later = LicenceFactory(holder=trainee, verified=True, expires_on=today() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.licences_expire() == 1
        assert services.licences_expire() == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Licence.Status.EXPIRED
    assert later.status == Licence.Status.VERIFIED
    assert [m.subject for m in mail.outbox] == ["[Glabella] Your licence has expired"]
    event = AuditEvent.objects.get(action="licence.expired")
    assert event.actor is None


def test_reminders_go_out_30_days_before_expiry_once(trainee, django_capture_on_commit_callbacks):
    in_30 = LicenceFactory(holder=trainee, verified=True, expires_on=today() + datetime.timedelta(days=30))
    LicenceFactory(holder=trainee, verified=True, expires_on=today() + datetime.timedelta(days=31))
    LicenceFactory(holder=trainee, expires_on=today() + datetime.timedelta(days=10))  # not verified
    with django_capture_on_commit_callbacks(execute=True):
        assert services.licence_expiry_reminders_send() == 1
        assert services.licence_expiry_reminders_send() == 0
    assert [m.subject for m in mail.outbox] == ["[Glabella] Your licence expires in 30 days"]
    in_30.refresh_from_db()
    assert in_30.expiry_reminder_sent_at is not None


def test_database_refuses_a_decision_without_a_decider(trainee):
    licence = LicenceFactory(holder=trainee)
    licence.status = Licence.Status.VERIFIED
    with pytest.raises(IntegrityError), transaction.atomic():
        licence.save()


def test_database_refuses_a_rejection_without_reason(trainee, administrator):
    licence = LicenceFactory(holder=trainee)
    licence.status, licence.decided_by, licence.decided_at = (
        Licence.Status.REJECTED,
        administrator,
        timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        licence.save()


def test_database_refuses_two_live_records_of_one_holders_licence(trainee):
    first = LicenceFactory(holder=trainee)
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceFactory(holder=trainee, number=first.number, jurisdiction=first.jurisdiction)


def test_roles_change_staff_status_and_audit(trainee, administrator):
    services.user_roles_set(
        user=trainee,
        actor=administrator,
        trainee=True,
        instructor=True,
        examiner=False,
        administrator=False,
    )
    trainee.refresh_from_db()
    assert trainee.is_instructor
    assert not trainee.is_staff
    event = AuditEvent.objects.get(action="user.roles_changed")
    assert event.details == {"before": ["trainee"], "after": ["trainee", "instructor"]}
