import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from courses.models import InjectionSession
from tests.support.handson import post_data, record

pytestmark = pytest.mark.django_db


def test_instructor_records_signs_and_the_trainee_sees_it(client_for, instructor, enrolment):
    client = client_for(instructor)
    url = reverse("courses:session_create", args=[enrolment.course.code])
    form_page = client.get(url).content.decode()
    assert 'name="units_procerus"' in form_page
    response = client.post(url, post_data(enrolment))
    session = InjectionSession.objects.get()
    assert response["Location"] == reverse("courses:session_detail", args=[session.pk])
    client.post(reverse("courses:session_sign", args=[session.pk]), {"confirmed": "yes"})
    session.refresh_from_db()
    assert session.status == "signed"
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[enrolment.course.code])).content.decode()
    assert "M-0147" in page
    assert 'aria-valuenow="1"' in page  # 1 of 2 cases treated
    detail = client_for(enrolment.trainee).get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert "Procerus" in detail
    assert "20" in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"units_procerus": "-3"}, "units_procerus", "Enter between 0 and 100 units."),
        ({"units_procerus": "abc"}, "units_procerus", "Enter a number."),
        ({"units_procerus": "101"}, "units_procerus", "Enter between 0 and 100 units."),
        ({"performed_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, "performed_on",
         "The session date cannot be in the future."),
        ({"consent_confirmed": None}, "consent_confirmed", "Confirm that the model gave written consent."),
        ({"units_nose_tip": "4"}, "__all__", "There is no injection site called “nose_tip”."),
    ],
)  # fmt: skip
def test_bad_input_is_shown_at_its_field_and_the_chart_keeps_what_was_typed(
    client_for, instructor, enrolment, overrides, field, message
):
    response = client_for(instructor).post(
        reverse("courses:session_create", args=[enrolment.course.code]), post_data(enrolment, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    assert 'value="4"' in page  # the corrugator units typed are still there
    assert 'value="Riverside Clinic"' in page
    assert not InjectionSession.objects.exists()


def test_over_dose_warns_and_asks_for_acknowledgement(client_for, instructor, enrolment):
    client = client_for(instructor)
    url = reverse("courses:session_create", args=[enrolment.course.code])
    response = client.post(url, post_data(enrolment, units_procerus="14"))
    page = response.content.decode()
    assert "Glabellar lines: 30 U given; the on-label dose is 20 U over 5 sites." in page
    assert response.context["form"].errors["acknowledge_warnings"]
    assert not InjectionSession.objects.exists()
    response = client.post(url, post_data(enrolment, units_procerus="14", acknowledge_warnings="on"))
    assert response.status_code == 302
    assert InjectionSession.objects.get().dose_warnings


def test_signed_sessions_cannot_be_edited_through_any_view(client_for, instructor, enrolment, administrator):
    session = record(enrolment, instructor)
    client = client_for(instructor)
    response = client.post(reverse("courses:session_edit", args=[session.pk]), post_data(clinic="Changed"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.clinic == "Riverside Clinic"
    admin_url = f"/admin/courses/injectionsession/{session.pk}/change/"
    admin_page = client_for(administrator).get(admin_url)
    assert admin_page.status_code == 200  # read-only view
    assert 'name="_save"' not in admin_page.content.decode()
    assert client_for(administrator).post(admin_url, {"clinic": "Changed"}).status_code == 403
    session.refresh_from_db()
    assert session.clinic == "Riverside Clinic"


def test_amendment_through_the_view(client_for, instructor, enrolment):
    session = record(enrolment, instructor)
    client = client_for(instructor)
    url = reverse("courses:session_amend", args=[session.pk])
    response = client.post(url, post_data(clinic="Harbour Clinic"))
    assert response.context["form"].errors["amendment_reason"] == ["This field is required."]
    response = client.post(url, post_data(clinic="Harbour Clinic", amendment_reason="Wrong clinic"))
    amendment = InjectionSession.objects.get(amends=session)
    assert response["Location"] == reverse("courses:session_detail", args=[amendment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "This is an amendment signed by" in page
    assert "Wrong clinic" in page


def test_who_may_see_a_session(client_for, instructor, enrolment, other_trainee, examiner, administrator):
    session = record(enrolment, instructor)
    url = reverse("courses:session_detail", args=[session.pk])
    assert client_for(enrolment.trainee).get(url).status_code == 200
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(administrator).get(url).status_code == 200
    assert client_for(other_trainee).get(url).status_code == 404
    # Examiners see the sessions of the trainees they are assigned to examine, and no others.
    assert client_for(examiner).get(url).status_code == 404
    from exams.models import Assessment

    assessment = Assessment.objects.create(enrolment=enrolment, number=1, scheduled_at=timezone.now(), place="Lab")
    assessment.examiners.set([examiner])
    assert client_for(examiner).get(url).status_code == 200
    other_instructor = UserFactory(is_trainee=False, is_instructor=True)
    assert client_for(other_instructor).get(url).status_code == 404
    assert client_for(other_instructor).post(reverse("courses:session_sign", args=[session.pk])).status_code == 404
    new = reverse("courses:session_create", args=[enrolment.course.code])
    assert client_for(other_instructor).get(new).status_code == 404
    assert client_for(enrolment.trainee).get(new).status_code == 403


def test_trainee_adds_a_reflection(client_for, instructor, enrolment, other_trainee):
    session = record(enrolment, instructor)
    url = reverse("courses:session_reflect", args=[session.pk])
    assert client_for(other_trainee).post(url, {"reflection": "mine"}).status_code == 404
    response = client_for(enrolment.trainee).post(url, {"reflection": "Aspirate less, watch the brow."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.reflection == "Aspirate less, watch the brow."
    assert session.status == "signed"
    draft = record(enrolment, instructor, sign=False, model_code="M-0900")
    response = client_for(enrolment.trainee).post(
        reverse("courses:session_reflect", args=[draft.pk]), {"reflection": "too early"}
    )
    assert response.status_code == 400
    assert "You can add a reflection once your instructor has signed the session." in response.content.decode()
    draft.refresh_from_db()
    assert draft.reflection == ""


def test_logbook_pdf_has_the_sessions_as_text(client_for, instructor, enrolment, django_capture_on_commit_callbacks):
    from io import BytesIO

    from pypdf import PdfReader

    record(enrolment, instructor, model_code="M-0777")
    client = client_for(enrolment.trainee)
    url = reverse("courses:logbook_pdf", args=[enrolment.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the (eager) worker renders it
        client.post(url)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(b"".join(response.streaming_content))).pages)
    assert "Learner One" in text
    assert "M-0777" in text
    assert "Procerus 4 U" in text


QUERY_BUDGET = 14


@pytest.mark.parametrize("view", ["session_list", "logbook", "roster", "dashboard"])
def test_hands_on_pages_cost_the_same_for_3_and_60_sessions(
    client_for, instructor, enrolment, django_assert_max_num_queries, view
):
    code = enrolment.course.code
    user, url = {
        "session_list": (instructor, reverse("courses:session_list", args=[code])),
        "roster": (instructor, reverse("courses:roster", args=[code])),
        "logbook": (enrolment.trainee, reverse("courses:logbook", args=[code])),
        "dashboard": (enrolment.trainee, reverse("accounts:trainee_dashboard")),
    }[view]
    for index in range(3):
        record(enrolment, instructor, model_code=f"M-{index:04d}")
    client = client_for(user)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(url).status_code == 200
    for index in range(57):
        record(enrolment, instructor, model_code=f"M-{100 + index:04d}")
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(url).status_code == 200
