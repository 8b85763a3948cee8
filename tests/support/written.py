"""The written exam: a trainee ready to take it, and taking it through the views."""

from __future__ import annotations

import json

from django.urls import reverse

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Attempt
from exams.option_tokens import option_token
from exams.tests.factories import exam_for


def ready_trainee(per_topic=2, **settings):
    """A licensed trainee who has done the one lesson of a course with an exam of
    ``per_topic`` questions in each of two topics (``settings``: the exam's)."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(1)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
    exam_for(course, per_topic=per_topic, **settings)
    return trainee, course


def another_candidate(course):
    """A second licensed trainee who has done every lesson of ``course`` (its exam already set)."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    for lesson in course.modules.first().lessons.all():
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    return trainee


def theory_done(lessons=2):
    """The enrolment of a licensed trainee who has completed the ``lessons`` lessons of a
    course with an exam."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(lessons)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    for lesson in course.modules.first().lessons.all():
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    exam_for(course)
    return enrolment


def start(client, course):
    """Start the exam through the page's button; the attempt it opened."""
    response = client.post(reverse("exams:start", args=[course.code]))
    return Attempt.objects.get(pk=response["Location"].split("/")[2])


def autosave(client, attempt, **payload):
    """What exam.js posts when an answer or a flag changes."""
    return client.post(
        reverse("exams:autosave", args=[attempt.pk]), json.dumps(payload), content_type="application/json"
    )


def tokens(attempt, keys):
    """The page's names (exams.option_tokens) for these snapshot option keys: what a
    browser posts for them."""
    return [option_token(attempt.pk, key) for key in keys]
