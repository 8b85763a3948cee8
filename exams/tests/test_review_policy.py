"""The review policy: whatever the exam's review setting, a candidate with an attempt left
sees the score and feedback by topic at most; the answer key and explanations only after
the last allowed attempt (or also once the sitting closed, or never, as the
administrator chose)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exams import selectors
from exams.models import ExamSettings
from tests.support.written import autosave, ready_trainee, start, tokens

pytestmark = pytest.mark.django_db

KEY_LATER = "The answer key and explanations are shown after your last attempt."
KEY_NEVER = "The answer key is not released for this exam."
EXPLANATION = "Because."  # every factory question's explanation
KEY_HEADING = "Answers and explanations"


def sit(client, course, *, correct):
    """Take an attempt through the pages: every answer right (a pass) or none answered (a
    fail); the result page's HTML."""
    attempt = start(client, course)
    if correct:
        for item in attempt.items.all():
            autosave(client, attempt, position=item.position, keys=tokens(attempt, item.correct_keys))
    return client.post(reverse("exams:submit", args=[attempt.pk]), follow=True).content.decode()


def test_with_attempts_left_the_result_shows_topics_but_no_key(client_for):
    # given a full review and two attempts
    trainee, course = ready_trainee(review="full", attempts_allowed=2)
    # when the first attempt fails
    page = sit(client_for(trainee), course, correct=False)
    # then score and topics, no answers or explanations
    assert "Not passed" in page
    assert "0 of 4 correct" in page
    assert "By topic" in page
    assert "Pharmacology" in page
    assert KEY_LATER in page
    assert EXPLANATION not in page
    assert KEY_HEADING not in page
    assert "your answer" not in page
    assert "incorrect" not in page


def test_after_the_last_attempt_the_key_is_shown(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=2)
    client = client_for(trainee)
    first = sit(client, course, correct=False)
    assert EXPLANATION not in first
    last = sit(client, course, correct=False)
    assert KEY_HEADING in last
    assert EXPLANATION in last
    assert KEY_LATER not in last
    # The first attempt's result now shows its key too: no attempt is left.
    attempt = trainee.enrolments.get().attempts.get(number=1)
    assert EXPLANATION in client.get(reverse("exams:result", args=[attempt.pk])).content.decode()


def test_a_passed_candidate_has_no_attempt_left_and_sees_the_key(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=3)
    page = sit(client_for(trainee), course, correct=True)
    assert "Passed" in page
    assert EXPLANATION in page
    assert "✓" in page


def test_an_earlier_result_hides_the_key_while_another_attempt_is_open(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=2)
    client = client_for(trainee)
    sit(client, course, correct=False)
    start(client, course)  # the second and last attempt, in progress
    attempt = trainee.enrolments.get().attempts.get(number=1)
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert EXPLANATION not in page
    assert KEY_LATER in page


def test_never_means_never(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=1, key_release="never")
    page = sit(client_for(trainee), course, correct=False)
    assert EXPLANATION not in page
    assert KEY_NEVER in page
    assert "By topic" in page


@pytest.mark.parametrize(("review", "topics"), [("topics", True), ("score", False)])
def test_a_review_without_the_key_never_shows_it_even_at_the_last_attempt(client_for, review, topics):
    trainee, course = ready_trainee(review=review, attempts_allowed=1)
    page = sit(client_for(trainee), course, correct=False)
    assert EXPLANATION not in page
    assert ("By topic" in page) is topics
    assert "0 of 4 correct" in page


def test_tightening_the_setting_applies_to_attempts_already_taken(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=1)
    client = client_for(trainee)
    assert EXPLANATION in sit(client, course, correct=False)
    ExamSettings.objects.filter(course=course).update(review="score")
    attempt = trainee.enrolments.get().attempts.get()
    assert attempt.review == "full"  # as it started
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert EXPLANATION not in page
    assert "By topic" not in page


def test_the_exam_page_says_what_is_shown_after_each_attempt(client_for):
    trainee, course = ready_trainee(review="full", attempts_allowed=2)
    page = client_for(trainee).get(reverse("exams:home", args=[course.code])).content.decode()
    assert "Your score and feedback by topic; the answer key and explanations after your last attempt." in page


NOW = timezone.now()
LATER = NOW + datetime.timedelta(hours=2)
EARLIER = NOW - datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    ("review", "release", "left", "closes", "level", "note"),
    [
        ("full", "after_last_attempt", True, None, "topics", KEY_LATER),
        ("full", "after_last_attempt", False, None, "full", ""),
        ("full", "after_last_attempt", False, LATER, "full", ""),  # the sitting does not matter
        ("full", "after_sitting_closes", True, EARLIER, "topics", KEY_LATER),  # attempts left win
        ("full", "after_sitting_closes", False, LATER, "topics", "once the sitting has closed"),
        ("full", "after_sitting_closes", False, EARLIER, "full", ""),
        ("full", "after_sitting_closes", False, None, "full", ""),  # unscheduled: after the last attempt
        ("full", "never", False, EARLIER, "topics", KEY_NEVER),
        ("topics", "after_last_attempt", False, None, "topics", ""),
        ("score", "after_last_attempt", False, None, "score", ""),
    ],
)  # fmt: skip
def test_review_level_per_state(review, release, left, closes, level, note):
    shown, why = selectors.review_level(
        review=review, key_release=release, attempts_left=left, sitting_closes_at=closes, now=NOW
    )
    assert shown == level
    assert note in why
    assert bool(why) is bool(note)
