"""A certificate prints the legal name approved at issue (issue #17, part 7): a certified
trainee's name change reaches no certificate, automatic or re-issued, until an
administrator approves it; re-issuing after the approval shows the administrator both
names, says which one the new certificate carries, and records both."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services as account_services
from accounts.models import NameChangeRequest
from certification.models import Award, Certificate
from certification.services import issuing, lifecycle
from certification.tests.factories import pass_practical, qualified
from core.models import AuditEvent
from tests.support.files import pdf_text
from tests.support.practical import build_eligible

pytestmark = pytest.mark.django_db

OLD, NEW = "Dr Ada Morgan", "Dr Ada Morgan-Okafor"


def certified(instructor, examiner, administrator, capture, **course):
    """A trainee (called OLD) with a verified licence and an issued, rendered certificate."""
    enrolment = qualified(instructor, examiner=examiner, **course)
    trainee = enrolment.trainee
    type(trainee).objects.filter(pk=trainee.pk).update(legal_name=OLD)
    with capture(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    return certificate


def test_a_pending_request_never_reaches_an_automatic_certificate(
    instructor, examiner, django_capture_on_commit_callbacks
):
    # given a trainee with a verified licence who asked to change their name
    enrolment = build_eligible(instructor)
    trainee = enrolment.trainee
    type(trainee).objects.filter(pk=trainee.pk).update(legal_name=OLD)
    trainee.refresh_from_db()
    account_services.name_change_request_submit(user=trainee, requested_name=NEW, reason="marriage")
    type(enrolment.course).objects.filter(pk=enrolment.course_id).update(certificate_auto_issue=True)
    enrolment.course.refresh_from_db()
    # when they pass and the course issues the certificate by itself
    with django_capture_on_commit_callbacks(execute=True):
        pass_practical(enrolment, examiner)
    # then it prints the approved name, not the requested one
    certificate = Certificate.objects.get(holder=trainee)
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.holder_name == OLD
    text = pdf_text(certificate.pdf.read())
    assert OLD in text
    assert NEW not in text
    queued = AuditEvent.objects.get(action="certificate.queued", object_id=str(certificate.pk))
    assert queued.details["automatic"] is True
    assert queued.details["holder_name"] == OLD


def test_a_certified_trainees_name_reaches_a_new_certificate_only_once_approved(
    instructor, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    certificate = certified(instructor, examiner, administrator, django_capture_on_commit_callbacks)
    trainee = certificate.holder
    change = account_services.name_change_request_submit(user=trainee, requested_name=NEW, reason="marriage")
    staff = client_for(administrator)
    detail = reverse("certification:staff_detail", args=[certificate.pk])

    # Pending: a re-issue still prints the approved name.
    page = staff.get(detail).content.decode()
    assert "Approved name now" not in page
    assert f"The new certificate will carry the name: <strong>{OLD}</strong>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("certification:staff_reissue", args=[certificate.pk]),
            {"reissue-reason": "Damaged copy", "reissue-holder_name": OLD},
        )
    assert response.status_code == 302
    pending_copy = Certificate.objects.get(replaces=certificate)
    assert pending_copy.holder_name == OLD
    assert NEW not in pdf_text(pending_copy.pdf.read())

    # Approved: the staff page shows both names and which one a re-issue prints.
    account_services.name_change_approve(request_id=change.pk, actor=administrator)
    detail = reverse("certification:staff_detail", args=[pending_copy.pk])
    page = staff.get(detail).content.decode()
    assert "Name on this certificate" in page
    assert "Approved name now" in page
    assert f"<strong>{NEW}</strong>" in page
    assert f"The new certificate will carry the name: <strong>{NEW}</strong>" in page
    assert f"The new certificate will carry the name {NEW}" in page  # the confirmation before submitting
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("certification:staff_reissue", args=[pending_copy.pk]),
            {"reissue-reason": "Name changed on marriage", "reissue-holder_name": NEW},
        )
    assert response.status_code == 302
    renamed = Certificate.objects.get(replaces=pending_copy)
    assert renamed.holder_name == NEW
    assert NEW in pdf_text(renamed.pdf.read())
    pending_copy.refresh_from_db()
    assert pending_copy.holder_name == OLD  # what was issued stays as it was
    event = AuditEvent.objects.get(action="certificate.reissued", object_id=str(pending_copy.pk))
    assert (event.details["old_name"], event.details["new_name"]) == (OLD, NEW)
    assert event.details["reason"] == "Name changed on marriage"
    # The audit trail shows the request and the decision too.
    actions = list(AuditEvent.objects.filter(object_id=str(change.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["name_change.requested", "name_change.approved"]
    assert NameChangeRequest.objects.get().status == NameChangeRequest.Status.APPROVED


def test_a_reissue_confirmed_for_a_name_that_changed_meanwhile_does_nothing(
    instructor, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    certificate = certified(instructor, examiner, administrator, django_capture_on_commit_callbacks)
    change = account_services.name_change_request_submit(user=certificate.holder, requested_name=NEW, reason="legal")
    account_services.name_change_approve(request_id=change.pk, actor=administrator)
    # The administrator's page was shown before the approval: it named OLD.
    response = client_for(administrator).post(
        reverse("certification:staff_reissue", args=[certificate.pk]),
        {"reissue-reason": "Damaged copy", "reissue-holder_name": OLD},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"approved name changed while this page was open: it is now {NEW}" in page
    # Shown again naming the current approved name, so pressing again re-issues with it.
    assert f'value="{NEW}"' in page
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert not Certificate.objects.filter(replaces=certificate).exists()
    with pytest.raises(ValidationError, match="changed while this page was open"):
        lifecycle.certificate_reissue(
            certificate_id=certificate.pk, actor=administrator, reason="again", expected_name=OLD
        )
