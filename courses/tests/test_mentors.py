"""Mentors: a trainee adds one, staff verify or reject it from a queue, the trainee drafts
a case with a verified mentor and sends it (or has it signed on their device with a
code); the course decides whether mentor-signed cases count."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import TraineeFactory
from core.models import AuditEvent
from courses.handson import mentor_services, services
from courses.handson.selectors import handson_requirement_met, signed_session_count
from courses.models import InjectionSession, Mentor, SignOffRequest
from courses.tests.factories import MentorFactory
from tests.support.handson import RATINGS, post_data, record
from tests.support.mentors import FEEDBACK, draft_case, send_link, sign_by_link

pytestmark = pytest.mark.django_db

MENTOR_POST = {
    "full_name": "Dr Morgan Reyes",
    "email": "Morgan.Reyes@Clinic.example",
    "profession": "doctor",
    "register": "gmc",
    "register_other": "",
    "registration_number": "7654321",
    "independent_prescriber": "on",
    "years_injecting": "9",
}


@pytest.fixture
def mentor(enrolment):
    return MentorFactory(trainee=enrolment.trainee, verified=True, email="morgan@clinic.example")


def case_post(mentor, **overrides):
    values = post_data(**overrides)
    for key in [k for k in values if k.startswith("rating_")] + ["overall_independence"]:
        values.pop(key)
    values["mentor"] = mentor.pk
    return values


# Adding and verifying mentors ---------------------------------------------------------------


def test_trainee_adds_a_mentor_who_waits_for_verification(client_for, enrolment):
    client = client_for(enrolment.trainee)
    response = client.post(reverse("courses:mentor_list"), MENTOR_POST)
    assert response.status_code == 302
    mentor = Mentor.objects.get()
    assert (mentor.status, mentor.email, mentor.trainee) == (
        "submitted",
        "morgan.reyes@clinic.example",
        enrolment.trainee,
    )
    assert AuditEvent.objects.filter(action="mentor.submitted", object_id=str(mentor.pk)).exists()
    page = client.get(reverse("courses:mentor_list")).content.decode()
    assert "Dr Morgan Reyes" in page
    assert "Awaiting verification" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"register": "other"}, "register_other", "Name the regulator."),
        ({"years_injecting": "71"}, "years_injecting", "Ensure this value is less than or equal to 70."),
        ({"years_injecting": "many"}, "years_injecting", "Enter a whole number."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_mentor_details_are_refused_at_the_field(client_for, enrolment, overrides, field, message):
    response = client_for(enrolment.trainee).post(reverse("courses:mentor_list"), {**MENTOR_POST, **overrides})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert 'value="Dr Morgan Reyes"' in response.content.decode()
    assert not Mentor.objects.exists()


def test_the_same_mentor_twice_is_refused_at_the_number(client_for, enrolment):
    client = client_for(enrolment.trainee)
    client.post(reverse("courses:mentor_list"), MENTOR_POST)
    response = client.post(reverse("courses:mentor_list"), {**MENTOR_POST, "registration_number": " 7654321 "})
    assert response.context["form"].errors["registration_number"] == [str(mentor_services.MSG_MENTOR_ON_FILE)]
    assert Mentor.objects.count() == 1


def test_only_administrators_reach_the_mentor_queue(client_for, enrolment, instructor, administrator):
    MentorFactory(trainee=enrolment.trainee)
    assert client_for(enrolment.trainee).get(reverse("courses:mentor_queue")).status_code == 403
    assert client_for(instructor).get(reverse("courses:mentor_queue")).status_code == 403
    assert client_for(administrator).get(reverse("courses:mentor_queue")).status_code == 200
    assert client_for(administrator).post(reverse("courses:mentor_queue")).status_code == 405


def test_the_queue_lists_the_oldest_first_at_a_fixed_query_cost(client_for, administrator):
    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("courses:mentor_queue"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    client = client_for(administrator)
    oldest = MentorFactory(full_name="Dr First Waiting")
    MentorFactory.create_batch(2)
    MentorFactory(verified=True, full_name="Dr Already Verified")
    few, page = queries_for_page()
    assert page.index("Dr First Waiting") < page.index("Dr Morgan Mentor")
    assert "Dr Already Verified" not in page
    assert f'href="{reverse("courses:mentor_review", args=[oldest.pk])}"' in page
    MentorFactory.create_batch(12)
    many, _page = queries_for_page()
    assert many == few


def test_staff_verify_a_mentor_and_the_trainee_is_told(
    client_for, administrator, enrolment, django_capture_on_commit_callbacks
):
    mentor = MentorFactory(trainee=enrolment.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("courses:mentor_review", args=[mentor.pk]), {"decision": "verify"}
        )
    assert response["Location"] == reverse("courses:mentor_queue")
    mentor.refresh_from_db()
    assert (mentor.status, mentor.decided_by) == ("verified", administrator)
    (message,) = mail.outbox
    assert message.to == [enrolment.trainee.email]
    assert message.subject == "[Glabella] Your mentor is verified"
    assert AuditEvent.objects.filter(action="mentor.verified", object_id=str(mentor.pk)).exists()


def test_rejecting_needs_a_reason_which_the_trainee_reads(
    client_for, administrator, enrolment, django_capture_on_commit_callbacks
):
    mentor = MentorFactory(trainee=enrolment.trainee)
    url = reverse("courses:mentor_review", args=[mentor.pk])
    response = client_for(administrator).post(url, {"decision": "reject", "reason": "  "})
    assert response.context["form"].errors["reason"] == [str(mentor_services.MSG_REASON_REQUIRED)]
    mentor.refresh_from_db()
    assert mentor.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(administrator).post(url, {"decision": "reject", "reason": "Not on the GMC register."})
    mentor.refresh_from_db()
    assert mentor.status == "rejected"
    (message,) = mail.outbox
    assert "Not on the GMC register." in message.body
    assert AuditEvent.objects.get(action="mentor.rejected").details["reason"] == "Not on the GMC register."


# The trainee's case ---------------------------------------------------------------------


def test_trainee_drafts_a_case_with_a_verified_mentor_only(client_for, enrolment, mentor):
    waiting = MentorFactory(trainee=enrolment.trainee, full_name="Dr Not Yet")
    someone_elses = MentorFactory(verified=True)
    client = client_for(enrolment.trainee)
    url = reverse("courses:mentor_case_create", args=[enrolment.course.code])
    form_page = client.get(url).content.decode()
    assert mentor.full_name in form_page
    assert "Dr Not Yet" not in form_page
    assert 'name="rating_technique"' not in form_page  # the mentor rates
    for other in (waiting, someone_elses):
        response = client.post(url, case_post(other))
        assert "mentor" in response.context["form"].errors
    assert not InjectionSession.objects.exists()
    response = client.post(url, case_post(mentor))
    session = InjectionSession.objects.get()
    assert response["Location"] == reverse("courses:mentor_case", args=[session.pk])
    assert (session.status, session.mentor, session.instructor, session.ratings) == ("draft", mentor, None, {})
    assert session.sites.count() == 5


def test_case_form_refuses_bad_input_at_the_field_and_keeps_it(client_for, enrolment, mentor):
    response = client_for(enrolment.trainee).post(
        reverse("courses:mentor_case_create", args=[enrolment.course.code]),
        case_post(mentor, units_procerus="-3", model_code="12-05-1980"),
    )
    errors = response.context["form"].errors
    assert errors["units_procerus"] == [str(services.MSG_UNITS_RANGE)]
    assert response.status_code == 200
    assert 'value="Riverside Clinic"' in response.content.decode()
    assert not InjectionSession.objects.exists()


def test_another_trainee_cannot_see_or_send_the_case(client_for, enrolment, mentor, instructor):
    session = draft_case(enrolment, mentor)
    stranger = client_for(TraineeFactory())
    for name in ("mentor_case", "mentor_case_edit", "mentor_case_sign_here"):
        assert stranger.get(reverse(f"courses:{name}", args=[session.pk])).status_code == 404
    for name in ("mentor_case_send", "mentor_case_code", "mentor_case_withdraw"):
        assert stranger.post(reverse(f"courses:{name}", args=[session.pk]), {"confirm": "yes"}).status_code == 404
    assert not SignOffRequest.objects.exists()
    assert InjectionSession.objects.filter(pk=session.pk).exists()


def test_instructors_neither_edit_nor_sign_a_mentor_case(client_for, enrolment, mentor, instructor):
    session = draft_case(enrolment, mentor)
    client = client_for(instructor)
    assert client.get(reverse("courses:session_edit", args=[session.pk])).status_code == 404
    client.post(reverse("courses:session_sign", args=[session.pk]), {"confirmed": "yes"})
    session.refresh_from_db()
    assert session.status == "draft"
    with pytest.raises(ValidationError) as error:
        services.session_sign(session_id=session.pk, instructor=instructor)
    assert error.value.messages == [str(services.MSG_MENTOR_CASE)]
    # The trainee's draft is not on the instructors' list of sessions.
    listing = client.get(reverse("courses:session_list", args=[enrolment.course.code])).content.decode()
    assert session.model_code not in listing


def test_sending_emails_the_mentor_a_link_whose_token_is_stored_only_hashed(client_for, enrolment, mentor):
    session = draft_case(enrolment, mentor)
    token = send_link(session)
    request = SignOffRequest.objects.get()
    assert request.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(list(SignOffRequest.objects.values()))
    assert token not in repr(list(AuditEvent.objects.values("summary", "details")))
    (message,) = mail.outbox
    assert message.to == ["morgan@clinic.example"]
    assert session.model_code in message.body
    assert (request.expires_at - request.created_at).days == 14
    assert AuditEvent.objects.filter(action="signoff.requested", object_id=str(request.pk)).exists()
    page = client_for(enrolment.trainee).get(reverse("courses:mentor_case", args=[session.pk])).content.decode()
    assert "Sent for sign-off on" in page


def test_sending_again_or_editing_revokes_the_earlier_link(client_for, enrolment, mentor):
    session = draft_case(enrolment, mentor)
    first = send_link(session)
    second = send_link(session)
    assert SignOffRequest.objects.filter(revoked_at__isnull=True).count() == 1
    with pytest.raises(mentor_services.SignOffRefused) as refused:
        sign_by_link(first)
    assert refused.value.problem == "revoked"
    client_for(enrolment.trainee).post(
        reverse("courses:mentor_case_edit", args=[session.pk]), case_post(mentor, clinic="Harbour Clinic")
    )
    session.refresh_from_db()
    assert session.clinic == "Harbour Clinic"
    with pytest.raises(mentor_services.SignOffRefused):
        sign_by_link(second)
    session.refresh_from_db()
    assert session.status == "draft"
    assert AuditEvent.objects.filter(action="signoff.revoked").count() == 2


def test_withdrawing_needs_a_tick_then_deletes_the_draft(client_for, enrolment, mentor):
    session = draft_case(enrolment, mentor)
    client = client_for(enrolment.trainee)
    url = reverse("courses:mentor_case_withdraw", args=[session.pk])
    client.post(url)
    assert InjectionSession.objects.filter(pk=session.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("courses:logbook", args=[enrolment.course.code])
    assert not InjectionSession.objects.filter(pk=session.pk).exists()
    assert AuditEvent.objects.filter(action="session.withdrawn", object_id=str(session.pk)).exists()


# Counting toward the requirement -------------------------------------------------------------


def test_mentor_signed_cases_count_unless_the_course_says_otherwise(client_for, enrolment, mentor, instructor):
    enrolment.course.handson_recent_competent = 1
    enrolment.course.save(update_fields=["handson_recent_competent"])
    record(enrolment, instructor)
    sign_by_link(send_link(draft_case(enrolment, mentor, model_code="M-0200")))
    assert signed_session_count(enrolment) == 2
    assert handson_requirement_met(enrolment=enrolment)  # 2 signed, glabella covered, competent
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[enrolment.course.code]))
    assert 'aria-valuenow="2"' in page.content.decode()

    enrolment.course.handson_mentor_cases_count = False
    enrolment.course.save(update_fields=["handson_mentor_cases_count"])
    enrolment.refresh_from_db()
    assert signed_session_count(enrolment) == 1
    assert not handson_requirement_met(enrolment=enrolment)
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[enrolment.course.code])).content.decode()
    assert 'aria-valuenow="1"' in page
    assert "do not count toward the requirement" in page


# Signing on the trainee's device -----------------------------------------------------------------


def _code_from_mail():
    return mail.outbox[-1].body.split("Your code is:")[1].split()[0]


def test_mentor_signs_on_the_trainees_device_with_the_emailed_code(
    client_for, enrolment, mentor, django_capture_on_commit_callbacks
):
    session = draft_case(enrolment, mentor)
    client = client_for(enrolment.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:mentor_case_code", args=[session.pk]))
    assert response["Location"] == reverse("courses:mentor_case_sign_here", args=[session.pk])
    assert mail.outbox[-1].to == ["morgan@clinic.example"]
    code = _code_from_mail()
    assert len(code) == 6
    assert code not in repr(list(SignOffRequest.objects.values()))
    form = {f"rating_{c}": level for c, level in RATINGS.items()} | FEEDBACK | {"decision": "signed", "confirm": "on"}
    url = reverse("courses:mentor_case_sign_here", args=[session.pk])
    response = client.post(url, {**form, "code": code})
    assert response["Location"] == reverse("courses:session_detail", args=[session.pk])
    session.refresh_from_db()
    assert (session.status, session.overall_independence, session.went_well) == (
        "signed",
        "competent",
        FEEDBACK["went_well"],
    )
    request = SignOffRequest.objects.get()
    assert (request.channel, request.outcome) == ("code", "signed")
    assert AuditEvent.objects.get(action="signoff.signed").details["channel"] == "code"


def test_five_wrong_codes_end_the_code_and_sign_nothing(
    client_for, enrolment, mentor, django_capture_on_commit_callbacks
):
    session = draft_case(enrolment, mentor)
    client = client_for(enrolment.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("courses:mentor_case_code", args=[session.pk]))
    code = _code_from_mail()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    form = {f"rating_{c}": level for c, level in RATINGS.items()} | FEEDBACK | {"decision": "signed", "confirm": "on"}
    url = reverse("courses:mentor_case_sign_here", args=[session.pk])
    for attempt in range(1, 6):
        response = client.post(url, {**form, "code": wrong})
        assert response.status_code == 400
        expected = mentor_services.MSG_CODE_WRONG if attempt < 5 else mentor_services.MSG_CODE_NONE
        assert response.context["form"].errors["code"] == [str(expected)]
        assert SignOffRequest.objects.get().code_attempts == attempt
    # Even the right code no longer works.
    response = client.post(url, {**form, "code": code})
    assert response.context["form"].errors["code"] == [str(mentor_services.MSG_CODE_NONE)]
    session.refresh_from_db()
    assert session.status == "draft"
    assert AuditEvent.objects.filter(action="signoff.refused").count() == 5
    assert not AuditEvent.objects.filter(action="signoff.signed").exists()
