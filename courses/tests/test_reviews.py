"""The review visit at about two weeks: recording and signing it, its validation, the
top-up in the per-product cap, the reporting route for serious events, the reminder,
the requirement and the logbook."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Licence
from accounts.tests.factories import JurisdictionFactory, LicenceFactory, UserFactory
from core.models import AuditEvent
from courses.handson import face_sites, review_services
from courses.handson.review_tasks import review_reminders_task
from courses.handson.selectors import get_logbook_for
from courses.models import Review, ReviewReminder
from tests.support.handson import GLABELLA, record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def review_data(**overrides) -> dict:
    values = {
        "reviewed_on": TODAY,
        "timing_note": "",
        "outcome": "full",
        "symmetry": "symmetrical",
        "lot_number": "C1234A",
        "management": "",
    }
    values.update(overrides)
    return values


def make_review(session, instructor, *, topup=None, events=None, sign=True, acknowledged=True, **overrides):
    review = review_services.review_save(
        session_id=session.pk, instructor=instructor, data=review_data(**overrides), topup=topup or {},
        events=events or [], acknowledged=acknowledged,
    )  # fmt: skip
    if sign:
        review_services.review_sign(review_id=review.pk, instructor=instructor)
    return Review.objects.get(pk=review.pk)


def review_post(**overrides) -> dict:
    values = {"reviewed_on": TODAY.isoformat(), "outcome": "full", "symmetry": "symmetrical", "lot_number": "C1234A"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


# Recording and signing -----------------------------------------------------------------


def test_instructor_records_then_signs_a_review_which_locks_and_is_audited(client_for, instructor, enrolment):
    # given a case signed 14 days ago
    session = record(enrolment, instructor, performed_on=days_ago(14))
    client = client_for(instructor)
    form_page = client.get(reverse("courses:review_create", args=[session.pk]))
    assert form_page.status_code == 200
    assert 'value="C1234A"' in form_page.content.decode()  # the lot is prefilled from the case
    # when the instructor records a review with bruising and a 2 U top-up
    posted = review_post(
        event_bruising_severity="mild", event_bruising_onset=days_ago(13).isoformat(), units_procerus="2"
    )
    response = client.post(reverse("courses:review_create", args=[session.pk]), posted)
    # then the top-up's warning (22 U with the case's 20 U) asks to be acknowledged
    assert response.status_code == 400
    assert "Glabellar lines: 22 U given" in response.content.decode()
    assert not Review.objects.exists()
    response = client.post(
        reverse("courses:review_create", args=[session.pk]), {**posted, "acknowledge_warnings": "on"}
    )
    # then it is recorded, not yet signed
    review = Review.objects.get(session=session)
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:review_detail", args=[review.pk])
    assert review.status == "recorded"
    assert [(e.kind, e.severity) for e in review.events.all()] == [("bruising", "mild")]
    assert [(s.site_code, s.units) for s in review.sites.all()] == [("procerus", Decimal(2))]
    # when signed, it is locked and audited
    client.post(reverse("courses:review_sign", args=[review.pk]), {"confirmed": "yes"})
    review.refresh_from_db()
    assert review.status == "signed"
    assert AuditEvent.objects.filter(action="review.signed", object_id=str(review.pk)).exists()
    edit = client.get(reverse("courses:review_edit", args=[review.pk]))
    assert edit.status_code == 302
    with pytest.raises(ValidationError, match="signed and locked"):
        review_services.review_save(
            session_id=session.pk, instructor=instructor, data=review_data(), topup={}, events=[], review_id=review.pk
        )
    # and the case page shows it
    case_page = client.get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert "Full effect" in case_page
    assert "Bruising (mild)" in case_page


def test_a_case_gets_one_review_and_only_once_signed(instructor, enrolment):
    draft = record(enrolment, instructor, sign=False, performed_on=days_ago(14))
    with pytest.raises(ValidationError, match="Only a signed, current case"):
        make_review(draft, instructor)
    session = record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0200")
    make_review(session, instructor)
    with pytest.raises(ValidationError, match="already has a review"):
        make_review(session, instructor)
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("case_days_ago", "reviewed_on", "note", "field", "message"),
    [
        (14, days_ago(15), "", "reviewed_on", "must be after the treatment"),
        (14, days_ago(14), "", "reviewed_on", "must be after the treatment"),
        (14, TODAY + datetime.timedelta(days=1), "", "reviewed_on", "cannot be in the future"),
        (5, TODAY, "", "timing_note", "5 days after the treatment"),
        (30, TODAY, "", "timing_note", "30 days after the treatment"),
    ],
)
def test_review_dates_are_checked_at_the_field(
    client_for, instructor, enrolment, case_days_ago, reviewed_on, note, field, message
):
    session = record(enrolment, instructor, performed_on=days_ago(case_days_ago))
    response = client_for(instructor).post(
        reverse("courses:review_create", args=[session.pk]),
        review_post(reviewed_on=reviewed_on.isoformat(), timing_note=note),
    )
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert not Review.objects.exists()


def test_a_review_outside_the_window_is_allowed_with_a_note(instructor, enrolment):
    session = record(enrolment, instructor, performed_on=days_ago(30))
    review = make_review(session, instructor, timing_note="The model was abroad until day 30.")
    assert review.days_after == 30


@pytest.mark.parametrize("value", ["-2", "abc", "1e9", "100.5", "NaN", "2.25"])
def test_bad_topup_units_are_refused_at_the_field_never_a_500(client_for, instructor, enrolment, value):
    session = record(enrolment, instructor, performed_on=days_ago(14))
    response = client_for(instructor).post(
        reverse("courses:review_create", args=[session.pk]), review_post(units_procerus=value)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["units_procerus"] == ["Enter between 0 and 100 units."]
    page = response.content.decode()
    assert 'href="#id_units_procerus"' in page  # the error links to the site's field
    assert not Review.objects.exists()


def test_an_event_needs_its_onset_within_the_visit_and_other_needs_words(client_for, instructor, enrolment):
    session = record(enrolment, instructor, performed_on=days_ago(14))
    response = client_for(instructor).post(
        reverse("courses:review_create", args=[session.pk]),
        review_post(
            event_ptosis_severity="moderate", event_ptosis_onset=days_ago(20).isoformat(),
            event_headache_severity="mild", event_other_severity="mild", event_other_onset=days_ago(3).isoformat(),
            event_bruising_severity="fatal",
        ),
    )  # fmt: skip
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["event_bruising_severity"] == ["Choose the severity."]
    # the form's own check comes first; fix it and the service's checks show
    response = client_for(instructor).post(
        reverse("courses:review_create", args=[session.pk]),
        review_post(
            event_ptosis_severity="moderate", event_ptosis_onset=days_ago(20).isoformat(),
            event_headache_severity="mild", event_other_severity="mild", event_other_onset=days_ago(3).isoformat(),
        ),
    )  # fmt: skip
    errors = response.context["form"].errors
    assert errors["event_ptosis_onset"] == ["The onset must be between the treatment and the review."]
    assert errors["event_headache_onset"] == ["Give the date the event began."]
    assert errors["event_other_description"] == ["Describe the other event."]
    assert not Review.objects.exists()


# Doses ---------------------------------------------------------------------------------


def test_topup_counts_toward_the_same_products_cap_for_the_model(instructor, enrolment):
    # given a Botox case of 380 U (cap 400 U in 3 months) reviewed at 14 days
    big = {code: Decimal(76) for code in GLABELLA}
    session = record(enrolment, instructor, units=big, performed_on=days_ago(20), model_code="M-0300")
    # when the review tops up 30 U without the instructor acknowledging
    with pytest.raises(ValidationError) as refused:
        make_review(session, instructor, topup={"procerus": Decimal(30)}, acknowledged=False, reviewed_on=days_ago(6))
    assert "acknowledge_warnings" in refused.value.message_dict
    # then, acknowledged, the review records the model over the cap: 380 + 30
    review = make_review(session, instructor, topup={"procerus": Decimal(30)}, reviewed_on=days_ago(6))
    assert any(
        w["code"] == face_sites.MODEL_OVER_PRODUCT_MAXIMUM and w["params"]["units"] == "410"
        for w in review.dose_warnings
    )
    # and a later Botox session for the model counts the top-up too: 380 + 30 + 20
    later = record(enrolment, instructor, performed_on=TODAY, model_code="M-0300")
    over = [w for w in later.dose_warnings if w["code"] == face_sites.MODEL_OVER_PRODUCT_MAXIMUM]
    assert [w["params"]["units"] for w in over] == ["430"]
    # while a Dysport session for the model does not (units are not interchangeable)
    dysport = record(
        enrolment, instructor, performed_on=TODAY, model_code="M-0300", product="abobotulinumtoxinA",
        units={code: Decimal(10) for code in GLABELLA},
    )  # fmt: skip
    assert not [w for w in dysport.dose_warnings if w["code"] == face_sites.MODEL_OVER_PRODUCT_MAXIMUM]


def test_topup_is_checked_with_the_cases_units_against_the_label(instructor, enrolment):
    # a 20 U glabellar case (on label) topped up by 4 U: 24 U, off the 20 U reference
    session = record(enrolment, instructor, performed_on=days_ago(14))
    review = make_review(session, instructor, topup={"procerus": Decimal(4)})
    assert [(w["code"], w["params"]["units"]) for w in review.dose_warnings] == [(face_sites.AREA_OFF_REFERENCE, "24")]
    # no top-up, no warning
    other = record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0400")
    assert make_review(other, instructor).dose_warnings == []


# Reporting route -----------------------------------------------------------------------


def _licensed(enrolment, country):
    Licence.objects.filter(holder=enrolment.trainee).delete()
    if country:
        jurisdiction = JurisdictionFactory(country=country, region="", name=country)
        LicenceFactory(holder=enrolment.trainee, jurisdiction=jurisdiction, verified=True)


@pytest.mark.parametrize(
    ("country", "shown", "hidden"),
    [
        ("GB", ["yellowcard.mhra.gov.uk"], ["fda.gov/medwatch"]),
        ("US", ["fda.gov/medwatch"], ["yellowcard.mhra.gov.uk"]),
        ("FR", ["yellowcard.mhra.gov.uk", "fda.gov/medwatch"], []),
    ],
)
def test_a_serious_event_prompts_the_reporting_route_of_the_trainees_country(
    client_for, instructor, enrolment, country, shown, hidden
):
    session = record(enrolment, instructor, performed_on=days_ago(14))
    _licensed(enrolment, country)
    review = make_review(
        session, instructor, events=[{"kind": "ptosis", "severity": "serious", "onset_on": days_ago(7)}]
    )
    for user in (instructor, enrolment.trainee):
        for url in (
            reverse("courses:review_detail", args=[review.pk]),
            reverse("courses:session_detail", args=[session.pk]),
        ):
            page = client_for(user).get(url).content.decode()
            assert "Report this adverse event" in page
            for text in shown:
                assert text in page
            for text in hidden:
                assert text not in page


def test_a_mild_event_brings_no_reporting_prompt(client_for, instructor, enrolment):
    session = record(enrolment, instructor, performed_on=days_ago(14))
    review = make_review(
        session, instructor, events=[{"kind": "bruising", "severity": "mild", "onset_on": days_ago(14)}]
    )
    page = client_for(enrolment.trainee).get(reverse("courses:review_detail", args=[review.pk])).content.decode()
    assert "Bruising" in page
    assert "Report this adverse event" not in page


# Reminder ------------------------------------------------------------------------------


def test_the_reminder_is_sent_once_to_the_trainee_and_the_signer(
    instructor, enrolment, django_capture_on_commit_callbacks
):
    due = record(enrolment, instructor, performed_on=days_ago(12), model_code="M-0501")
    reviewed = record(enrolment, instructor, performed_on=days_ago(13), model_code="M-0502")
    make_review(reviewed, instructor)
    record(enrolment, instructor, performed_on=days_ago(30), model_code="M-0503")  # too old: never mailed
    record(enrolment, instructor, performed_on=days_ago(5), model_code="M-0504")  # not yet due
    record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0505", case_type="observed")
    # when the daily task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert review_reminders_task() == 0
    # then the trainee and the instructor who signed got one email each
    assert sorted(m.to[0] for m in mail.outbox) == sorted([enrolment.trainee.email, instructor.email])
    assert all("M-0501" in m.subject for m in mail.outbox)
    assert all(reverse("courses:session_detail", args=[due.pk]) in m.body for m in mail.outbox)
    assert list(ReviewReminder.objects.values_list("session_id", flat=True)) == [due.pk]


def test_the_reminder_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["review-reminders"]
    assert entry["task"] == review_reminders_task.name
    assert "courses.handson.review_tasks" in settings.CELERY_IMPORTS


# Requirement ---------------------------------------------------------------------------


def test_the_requirement_counts_signed_reviews_of_treated_cases(client_for, instructor, enrolment):
    course = enrolment.course
    course.handson_reviews_required = 2
    course.handson_recent_competent = 2
    course.save(update_fields=["handson_reviews_required", "handson_recent_competent"])
    first = record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0601")
    second = record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0602")
    observed = record(enrolment, instructor, performed_on=days_ago(14), model_code="M-0603", case_type="observed")
    make_review(first, instructor)
    make_review(second, instructor, sign=False)  # recorded, not signed: not counted
    make_review(observed, instructor)  # the trainee did not treat: not counted
    status = get_logbook_for(enrolment.trainee, course.code).status
    assert (status.reviews.done, status.reviews.need) == (1, 2)
    assert not status.met
    page = client_for(enrolment.trainee).get(reverse("courses:logbook", args=[course.code])).content.decode()
    assert "Cases reviewed at about two weeks" in page
    assert "Cases reviewed at about two weeks (1/2)" in page  # under "Still missing"
    review_services.review_sign(review_id=second.review.pk, instructor=instructor)
    status = get_logbook_for(enrolment.trainee, course.code).status
    assert (status.reviews.done, status.met) == (2, True)
    roster = client_for(instructor).get(reverse("courses:roster", args=[course.code])).content.decode()
    assert "Cases reviewed at about two weeks" in roster


def test_a_review_follows_its_case_through_an_amendment(instructor, enrolment):
    from courses.handson import services as handson
    from tests.support.handson import RATINGS, data

    course = enrolment.course
    course.handson_reviews_required = 1
    course.save(update_fields=["handson_reviews_required"])
    session = record(enrolment, instructor, performed_on=days_ago(14))
    make_review(session, instructor)
    handson.session_amend(
        original_id=session.pk, instructor=instructor, data=data(performed_on=days_ago(14), clinic="Other clinic"),
        units_by_site=GLABELLA, ratings=RATINGS, reason="Clinic name", acknowledged=True,
    )  # fmt: skip
    assert get_logbook_for(enrolment.trainee, course.code).status.reviews.done == 1


# Access --------------------------------------------------------------------------------


def test_others_get_404_and_only_the_served_methods_are_allowed(client_for, instructor, enrolment, other_trainee):
    session = record(enrolment, instructor, performed_on=days_ago(14))
    review = make_review(session, instructor, sign=False)
    outsider = UserFactory(email="elsewhere@example.com", is_trainee=False, is_instructor=True)
    detail = reverse("courses:review_detail", args=[review.pk])
    assert client_for(other_trainee).get(detail).status_code == 404
    for url in (
        detail,
        reverse("courses:review_edit", args=[review.pk]),
        reverse("courses:review_create", args=[session.pk]),
    ):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(reverse("courses:review_sign", args=[review.pk])).status_code == 404
    assert Review.objects.get(pk=review.pk).status == "recorded"
    # the trainee reads it but cannot record or sign
    trainee = client_for(enrolment.trainee)
    assert trainee.get(detail).status_code == 200
    assert trainee.post(reverse("courses:review_sign", args=[review.pk])).status_code == 403
    assert client_for(instructor).get(reverse("courses:review_sign", args=[review.pk])).status_code == 405


# Logbook -------------------------------------------------------------------------------


def _record_reviewed(enrolment, instructor, start, count):
    for index in range(start, start + count):
        session = record(enrolment, instructor, performed_on=days_ago(14), model_code=f"M-{index:04d}")
        make_review(session, instructor, events=[{"kind": "bruising", "severity": "mild", "onset_on": days_ago(14)}])


@pytest.mark.parametrize("view", ["courses:logbook", "courses:roster"])
def test_logbook_and_roster_queries_stay_fixed_for_10_and_200_reviewed_cases(client_for, instructor, enrolment, view):
    user = enrolment.trainee if view == "courses:logbook" else instructor
    url = reverse(view, args=[enrolment.course.code])
    client = client_for(user)
    _record_reviewed(enrolment, instructor, 0, 10)
    with CaptureQueriesContext(connection) as at_10:
        response = client.get(url)
    assert response.status_code == 200
    if view == "courses:logbook":
        assert response.content.decode().count("Bruising (mild)") == 10
    _record_reviewed(enrolment, instructor, 10, 190)
    with CaptureQueriesContext(connection) as at_200:
        response = client.get(url)
    if view == "courses:logbook":
        assert response.content.decode().count("Bruising (mild)") == 200
    assert len(at_200) == len(at_10)
