import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import JurisdictionFactory, LicenceFactory, TraineeFactory
from core.models import AuditEvent
from courses import services
from courses.models import Enrolment, LessonCompletion
from courses.tests.factories import CourseFactory, LessonFactory, course_with_lessons

pytestmark = pytest.mark.django_db


def verified_trainee(profession="md", jurisdiction=None, **kwargs):
    trainee = TraineeFactory(**kwargs)
    LicenceFactory(
        holder=trainee,
        profession=profession,
        verified=True,
        jurisdiction=jurisdiction or JurisdictionFactory(),
    )
    return trainee


def messages(trainee, course):
    return [b.message for b in services.enrolment_blockers(trainee=trainee, course=course)]


def test_a_verified_eligible_trainee_enrols_once():
    trainee, course = verified_trainee(), CourseFactory()
    assert messages(trainee, course) == []
    enrolment = services.enrolment_create(trainee=trainee, course=course)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert AuditEvent.objects.filter(action="enrolment.created").count() == 1
    with pytest.raises(ValidationError) as error:
        services.enrolment_create(trainee=trainee, course=course)
    assert error.value.messages == [services.MSG_ALREADY_ENROLLED]
    assert Enrolment.objects.count() == 1


def test_no_licence_awaiting_licence_and_expired_licence_are_explained():
    course = CourseFactory()
    nobody = TraineeFactory()
    assert messages(nobody, course) == [services.MSG_NO_VALID_LICENCE]
    waiting = TraineeFactory()
    LicenceFactory(holder=waiting)
    assert messages(waiting, course) == [services.MSG_LICENCE_AWAITING]
    lapsed = TraineeFactory()
    LicenceFactory(holder=lapsed, verified=True, expires_on=timezone.localdate())
    assert messages(lapsed, course) == [services.MSG_NO_VALID_LICENCE]


def test_profession_not_eligible_is_explained():
    course = CourseFactory(eligible_professions=["md", "do"])
    nurse = verified_trainee(profession="rn")
    assert messages(nurse, course) == [
        "This course is open to physician (md), physician (do); none of your verified licences is for one of those."
    ]


def test_jurisdiction_rule_is_applied():
    course = CourseFactory(eligible_professions=["md", "dds"])
    texas = JurisdictionFactory(country="US", region="TX", name="United States — Texas", certifiable_professions=["md"])
    dentist = verified_trainee(profession="dds", jurisdiction=texas)
    assert messages(dentist, course) == [
        "United States — Texas does not allow a dentist to be certified for botulinum toxin injection."
    ]


def test_lapsed_accreditation_draft_course_and_full_course_are_explained():
    trainee = verified_trainee()
    lapsed = CourseFactory(accreditation_valid_until=timezone.localdate())
    assert messages(trainee, lapsed) == [services.MSG_ACCREDITATION_LAPSED]
    draft = CourseFactory(status="draft")
    assert messages(trainee, draft) == [services.MSG_NOT_PUBLISHED]
    full = CourseFactory(capacity=1)
    services.enrolment_create(trainee=verified_trainee(), course=full)
    assert messages(trainee, full) == [services.MSG_COURSE_FULL]
    with pytest.raises(ValidationError) as error:
        services.enrolment_create(trainee=trainee, course=full)
    assert error.value.messages == [services.MSG_COURSE_FULL]


def test_withdrawing_frees_the_seat_and_re_enrolling_keeps_progress():
    course = course_with_lessons(2, capacity=1)
    trainee, other = verified_trainee(), verified_trainee()
    enrolment = services.enrolment_create(trainee=trainee, course=course)
    lesson = course.modules.first().lessons.first()
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    services.enrolment_withdraw(trainee=trainee, course=course)
    assert messages(other, course) == []
    with pytest.raises(ValidationError):
        services.lesson_complete(enrolment=Enrolment.objects.get(pk=enrolment.pk), lesson=lesson)
    again = services.enrolment_create(trainee=trainee, course=course)
    assert again.pk == enrolment.pk
    assert LessonCompletion.objects.filter(enrolment=again).count() == 1


def test_completing_a_lesson_is_idempotent_and_limited_to_the_course():
    course = course_with_lessons(2)
    enrolment = services.enrolment_create(trainee=verified_trainee(), course=course)
    lesson = course.modules.first().lessons.first()
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert LessonCompletion.objects.filter(enrolment=enrolment).count() == 1
    with pytest.raises(ValidationError) as error:
        services.lesson_complete(enrolment=enrolment, lesson=LessonFactory())
    assert error.value.messages == [services.MSG_LESSON_NOT_IN_COURSE]


def test_lesson_html_is_sanitised_on_save():
    lesson = LessonFactory.build(module=LessonFactory().module, position=99)
    lesson.body_html = (
        '<p onclick="steal()">Procerus</p><script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><img src="https://evil.example/t.png">'
        '<a href="javascript:alert(3)">link</a><p style="color:red">styled</p>'
        '<img src="/courses/BTA-101/images/0f8fad5b-d9cb-469f-a165-70867728950e/" alt="Procerus">'
    )
    services.lesson_save(lesson=lesson)
    html = lesson.body_html
    for bad in ("<script", "onclick", "onerror", "evil.example", "javascript:", "style="):
        assert bad not in html
    assert "<p>Procerus</p>" in html
    assert '<img src="/courses/BTA-101/images/0f8fad5b-d9cb-469f-a165-70867728950e/" alt="Procerus">' in html


def test_accreditation_window_must_be_ordered():
    course = CourseFactory.build(
        accreditation_valid_from=timezone.localdate(),
        accreditation_valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        services.course_save(course=course, actor=None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"eyebrows": 2}, "“eyebrows” is not an area of the face chart"),
        ({"glabella": "three"}, "The sessions required for glabella must be a whole number."),
        (["glabella"], "Give a mapping of area to sessions"),
    ],
)
def test_hands_on_requirement_areas_are_checked(value, message):
    course = CourseFactory.build(handson_area_minimums=value)
    with pytest.raises(ValidationError) as error:
        services.course_save(course=course, actor=None)
    assert message in error.value.message_dict["handson_area_minimums"][0]
