"""The reads courses offers other apps (issue 14's selector contract): theory_complete,
course_is_taught_by, handson_requirement_met, signed_session_count, session_signer_ids."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses import selectors
from courses.handson import selectors as handson_selectors
from courses.handson import services as handson_services
from courses.models import COMPETENCIES, InjectionSession, Lesson, LessonCompletion
from courses.tests.factories import CourseFactory, EnrolmentFactory, course_with_lessons
from tests.support.products import product

pytestmark = pytest.mark.django_db

GLABELLA = {
    "procerus": Decimal(4),
    "corrugator_medial_r": Decimal(4),
    "corrugator_medial_l": Decimal(4),
    "corrugator_lateral_r": Decimal(4),
    "corrugator_lateral_l": Decimal(4),
}
RATINGS = dict.fromkeys((code for code, _label in COMPETENCIES), "competent")


def session(enrolment, instructor, *, sign=True, model_code="M-0147") -> InjectionSession:
    today = timezone.localdate()
    data = {
        "performed_on": today, "case_type": "supervised",
        "clinic": "Riverside Clinic", "model_code": model_code, "consent_confirmed": True,
        "product": product("onabotulinumtoxinA"), "vial_units": Decimal(100), "diluent_ml": Decimal("2.5"),
        "lot_number": "C1234A", "lot_expiry": today + datetime.timedelta(days=100), "complications": "",
        "complication_management": "", "overall_independence": "competent", "went_well": "", "to_improve": "",
        "agreed_actions": "",
    }  # fmt: skip
    draft = handson_services.session_save_draft(
        enrolment=enrolment, instructor=instructor, data=data, units_by_site=GLABELLA, ratings=RATINGS
    )
    if sign:
        handson_services.session_sign(session_id=draft.pk, instructor=instructor)
    return InjectionSession.objects.get(pk=draft.pk)


@pytest.fixture
def enrolment(instructor):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(
        instructors=[instructor],
        handson_min_sessions=2,
        handson_area_minimums={"glabella": 2},
        handson_recent_competent=1,
    )
    return EnrolmentFactory(trainee=trainee, course=course)


def test_theory_is_complete_once_every_lesson_of_the_course_is_done():
    course = course_with_lessons(2)
    enrolment = EnrolmentFactory(course=course)
    lessons = list(Lesson.objects.filter(module__course=course))
    assert not selectors.theory_complete(enrolment)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lessons[0])
    assert not selectors.theory_complete(enrolment)
    for lesson in lessons[1:]:
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    assert selectors.theory_complete(enrolment)


def test_a_course_without_lessons_is_never_complete_in_theory():
    assert not selectors.theory_complete(EnrolmentFactory(course=CourseFactory()))


def test_course_is_taught_by_its_instructors_only(instructor):
    course = CourseFactory(instructors=[instructor])
    assert selectors.course_is_taught_by(course, instructor)
    assert not selectors.course_is_taught_by(course, UserFactory(is_trainee=False, is_instructor=True))


def test_signed_sessions_count_and_signers_are_known(enrolment, instructor):
    # given a draft, a signed session, and a signed one later amended by a colleague
    colleague = UserFactory(is_trainee=False, is_instructor=True)
    enrolment.course.instructors.add(colleague)
    session(enrolment, instructor, sign=False, model_code="M-0001")
    assert handson_selectors.signed_session_count(enrolment) == 0
    assert handson_selectors.session_signer_ids(enrolment.trainee) == set()
    assert not handson_selectors.handson_requirement_met(enrolment=enrolment)
    session(enrolment, instructor, model_code="M-0002")
    original = session(enrolment, instructor, model_code="M-0003")
    handson_services.session_amend(
        original_id=original.pk, instructor=colleague, data=_data_of(original), units_by_site=GLABELLA,
        ratings=RATINGS, reason="Wrong clinic.",
    )  # fmt: skip
    # then the superseded original does not count, and both signers are known
    assert handson_selectors.signed_session_count(enrolment) == 2
    assert handson_selectors.session_signer_ids(enrolment.trainee) == {instructor.pk, colleague.pk}
    assert handson_selectors.handson_requirement_met(enrolment=enrolment)


def _data_of(session: InjectionSession) -> dict:
    return {name: getattr(session, name) for name in handson_services.SESSION_FIELDS}
