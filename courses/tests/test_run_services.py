"""Course runs (cohorts): the enrolment rules a run adds (courses.services.enrolment_blockers),
places counted per run, and the audited run writes (courses.authoring.services)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from core.models import AuditEvent
from courses import services
from courses.authoring import services as authoring_services
from courses.models import CourseRun, Enrolment
from courses.templatetags.runs import date_span
from courses.tests.factories import CourseFactory, CourseRunFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def verified_trainee():
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    return trainee


def blockers(trainee, course, run=None):
    return [(b.code, b.message, b.field) for b in services.enrolment_blockers(trainee=trainee, course=course, run=run)]


def enrol_error(trainee, course, run=None) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        services.enrolment_create(trainee=trainee, course=course, run=run)
    return error.value


# The rules ------------------------------------------------------------------------------


def test_a_course_with_open_runs_asks_for_one_and_enrols_onto_it():
    # given a course with an open run
    run = CourseRunFactory(title="Spring 2027, Leeds")
    trainee = verified_trainee()
    # then enrolling without a run is refused at the run field
    assert blockers(trainee, run.course) == [("run_required", services.MSG_RUN_REQUIRED, "run")]
    assert enrol_error(trainee, run.course).message_dict == {"run": [str(services.MSG_RUN_REQUIRED)]}
    # and with the run, the trainee is enrolled on it, audited with its code
    assert blockers(trainee, run.course, run) == []
    enrolment = services.enrolment_create(trainee=trainee, course=run.course, run=run)
    assert enrolment.run == run
    event = AuditEvent.objects.get(action="enrolment.created")
    assert event.details == {"run": run.code}
    assert f"({run.code})" in event.summary


def test_a_full_run_is_refused_at_the_field_and_the_course_capacity_no_longer_applies():
    course = CourseFactory(capacity=1)
    EnrolmentFactory(course=course)  # the course's own seats are all taken
    run = CourseRunFactory(course=course, title="Spring 2027, Leeds", places=1)
    first = verified_trainee()
    services.enrolment_create(trainee=first, course=course, run=run)
    second = verified_trainee()
    assert blockers(second, course, run) == [("run_full", "Spring 2027, Leeds is full.", "run")]
    assert enrol_error(second, course, run).message_dict == {"run": ["Spring 2027, Leeds is full."]}
    # another run of the course still has places
    other = CourseRunFactory(course=course)
    assert services.enrolment_create(trainee=second, course=course, run=other).run == other


@pytest.mark.parametrize("status", [CourseRun.Status.DRAFT, CourseRun.Status.CLOSED, CourseRun.Status.CANCELLED])
def test_a_run_not_open_is_refused(status):
    CourseRunFactory(title="Autumn, Leeds")  # so that the course has an open run
    run = CourseRunFactory(title="Spring 2027, Leeds", status=status)
    trainee = verified_trainee()
    assert blockers(trainee, run.course, run) == [
        ("run_not_open", "Spring 2027, Leeds is not open for enrolment.", "run")
    ]
    enrol_error(trainee, run.course, run)
    assert not Enrolment.objects.exists()


def test_a_run_past_its_closing_day_is_refused_and_the_closing_day_itself_is_allowed():
    today = timezone.localdate()
    run = CourseRunFactory(title="Spring 2027, Leeds", enrolment_closes_on=today - datetime.timedelta(days=1))
    trainee = verified_trainee()
    closed = today - datetime.timedelta(days=1)
    expected = f"Enrolment for Spring 2027, Leeds closed on {closed.day} {closed:%B %Y}."
    assert blockers(trainee, run.course, run) == [("run_closed", expected, "run")]
    assert enrol_error(trainee, run.course, run).message_dict == {"run": [expected]}
    run.enrolment_closes_on = today
    run.save()
    assert services.enrolment_create(trainee=trainee, course=run.course, run=run).run == run


def test_a_run_that_has_ended_takes_no_enrolment_even_without_a_closing_day():
    today = timezone.localdate()
    run = CourseRunFactory(starts_on=today - datetime.timedelta(days=5), ends_on=today - datetime.timedelta(days=3))
    assert blockers(verified_trainee(), run.course, run)[0][0] == "run_closed"


def test_a_run_of_another_course_is_refused():
    run = CourseRunFactory()
    other = CourseRunFactory()
    trainee = verified_trainee()
    assert blockers(trainee, run.course, other) == [("run_course", services.MSG_RUN_OTHER_COURSE, "run")]
    assert enrol_error(trainee, run.course, other).message_dict == {"run": [str(services.MSG_RUN_OTHER_COURSE)]}


def test_course_rules_and_run_rules_are_reported_together():
    run = CourseRunFactory(places=1)
    services.enrolment_create(trainee=verified_trainee(), course=run.course, run=run)
    unlicensed = TraineeFactory()
    error = enrol_error(unlicensed, run.course, run)
    assert error.message_dict == {
        "__all__": [str(services.MSG_NO_VALID_LICENCE)],
        "run": [f"{run.title} is full."],
    }


def test_a_course_whose_runs_are_not_open_keeps_its_seats():
    course = CourseFactory(capacity=1)
    CourseRunFactory(course=course, status=CourseRun.Status.DRAFT)
    CourseRunFactory(course=course, status=CourseRun.Status.CLOSED)
    first = services.enrolment_create(trainee=verified_trainee(), course=course)
    assert first.run is None
    assert blockers(verified_trainee(), course) == [("full", services.MSG_COURSE_FULL, None)]


def test_withdrawing_releases_the_place_and_re_enrolling_may_choose_another_run():
    run = CourseRunFactory(places=1)
    later = CourseRunFactory(course=run.course)
    trainee, other = verified_trainee(), verified_trainee()
    enrolment = services.enrolment_create(trainee=trainee, course=run.course, run=run)
    assert blockers(other, run.course, run)[0][0] == "run_full"
    services.enrolment_withdraw(trainee=trainee, course=run.course)
    assert "withdrew" in AuditEvent.objects.get(action="enrolment.withdrawn").summary
    assert blockers(other, run.course, run) == []
    again = services.enrolment_create(trainee=trainee, course=run.course, run=later)
    assert again.pk == enrolment.pk
    assert again.run == later
    assert services.run_places_taken(run) == 0
    assert services.run_places_taken(later) == 1


# The database holds the run's own rules ---------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"ends_on": datetime.date(2027, 3, 11)},
        {"enrolment_closes_on": datetime.date(2027, 3, 15)},
        {"places": 0},
        {"status": "postponed"},
    ],
)
def test_the_database_refuses_an_impossible_run(changes):
    values = {"starts_on": datetime.date(2027, 3, 12), "ends_on": datetime.date(2027, 3, 14), **changes}
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRunFactory(**values)


def test_a_run_code_is_unique_within_its_course_only():
    run = CourseRunFactory(code="2027-spring")
    CourseRunFactory(code="2027-spring")  # another course
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRunFactory(course=run.course, code="2027-spring")


# Authoring writes ---------------------------------------------------------------------------


def test_run_save_checks_dates_at_their_fields_and_audits(administrator):
    course = CourseFactory()
    run = CourseRun(
        course=course, code="2027-spring", title="Spring 2027, Leeds", location="Aire Clinic, Leeds", places=12,
        starts_on=datetime.date(2027, 3, 12), ends_on=datetime.date(2027, 3, 11),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        authoring_services.run_save(run=run, actor=administrator)
    assert error.value.message_dict == {"ends_on": ["The last day cannot be before the first day."]}
    run.ends_on = datetime.date(2027, 3, 14)
    run.enrolment_closes_on = datetime.date(2027, 3, 15)
    with pytest.raises(ValidationError) as error:
        authoring_services.run_save(run=run, actor=administrator)
    assert error.value.message_dict == {"enrolment_closes_on": ["Enrolment must close by the run's last day."]}
    run.enrolment_closes_on = datetime.date(2027, 3, 1)
    authoring_services.run_save(run=run, actor=administrator)
    event = AuditEvent.objects.get(action="course_run.created")
    assert event.actor == administrator
    assert event.details["places"] == 12
    assert event.details["enrolment_closes_on"] == "2027-03-01"


def test_places_never_drop_below_the_trainees_enrolled(administrator):
    run = CourseRunFactory(places=3)
    for _ in range(2):
        services.enrolment_create(trainee=verified_trainee(), course=run.course, run=run)
    run.places = 1
    with pytest.raises(ValidationError) as error:
        authoring_services.run_save(run=run, actor=administrator)
    assert error.value.message_dict == {
        "places": ["2 trainees are enrolled on this run: it needs at least that many places."]
    }
    run.places = 2
    authoring_services.run_save(run=run, actor=administrator)
    assert AuditEvent.objects.filter(action="course_run.updated").count() == 1


def test_cancelling_a_run_keeps_its_trainees_and_says_how_many(administrator):
    run = CourseRunFactory()
    enrolment = services.enrolment_create(trainee=verified_trainee(), course=run.course, run=run)
    authoring_services.run_cancel(run=run, actor=administrator)
    run.refresh_from_db()
    enrolment.refresh_from_db()
    assert run.status == CourseRun.Status.CANCELLED
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.run == run
    event = AuditEvent.objects.get(action="course_run.cancelled")
    assert event.details["enrolled"] == 1
    assert event.details["status_before"] == "open"
    with pytest.raises(ValidationError) as error:
        authoring_services.run_cancel(run=run, actor=administrator)
    assert error.value.messages == [str(authoring_services.MSG_RUN_ALREADY_CANCELLED)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2027, 3, 12), (2027, 3, 12), "12 March 2027"),
        ((2027, 3, 12), (2027, 3, 14), "12–14 March 2027"),
        ((2027, 2, 27), (2027, 3, 1), "27 February – 1 March 2027"),
        ((2026, 12, 30), (2027, 1, 2), "30 December 2026 – 2 January 2027"),
    ],
)
def test_run_dates_read_without_ambiguity(start, end, expected):
    assert date_span(datetime.date(*start), datetime.date(*end)) == expected


def test_an_enrolment_made_before_the_course_had_runs_is_placed_on_one(administrator):
    course = CourseFactory()
    enrolment = services.enrolment_create(trainee=verified_trainee(), course=course)
    full = CourseRunFactory(course=course, places=1)
    EnrolmentFactory(course=course, run=full)
    with pytest.raises(ValidationError) as error:
        services.enrolment_assign_run(enrolment=enrolment, run=full, actor=administrator)
    assert error.value.message_dict == {"run": [f"{full.title} is full."]}
    with pytest.raises(ValidationError):
        services.enrolment_assign_run(enrolment=enrolment, run=CourseRunFactory(), actor=administrator)
    run = CourseRunFactory(course=course)
    services.enrolment_assign_run(enrolment=enrolment, run=run, actor=administrator)
    enrolment.refresh_from_db()
    assert enrolment.run == run
    assert AuditEvent.objects.get(action="enrolment.run_assigned").details == {"run": run.code, "before": None}
