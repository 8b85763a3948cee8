"""The practical exam: stations, a trainee eligible to sit it, an assessment scheduled
through the real service, full marks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.tests.factories import CourseFactory, EnrolmentFactory
from exams.models import Station
from exams.practical import services as practical
from exams.tests.factories import CRITERIA, AttemptFactory, PracticalExamFactory, RubricVersionFactory, StationFactory
from tests.support.handson import record


def make_station(exam, title="Injection of the glabellar complex", pass_mark=4, criteria=CRITERIA):
    """A station of ``exam`` (the next position) with rubric version 1: ``criteria`` is a
    sequence of (points, critical)."""
    station = StationFactory(practical=exam, title=title, position=exam.stations.count() + 1)
    RubricVersionFactory(station=station, number=1, pass_mark=pass_mark, criteria=criteria)
    return station


def build_eligible(instructor):
    """A trainee who passed the written exam and met the hands-on requirement (one
    session, signed by ``instructor`` through the services), in a course with a
    practical exam of one station."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(
        instructors=[instructor], handson_min_sessions=1, handson_area_minimums={}, handson_recent_competent=0
    )
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    record(enrolment, instructor)
    AttemptFactory(enrolment=enrolment, passing=True)
    exam = PracticalExamFactory(course=course, overall_pass_percent=60, attempts_allowed=2)
    make_station(exam)
    return enrolment


def schedule(enrolment, examiners, **overrides):
    """An assessment of every station of the course, three days on, scheduled through
    exams.practical.assessment_schedule (``overrides`` replace its arguments)."""
    values = {
        "enrolment": enrolment,
        "scheduled_at": timezone.now() + datetime.timedelta(days=3),
        "place": "Skills lab 2",
        "stations": list(Station.objects.filter(practical__course=enrolment.course)),
        "examiners": examiners,
        "actor": None,
    }
    values.update(overrides)
    return practical.assessment_schedule(**values)


def held_today(assessment):
    """The assessment's day has come (final marks are accepted only from the scheduled
    day, exams.practical.services.score_save): it is moved to now and returned."""
    from exams.models import Assessment

    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=timezone.now())
    assessment.refresh_from_db()
    return assessment


def full_marks(rubric):
    """{criterion id: its points} for every criterion of ``rubric``: what the score form
    takes."""
    return {str(c.pk): c.points for c in rubric.criteria.all()}
