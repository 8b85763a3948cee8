"""The last lesson is not a dead end: it leads to the written exam once every lesson is
done, or to the lessons still to do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import Lesson, LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons


@pytest.fixture
def setup(db):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(3)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    lessons = list(Lesson.objects.filter(module__course=course).order_by("position"))
    return trainee, course, enrolment, lessons


def test_completing_the_last_lesson_leads_to_the_written_exam(client, setup):
    trainee, course, enrolment, lessons = setup
    for lesson in lessons[:2]:
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    client.force_login(trainee)
    response = client.post(reverse("courses:lesson_complete", args=[course.code, lessons[2].pk]), follow=True)
    page = response.content.decode()
    assert "Lesson complete." in page
    exam = reverse("exams:home", args=[course.code])
    assert f'<a class="button" href="{exam}">Theory complete: go to the written exam →</a>' in page


def test_the_last_lesson_done_with_others_left_leads_to_them(client, setup):
    trainee, course, enrolment, lessons = setup
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lessons[2])
    client.force_login(trainee)
    page = client.get(reverse("courses:lesson", args=[course.code, lessons[2].pk])).content.decode()
    assert "2 lessons left: go to the first →" in page
    assert f'href="{reverse("courses:learn", args=[course.code])}"' in page
    assert "go to the written exam" not in page


def test_completed_ticks_are_named_without_aria_label_on_a_span(client, setup):
    trainee, course, enrolment, lessons = setup
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lessons[0])
    client.force_login(trainee)
    page = client.get(reverse("courses:lesson", args=[course.code, lessons[1].pk])).content.decode()
    assert '<span class="tick" aria-label' not in page
    assert '<span class="sr-only">completed: </span>' in page
