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


def test_a_withdrawn_trainee_opening_the_exam_is_told_why_and_how_back(client, setup):
    from courses.services import enrolment_withdraw

    trainee, course, enrolment, lessons = setup
    enrolment_withdraw(trainee=trainee, course=course)
    client.force_login(trainee)
    response = client.get(reverse("exams:home", args=[course.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The written exam is closed to you" in page
    assert "You withdrew from" in page
    assert f'href="{reverse("courses:detail", args=[course.code])}">See the course and enrol again</a>' in page
    # Someone never enrolled still gets a 404.
    client.force_login(TraineeFactory())
    assert client.get(reverse("exams:home", args=[course.code])).status_code == 404
