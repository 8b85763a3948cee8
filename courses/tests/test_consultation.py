"""The consultation of a case: recorded by the trainee or the instructors, a flagged
contraindication blocks sign-off until an instructor resolves it, no identity in the text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import TraineeFactory, UserFactory
from core.models import AuditEvent
from courses.handson import consultation as consultations
from courses.handson import services as handson
from courses.models import Consultation, InjectionSession
from courses.tests.factories import CourseFactory
from tests.support.consultation import consultation_post, record_consultation
from tests.support.handson import RATINGS, data, post_data, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(enrolment, instructor):
    return record(enrolment, instructor, sign=False)


def sign(client, session):
    return client.post(reverse("courses:session_sign", args=[session.pk]), {"confirmed": "yes"}, follow=True)


def test_the_trainee_records_the_consultation_and_the_session_page_shows_it(client_for, enrolment, draft):
    client = client_for(enrolment.trainee)
    url = reverse("courses:consultation_edit", args=[draft.pk])
    form = client.get(url).content.decode()
    assert "No names or dates of birth." in form
    assert 'name="ci_pregnancy"' in form
    response = client.post(url, consultation_post())
    assert response.status_code == 302
    consultation = Consultation.objects.get(session=draft)
    assert consultation.updated_by == enrolment.trainee
    assert consultation.risks_explained[0] == "ptosis"
    page = client.get(reverse("courses:session_detail", args=[draft.pk])).content.decode()
    assert "Softer frown lines" in page
    assert "Taken by A. Trainee, nurse prescriber" in page
    assert AuditEvent.objects.filter(action="consultation.recorded").count() == 1


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_a_flagged_contraindication_blocks_signing_until_an_instructor_resolves_it(
    client_for, instructor, draft, answer
):
    # given: the instructor records a consultation with one answer "yes" or "unsure"
    client = client_for(instructor)
    client.post(reverse("courses:consultation_edit", args=[draft.pk]), consultation_post(ci_interacting_drugs=answer))
    page = client.get(reverse("courses:session_detail", args=[draft.pk])).content.decode()
    assert "Signing is blocked." in page
    # when: signing is tried, it is refused with the reason
    response = sign(client, draft)
    assert str(consultations.MSG_BLOCKED) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == InjectionSession.Status.DRAFT
    # an empty note is refused at its field
    resolve = reverse("courses:consultation_resolve", args=[draft.pk])
    response = client.post(resolve, {"resolution_note": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["resolution_note"] == [str(consultations.MSG_NOTE)]
    # then: resolved with a note, the session signs
    note = "Prescriber checked the antibiotic course: finished 6 weeks ago, no interaction."
    assert client.post(resolve, {"resolution_note": note}).status_code == 302
    sign(client, draft)
    draft.refresh_from_db()
    assert draft.status == InjectionSession.Status.SIGNED
    consultation = Consultation.objects.get(session=draft)
    assert consultation.resolved_by == instructor
    event = AuditEvent.objects.get(action="consultation.resolved")
    assert event.details["note"] == note
    assert event.details["flagged"] == ["ci_interacting_drugs"]
    assert note in client.get(reverse("courses:session_detail", args=[draft.pk])).content.decode()


def test_changing_the_answers_after_a_resolution_blocks_signing_again(instructor, draft):
    record_consultation(draft, instructor, ci_allergy="unsure")
    note = "Excipient list checked: no albumin allergy."
    consultations.consultation_resolve(session_id=draft.pk, actor=instructor, note=note)
    assert consultations.consultation_sign_blocker(session_id=draft.pk) is None
    record_consultation(draft, instructor, ci_allergy="unsure", ci_pregnancy="yes")
    assert consultations.consultation_sign_blocker(session_id=draft.pk) == str(consultations.MSG_BLOCKED)
    with pytest.raises(ValidationError, match="must resolve it"):
        handson.session_sign(session_id=draft.pk, instructor=instructor)
    # Saving the same answers again keeps a resolution.
    consultations.consultation_resolve(session_id=draft.pk, actor=instructor, note="Not pregnant: test negative today.")
    record_consultation(draft, instructor, ci_allergy="unsure", ci_pregnancy="yes", goals="Smoother forehead.")
    assert consultations.consultation_sign_blocker(session_id=draft.pk) is None


def test_the_trainee_cannot_resolve_and_nothing_to_resolve_is_said(client_for, enrolment, instructor, draft):
    record_consultation(draft, instructor, ci_site_infection="yes")
    response = client_for(enrolment.trainee).post(
        reverse("courses:consultation_resolve", args=[draft.pk]), {"resolution_note": "fine"}
    )
    assert response.status_code == 403  # the instructors' page
    assert Consultation.objects.get(session=draft).resolved_at is None
    record_consultation(draft, instructor)
    with pytest.raises(ValidationError, match="No contraindication"):
        consultations.consultation_resolve(session_id=draft.pk, actor=instructor, note="fine")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ci_allergy": None}, "ci_allergy", consultations.MSG_ANSWER),
        ({"ci_allergy": "maybe"}, "ci_allergy", "Select a valid choice. maybe is not one of the available choices."),
        ({"goals": ""}, "goals", consultations.MSG_GOALS),
        ({"risks_explained": None}, "risks_explained", consultations.MSG_RISKS),
        ({"treatment_consent": None}, "treatment_consent", consultations.MSG_TREATMENT_CONSENT),
        ({"consent_taken_by": ""}, "consent_taken_by", consultations.MSG_CONSENT_BY),
        ({"consent_taken_at": "2999-01-01T10:00"}, "consent_taken_at", consultations.MSG_CONSENT_FUTURE),
        ({"photo_consent": None, "teaching_consent": "on"}, "teaching_consent",
         consultations.MSG_TEACHING_NEEDS_PHOTOS),
        ({"history": "DOB 12/05/1980, otherwise well"}, "history", consultations.MSG_DATE_OF_BIRTH),
        ({"history": "Well. 12 May 1980."}, "history", consultations.MSG_DATE_OF_BIRTH),
        ({"history": "1980-05-12"}, "history", consultations.MSG_DATE_OF_BIRTH),
        ({"goals": "Born in spring, wants fewer lines"}, "goals", consultations.MSG_DATE_OF_BIRTH),
        ({"history": "Call on 07700 900123"}, "history", consultations.MSG_CONTACT),
        ({"goals": "write to zelphine@example.com"}, "goals", consultations.MSG_CONTACT),
    ],
)  # fmt: skip
def test_bad_input_is_shown_at_its_field_and_nothing_is_saved(client_for, instructor, draft, overrides, field, message):
    response = client_for(instructor).post(
        reverse("courses:consultation_edit", args=[draft.pk]), consultation_post(**overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [str(message)]
    kept = "Softer frown lines" if field == "consent_taken_by" else 'value="A. Trainee, nurse prescriber"'
    assert kept in response.content.decode()  # what was typed is kept
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "history",
    ["Last toxin 02/03/2025 (glabella, 20 U).", "Treated 3.5.24 elsewhere", "Migraine since 2015; 50 mg daily"],
)
def test_recent_treatment_dates_and_doses_are_not_mistaken_for_identity(instructor, draft, history):
    assert record_consultation(draft, instructor, history=history).history == history


def test_the_consultation_locks_with_the_signed_session(client_for, instructor, enrolment):
    session = record(enrolment, instructor)
    client = client_for(instructor)
    response = client.post(reverse("courses:consultation_edit", args=[session.pk]), consultation_post())
    assert response["Location"].endswith("#consultation")
    assert not Consultation.objects.exists()
    with pytest.raises(ValidationError, match="locked"):
        record_consultation(session, instructor)


def test_an_amendment_carries_the_consultation(instructor, draft):
    record_consultation(draft, instructor)
    handson.session_sign(session_id=draft.pk, instructor=instructor)
    amendment = handson.session_amend(
        original_id=draft.pk, instructor=instructor, data=data(clinic="North Clinic"),
        units_by_site={"procerus": 4}, ratings=RATINGS, reason="Only the procerus was treated.", acknowledged=True,
    )  # fmt: skip
    assert Consultation.objects.get().session == amendment


def test_only_the_trainee_and_the_course_instructors_see_the_consultation_form(client_for, enrolment, draft):
    url = reverse("courses:consultation_edit", args=[draft.pk])
    outsider = UserFactory(email="elsewhere@example.com", is_trainee=False, is_instructor=True)
    CourseFactory(instructors=[outsider])
    for user in (TraineeFactory(email="peer@example.com"), outsider):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, consultation_post()).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to sign in
    assert client_for(enrolment.trainee).put(url).status_code == 405
    assert not Consultation.objects.exists()


def test_the_new_session_form_still_records_without_a_consultation(client_for, instructor, enrolment):
    # A case without a consultation is not blocked (courses that predate it keep signing).
    client = client_for(instructor)
    client.post(reverse("courses:session_create", args=[enrolment.course.code]), post_data(enrolment))
    session = InjectionSession.objects.get()
    sign(client, session)
    session.refresh_from_db()
    assert session.status == InjectionSession.Status.SIGNED
