"""The written exam in Chromium: a paged paper with the navigator, flags, the summary and
the confirmations, then topic feedback without the key while an attempt is left; a pass
with the key; a trainee who lets the time run out finds the attempt closed and graded."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Attempt, AttemptItem
from exams.tests.factories import exam_for
from tests.support.browser import sign_in, stop_accepting_dialogs

pytestmark = pytest.mark.browser


def ready_trainee(email, course):
    trainee = TraineeFactory(email=email)
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    for lesson in course.modules.first().lessons.all():
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    return trainee


def right_text(item):
    return next(o["text"] for o in item.options if o["key"] in item.correct_keys)


def test_a_paged_exam_with_the_navigator_then_topic_feedback_and_no_key(page):
    course = course_with_lessons(1)
    exam_for(course, per_topic=2, attempts_allowed=2)  # a full review; a second attempt left
    trainee = ready_trainee("candidate@example.com", course)
    sign_in(page, trainee.email)
    page.goto(f"/courses/{course.code}/exam/")
    # Start: a confirmation first (it starts the clock).
    page.get_by_role("link", name="Start the exam").click()
    expect(page.get_by_role("heading", name="Start the written exam?")).to_be_visible()
    assert not Attempt.objects.exists()
    page.get_by_role("button", name="Start now: the clock starts").click()
    expect(page.get_by_role("timer")).to_be_visible()
    expect(page.get_by_role("heading", name="Question 1 of 4")).to_be_visible()
    attempt = Attempt.objects.get()
    items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
    # Page 1: answer (autosaved); the navigator says so in words.
    page.locator("#q1").get_by_label(right_text(items[0])).check()
    expect(page.get_by_text("Saved question 1.")).to_be_visible()
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("button", name="1 answered")).to_have_attribute("aria-current", "page")
    # To question 3 through the navigator, by keyboard.
    navigator.get_by_role("button", name="3 unanswered").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 3 of 4")).to_be_visible()
    expect(navigator.get_by_role("button", name="3 unanswered")).to_have_attribute("aria-current", "page")
    expect(navigator.get_by_role("button", name="1 answered")).not_to_have_attribute("aria-current", "page")
    page.locator("#q3").get_by_label("Flag for review").check()
    expect(page.get_by_text("Saved question 3.")).to_be_visible()
    expect(navigator.get_by_role("button", name="3 unanswered, flagged")).to_be_visible()
    # Keyboard focus on the page is never under the sticky bar.
    flag = page.locator("#q3").get_by_label("Flag for review")
    flag.focus()
    bar = page.locator("[data-exam]").bounding_box()
    assert flag.bounding_box()["y"] >= bar["y"] + bar["height"]
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review before submitting")).to_be_visible()
    expect(page.get_by_role("timer")).to_be_visible()  # the countdown goes on here too
    expect(page.get_by_text("3 questions are unanswered. Once submitted, answers cannot change.")).to_be_visible()
    expect(page.get_by_text("Flagged: question 3")).to_be_visible()
    # Submitting with unanswered questions asks first; dismissing keeps the attempt open.
    stop_accepting_dialogs(page)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_role("heading", name="Review before submitting")).to_be_visible()
    assert dialogs
    assert dialogs[0].startswith("3 questions are unanswered. Submit for grading anyway?")
    assert Attempt.objects.get().status == "open"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit for grading").click()
    expect(page.get_by_role("heading", name="Not passed")).to_be_visible()
    expect(page.get_by_text("1 of 4 correct; the pass mark is 50%.")).to_be_visible()
    expect(page.get_by_role("heading", name="By topic")).to_be_visible()
    expect(page.get_by_text("The answer key and explanations are shown after your last attempt.")).to_be_visible()
    expect(page.get_by_text("Because.")).to_have_count(0)
    expect(page.get_by_text(right_text(items[0]))).to_have_count(0)


def start_the_exam(page, email):
    """A trainee ready for a 4-question exam starts it (through the confirmation)."""
    course = course_with_lessons(1)
    exam_for(course, per_topic=2)
    trainee = ready_trainee(email, course)
    sign_in(page, trainee.email)
    page.goto(f"/courses/{course.code}/exam/")
    page.get_by_role("link", name="Start the exam").click()
    page.get_by_role("button", name="Start now: the clock starts").click()
    expect(page.get_by_role("heading", name="Question 1 of 4")).to_be_visible()
    return Attempt.objects.get()


def test_take_and_pass_the_written_exam(page):
    attempt = start_the_exam(page, "passing@example.com")
    for item in AttemptItem.objects.filter(attempt=attempt).order_by("position"):
        page.locator(f"#q{item.position}").get_by_label(right_text(item)).check()
        expect(page.get_by_text(f"Saved question {item.position}.")).to_be_visible()
        if item.position == 2:
            page.locator("#q2").get_by_label("Flag for review").check()
            expect(page.get_by_text("Saved question 2.")).to_be_visible()
        page.get_by_role("button", name="Next →" if item.position < 4 else "Save and review →").click()
    assert all(i.response == i.correct_keys for i in AttemptItem.objects.filter(attempt=attempt))
    expect(page.get_by_role("heading", name="Review before submitting")).to_be_visible()
    expect(page.get_by_text("Flagged: question 2")).to_be_visible()
    page.get_by_role("button", name="Submit for grading").click()  # nothing unanswered: no question asked
    expect(page.get_by_role("heading", name="Passed")).to_be_visible()
    expect(page.get_by_text("4 of 4 correct; the pass mark is 50%.")).to_be_visible()
    expect(page.get_by_role("heading", name="Answers and explanations")).to_be_visible()  # no attempt left
    page.get_by_role("link", name="My dashboard").click()
    expect(page.get_by_text("Written exam passed.")).to_be_visible()


def test_time_runs_out_and_the_attempt_closes_by_itself(page):
    course = course_with_lessons(1)
    exam_for(course, per_topic=2)
    trainee = ready_trainee("slow@example.com", course)
    sign_in(page, trainee.email)
    page.goto(f"/courses/{course.code}/exam/")
    page.get_by_role("link", name="Start the exam").click()
    page.get_by_role("button", name="Start now: the clock starts").click()
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


def test_pages_of_saved_answers_open_in_one_request_and_enter_goes_forward(page):
    """With every answer on the page saved, "Next" and the navigator open the page asked
    for straight away (no second post of the answers); a save that failed makes the
    button post the page, so that nothing is lost. Enter in a question goes forward."""
    attempt = start_the_exam(page, "pages@example.com")
    items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/save/" in r.url else None)

    page.locator("#q1").get_by_label(right_text(items[0])).check()
    expect(page.get_by_text("Saved question 1.")).to_be_visible()
    page.get_by_role("button", name="Next →").click()
    expect(page.get_by_role("heading", name="Question 2 of 4")).to_be_visible()
    assert posts == []  # a GET of page 2, nothing posted again

    # Enter on an option goes to the next page (the form's default button), not back.
    option = page.locator("#q2").get_by_label(right_text(items[1]))
    option.check()
    expect(page.get_by_text("Saved question 2.")).to_be_visible()
    option.press("Enter")
    expect(page.get_by_role("heading", name="Question 3 of 4")).to_be_visible()

    # The server refuses a save (a lost connection): Next posts the page's answers.
    page.route("**/autosave/", lambda route: route.abort())
    page.locator("#q3").get_by_label(right_text(items[2])).check()
    expect(page.get_by_text("Not saved: check your connection.")).to_be_visible()
    page.get_by_role("button", name="Next →").click()
    expect(page.get_by_role("heading", name="Question 4 of 4")).to_be_visible()
    assert len(posts) == 1
    saved = {i.position: i.response for i in AttemptItem.objects.filter(attempt=attempt)}
    assert saved[3] == [o["key"] for o in items[2].options if o["key"] in items[2].correct_keys]
