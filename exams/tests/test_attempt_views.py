import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.tests.factories import course_with_lessons
from exams.models import Attempt
from tests.support.written import autosave, ready_trainee, start, tokens

pytestmark = pytest.mark.django_db


def test_correct_answers_never_reach_the_browser_before_submission(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    items = list(attempt.items.order_by("position"))
    for item in items:  # one question per page
        page = client.get(reverse("exams:page", args=[attempt.pk, item.position])).content.decode()
        assert item.stem in page
        # Options are rendered by this attempt's tokens; correct answers and the explanation are not.
        assert item.explanation not in page or not item.explanation
        assert "correct" not in json.dumps([o for o in item.options])
        assert "is_correct" not in page
        assert "correct_keys" not in page
    response = autosave(client, attempt, position=1, keys=tokens(attempt, [items[0].options[0]["key"]]))
    body = response.content.decode()
    assert response.status_code == 200
    assert set(json.loads(body)) == {"ok", "position", "keys", "flagged", "remaining"}
    summary = client.get(reverse("exams:summary", args=[attempt.pk])).content.decode()
    assert "explanation" not in summary.lower()


def test_autosave_and_no_javascript_save_and_flag(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first, second = attempt.items.order_by("position")[:2]
    response = autosave(client, attempt, position=1, keys=tokens(attempt, [first.options[1]["key"]]))
    assert response.json()["keys"] == tokens(attempt, [first.options[1]["key"]])  # named as the page names it
    assert autosave(client, attempt, position=2, flagged=True).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.response == [first.options[1]["key"]]
    assert second.flagged
    # Without JavaScript: the page's form posts (page 2: question 2 only).
    response = client.post(
        reverse("exams:save", args=[attempt.pk]),
        {"page": "2", "q2": tokens(attempt, [second.options[0]["key"]]), "go": "summary"},
    )
    assert response["Location"] == reverse("exams:summary", args=[attempt.pk])
    second.refresh_from_db()
    assert second.response == [second.options[0]["key"]]
    assert not second.flagged  # the flag box was not ticked in the post
    first.refresh_from_db()
    assert first.response == [first.options[1]["key"]]  # question 1 was not on the page posted


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"{}", b'{"position": "x"}', b'{"position": 1, "keys": "abc"}', b'{"position": 1, "flagged": "yes"}',
     b'{"position": 1, "keys": [1, 2]}', b'{"position": 99999999999999999999, "keys": []}', b"[]"],
)  # fmt: skip
def test_autosave_rejects_malformed_requests_without_a_500(client_for, payload):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    response = client.post(reverse("exams:autosave", args=[attempt.pk]), payload, content_type="application/json")
    assert response.status_code == 400


def test_late_answers_are_refused_and_the_page_shows_the_result(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    deadline = timezone.now() - datetime.timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=deadline - datetime.timedelta(minutes=30), deadline=deadline
    )
    response = autosave(client, attempt, position=1, keys=[])
    assert response.status_code == 409
    assert json.loads(response.content)["closed"] is True
    response = client.get(reverse("exams:attempt", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:result", args=[attempt.pk])
    assert "Time ran out" in response.content.decode()


def test_submit_shows_score_and_topic_breakdown(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    for item in attempt.items.all():
        autosave(client, attempt, position=item.position, keys=tokens(attempt, item.correct_keys))
    response = client.post(reverse("exams:submit", args=[attempt.pk]), follow=True)
    page = response.content.decode()
    assert "Passed" in page
    assert "4 of 4 correct" in page
    assert "Pharmacology" in page
    # Passed: no attempt left, so the full review shows answers and explanations.
    assert "Because." in page
    client.post(reverse("exams:submit", args=[attempt.pk]))
    assert Attempt.objects.get(pk=attempt.pk).score == 4


def test_another_trainees_attempt_is_404(client_for, other_trainee):
    trainee, course = ready_trainee()
    attempt = start(client_for(trainee), course)
    intruder = client_for(other_trainee)
    for name in ("exams:attempt", "exams:summary", "exams:result"):
        assert intruder.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert autosave(intruder, attempt, position=1, keys=[]).status_code == 404
    assert intruder.post(reverse("exams:submit", args=[attempt.pk])).status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).status == "open"


# Queries per request, the same at 10 and at 200 items (exams/tests: the exam-day hot
# paths). Page: session, user, the attempt (with its course), its items. Autosave:
# session, user, the item joined to its attempt and enrolment with the attempt row locked,
# the UPDATE, and the transaction's two statements (BEGIN/COMMIT; SAVEPOINT/RELEASE in a test).
PAGE_QUERIES = 4
AUTOSAVE_QUERIES = 6
SUMMARY_QUERIES = 4
SUBMIT_BUDGET = 14


def test_exam_page_autosave_and_submit_cost_the_same_queries_at_10_and_200_items(
    client_for, django_assert_num_queries, django_assert_max_num_queries
):
    counts = {}
    for per_topic in (5, 100):  # two topics: 10 and 200 items
        trainee, course = ready_trainee(per_topic=per_topic)
        client = client_for(trainee)
        attempt = start(client, course)
        items = list(attempt.items.order_by("position"))
        assert len(items) == 2 * per_topic
        last = items[-1]
        answer = last.options[2]["key"]

        with django_assert_num_queries(AUTOSAVE_QUERIES):
            response = autosave(client, attempt, position=last.position, keys=tokens(attempt, [answer]))
        assert response.json()["ok"] is True
        with django_assert_num_queries(AUTOSAVE_QUERIES):
            assert autosave(client, attempt, position=1, flagged=True).json()["flagged"] is True
        last.refresh_from_db()
        assert last.response == [answer]

        with django_assert_num_queries(PAGE_QUERIES):
            page = client.get(reverse("exams:page", args=[attempt.pk, len(items)])).content.decode()
        assert page.count('<fieldset class="card question"') == 1  # the last question, alone
        assert last.stem in page
        assert last.options[-1]["text"] in page
        assert f'name="q{last.position}" value="{tokens(attempt, [answer])[0]}" checked>' in page
        assert page.count(" checked>") == 1  # the one answer; nothing else ticked
        assert page.count('class="nav-q') == len(items)  # the navigator names every question
        assert f"<span data-answered>1</span> / {len(items)} answered" in page
        with django_assert_num_queries(PAGE_QUERIES):
            page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
        assert 'name="flag1" checked data-flag>' in page

        with django_assert_num_queries(SUMMARY_QUERIES):
            assert client.get(reverse("exams:summary", args=[attempt.pk])).status_code == 200

        with django_assert_max_num_queries(SUBMIT_BUDGET) as submit:
            response = client.post(reverse("exams:submit", args=[attempt.pk]))
        assert response["Location"] == reverse("exams:result", args=[attempt.pk])
        attempt.refresh_from_db()
        assert attempt.status == Attempt.Status.SUBMITTED
        assert attempt.max_score == len(items)
        assert attempt.score == int(answer in last.correct_keys)
        counts[len(items)] = len(submit)
    assert counts[10] == counts[200], counts


def test_exam_page_shows_cases_multiple_response_and_escapes_text(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first, second = attempt.items.order_by("position")[:2]
    first.kind = "multiple"
    first.stem = "Which <b>two</b> are right & why?"
    first.case_title = "Mrs <A>"
    first.case_vignette = "Line one\nLine <two>"
    first.save()
    second.case_title = "Mrs <A>"  # the same case: its vignette is not repeated
    second.case_vignette = "Line one\nLine <two>"
    second.save()
    keys = tokens(attempt, [first.options[0]["key"], first.options[1]["key"]])
    assert autosave(client, attempt, position=1, keys=keys).status_code == 200
    page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert "Which &lt;b&gt;two&lt;/b&gt; are right &amp; why?" in page
    # One page: the case's vignette once, beside both its questions.
    assert page.count("Clinical case: Mrs &lt;A&gt;") == 1
    assert "Line one<br>Line &lt;two&gt;" in page
    assert page.count('<fieldset class="card question"') == 2
    assert "Questions 1–2 of 4" in page
    assert "Select all that apply." in page
    for key in keys:
        assert f'type="checkbox" name="q1" value="{key}" checked>' in page
    assert f'type="radio" name="q2" value="{tokens(attempt, [second.options[0]["key"]])[0]}">' in page
    # The third question is the next page, the second of the paper.
    assert second.stem not in client.get(reverse("exams:page", args=[attempt.pk, 2])).content.decode()


def test_exam_page_past_its_deadline_grades_and_shows_the_result(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    deadline = timezone.now() - datetime.timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=deadline - datetime.timedelta(minutes=30), deadline=deadline
    )
    response = client.get(reverse("exams:attempt", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:result", args=[attempt.pk])
    assert "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.closed_by_deadline


# Start: session, user, the enrolment with its course; in the transaction (BEGIN/COMMIT,
# a savepoint in a test) the enrolment locked, no open attempt, the settings, the
# accommodation, the blockers (licence, lessons, lessons done, submitted attempts), no
# pending booking (this course allows unscheduled attempts), the bank's questions and options,
# the attempt (in a savepoint), its items in one INSERT, the audit event (lock, last hash,
# INSERT). Starting again: the enrolment locked and the open attempt. Each plus the test's
# own read of the attempt. PostgreSQL only: SQLite has no advisory lock for the audit
# chain, and splits 200 items' INSERT into batches under its limit of bound parameters.
START_QUERIES = 24
START_AGAIN_QUERIES = 8


def test_start_costs_the_same_queries_at_10_and_200_items_and_again(postgres, client_for, django_assert_num_queries):
    for per_topic in (5, 100):
        trainee, course = ready_trainee(per_topic=per_topic)
        client = client_for(trainee)
        with django_assert_num_queries(START_QUERIES):
            attempt = start(client, course)
        assert attempt.items.count() == 2 * per_topic
        with django_assert_num_queries(START_AGAIN_QUERIES):
            assert start(client, course) == attempt  # a double click: the same attempt


def test_start_is_404_without_an_active_enrolment_in_a_visible_course(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    other = course_with_lessons(1)
    assert client.post(reverse("exams:start", args=[other.code])).status_code == 404  # not enrolled
    assert client.post(reverse("exams:start", args=["NO-SUCH-COURSE"])).status_code == 404
    course.status = "draft"
    course.save()
    assert client.post(reverse("exams:start", args=[course.code])).status_code == 404  # not visible to trainees
    course.status = "published"
    course.save()
    trainee.enrolments.update(status="withdrawn")
    assert client.post(reverse("exams:start", args=[course.code])).status_code == 404
    assert not Attempt.objects.exists()
