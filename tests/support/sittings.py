"""Sittings of the written exam: a sitting open now with booked candidates."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory, add_totp
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Sitting
from exams.sittings import services
from exams.tests.factories import exam_for


def scheduled_course(**settings):
    """A course of one lesson whose exam (two items in each of two topics) is taken only
    in sittings, and an administrator."""
    course = course_with_lessons(1)
    exam_for(course, **{"allow_unscheduled": False, **settings})
    admin = add_totp(UserFactory(is_trainee=False, is_administrator=True, is_staff=True, profession=""))
    return course, admin


def invigilator():
    """An examiner (with a second factor, as examiners must have)."""
    return add_totp(UserFactory(is_trainee=False, is_examiner=True, profession=""))


def sitting_for(course, admin, *, venue="Exam room 1", opens_in=-5, minutes=240, capacity=30, invigilators=()):
    """A sitting opening ``opens_in`` minutes from now (negative: already open)."""
    now = timezone.now()
    sitting = Sitting(
        course=course,
        opens_at=now + datetime.timedelta(minutes=opens_in),
        closes_at=now + datetime.timedelta(minutes=opens_in + minutes),
        venue=venue,
        capacity=capacity,
    )
    return services.sitting_save(sitting=sitting, invigilators=list(invigilators), actor=admin)


def eligible(course):
    """The enrolment of a licensed trainee who has done the course's lesson."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
    return enrolment


def booked(sitting, admin, *, checked_in_by=None):
    """An eligible candidate booked on the sitting (checked in when ``checked_in_by``)."""
    enrolment = eligible(sitting.course)
    booking = services.booking_create(sitting=sitting, enrolment=enrolment, actor=admin)
    if checked_in_by is not None:
        services.booking_check_in(booking=booking, identity_confirmed=True, actor=checked_in_by)
    return booking
