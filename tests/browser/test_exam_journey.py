"""A trainee takes and passes the written exam; another lets the time run out and finds
the attempt closed and graded."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Attempt, AttemptItem
from exams.tests.factories import exam_for
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def ready_trainee(email, course):
    trainee = TraineeFactory(email=email)
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    for lesson in course.modules.first().lessons.all():
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    return trainee


def test_take_and_pass_the_written_exam(page):
    course = course_with_lessons(1)
    exam_for(course, per_topic=2)
    trainee = ready_trainee("candidate@example.com", course)
    sign_in(page, trainee.email)
    page.goto(f"/courses/{course.code}/exam/")
    page.get_by_role("button", name="Start the exam").click()
    expect(page.get_by_role("timer")).to_be_visible()
    attempt = Attempt.objects.get()
    for item in AttemptItem.objects.filter(attempt=attempt).order_by("position"):
        correct_text = next(o["text"] for o in item.options if o["key"] in item.correct_keys)
        page.locator(f"#q{item.position}").get_by_label(correct_text).check()
        expect(page.get_by_text(f"Saved question {item.position}.")).to_be_visible()
    page.locator("#q2").get_by_label("Flag for review").check()
    assert all(i.response == i.correct_keys for i in AttemptItem.objects.filter(attempt=attempt))
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review before submitting")).to_be_visible()
    expect(page.get_by_text("Flagged: 2")).to_be_visible()
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_role("heading", name="Passed")).to_be_visible()
    expect(page.get_by_text("4 of 4 correct; the pass mark is 50%.")).to_be_visible()
    page.get_by_role("link", name="My dashboard").click()
    expect(page.get_by_text("Written exam passed.")).to_be_visible()


def test_time_runs_out_and_the_attempt_closes_by_itself(page):
    course = course_with_lessons(1)
    exam_for(course, per_topic=2)
    trainee = ready_trainee("slow@example.com", course)
    sign_in(page, trainee.email)
    page.goto(f"/courses/{course.code}/exam/")
    page.get_by_role("button", name="Start the exam").click()
    attempt = Attempt.objects.get()
    first = attempt.items.order_by("position").first()
    right = next(o["text"] for o in first.options if o["key"] in first.correct_keys)
    page.locator("#q1").get_by_label(right).check()
    expect(page.get_by_text("Saved question 1.")).to_be_visible()
    # Only a few seconds left on the server's clock.
    deadline = timezone.now() + datetime.timedelta(seconds=4)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=deadline - datetime.timedelta(minutes=30), deadline=deadline
    )
    page.reload()
    expect(page.get_by_text("Time ran out")).to_be_visible(timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert attempt.closed_by_deadline
    assert attempt.score == 1
    expect(page.get_by_text("1 of 4 correct")).to_be_visible()
