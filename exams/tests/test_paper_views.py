"""The paged paper as a candidate meets it: pages, the navigator, the clock on every page,
per-attempt option identifiers, plain form posts without JavaScript, the confirmations."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from exams import selectors
from exams.models import Attempt, Option
from tests.support.written import another_candidate, autosave, ready_trainee, start, tokens

pytestmark = pytest.mark.django_db


def page_url(attempt, number):
    return reverse("exams:page", args=[attempt.pk, number])


def save(client, attempt, data):
    return client.post(reverse("exams:save", args=[attempt.pk]), data)


def option_values(html):
    return re.findall(r'<input type="(?:radio|checkbox)" name="q\d+" value="([^"]*)"', html)


def test_without_javascript_posting_page_2_saves_it_and_lands_on_page_3(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    second = attempt.items.get(position=2)
    answer = second.options[3]["key"]

    response = save(client, attempt, {"page": "2", "q2": tokens(attempt, [answer]), "flag2": "on", "go": "next"})

    assert response.status_code == 302
    assert response["Location"] == page_url(attempt, 3)
    second.refresh_from_db()
    assert second.response == [answer]
    assert second.flagged
    page = client.get(response["Location"]).content.decode()
    assert "Question 3 of 4" in page
    assert "Your answers are saved." in page
    # The navigator shows question 2 answered and flagged, in words; page 3 is current.
    assert re.search(r'data-nav="2"><span class="nav-num">2</span> <span class="nav-state" data-nav-state>'
                     r"answered, flagged</span>", page)  # fmt: skip
    assert re.search(r'data-nav="1"><span class="nav-num">1</span> <span class="nav-state" data-nav-state>'
                     r"unanswered</span>", page)  # fmt: skip
    assert page.count('aria-current="page"') == 1  # question 3's entry
    assert re.search(r'value="page-3" class="nav-q" data-nav="3" aria-current="page"', page)
    # Back on page 2, the answer is ticked.
    page = client.get(page_url(attempt, 2)).content.decode()
    assert f'value="{tokens(attempt, [answer])[0]}" checked>' in page


@pytest.mark.parametrize(
    ("go", "where"),
    [("prev", "page-1"), ("next", "page-3"), ("page-4", "page-4"), ("summary", "summary"), ("stay", "page-2"),
     ("page-99", "page-2"), ("", "page-2")],
)  # fmt: skip
def test_the_buttons_save_and_move(client_for, go, where):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    response = save(client, attempt, {"page": "2", "go": go})
    expected = {
        "page-1": reverse("exams:attempt", args=[attempt.pk]),
        "page-2": page_url(attempt, 2),
        "page-3": page_url(attempt, 3),
        "page-4": page_url(attempt, 4),
        "summary": reverse("exams:summary", args=[attempt.pk]),
    }[where]
    assert response["Location"] == expected


def test_next_on_the_last_page_goes_to_the_summary(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    page = client.get(page_url(attempt, 4)).content.decode()
    assert "Save and review" in page
    assert save(client, attempt, {"page": "4", "go": "next"})["Location"] == reverse("exams:summary", args=[attempt.pk])


def test_an_unknown_option_is_a_clear_error_that_keeps_the_rest_of_the_page(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first = attempt.items.get(position=1)
    bank_pk = str(Option.objects.filter(question=first.question).first().pk)
    for value in ("made-up", bank_pk, tokens(attempt, [first.options[0]["key"]])[0] + "x"):
        response = save(client, attempt, {"page": "1", "q1": value, "flag1": "on", "go": "next"})
        assert response["Location"] == reverse("exams:attempt", args=[attempt.pk])  # stays on the page
        page = client.get(response["Location"]).content.decode()
        assert "Question 1: That answer is not one of this question&#x27;s options." in page
        first.refresh_from_db()
        assert first.response == []
    # Autosave refuses the bank's own key the same way.
    response = autosave(client, attempt, position=1, keys=[first.options[0]["key"]])
    assert response.status_code == 400
    assert response.json()["error"] == "That answer is not one of this question's options."


@pytest.mark.parametrize("page", ["", "0", "5", "abc", "-1", "9" * 30])
def test_a_post_for_a_page_that_does_not_exist_is_a_message_not_a_500(client_for, page):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    response = save(client, attempt, {"page": page, "q1": "x"})
    assert response["Location"] == reverse("exams:attempt", args=[attempt.pk])
    assert "That page of the paper does not exist" in client.get(response["Location"]).content.decode()


def test_a_page_past_the_end_is_404(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    assert client.get(page_url(attempt, 5)).status_code == 404
    assert client.get(page_url(attempt, 0)).status_code == 404


def test_two_candidates_pages_share_no_option_identifier_and_show_no_bank_key(client_for):
    trainee, course = ready_trainee()
    other = another_candidate(course)  # both sit the same exam: the same four questions
    seen = []
    for who in (trainee, other):
        client = client_for(who)
        attempt = start(client, course)
        values = set()
        for number in range(1, 5):
            values |= set(option_values(client.get(page_url(attempt, number)).content.decode()))
        assert len(values) == 16  # four options on each of four pages, all different
        seen.append(values)
    assert seen[0].isdisjoint(seen[1])
    bank_keys = {str(pk) for pk in Option.objects.filter(question__course=course).values_list("pk", flat=True)}
    assert bank_keys.isdisjoint(seen[0] | seen[1])
    assert Attempt.objects.filter(enrolment__course=course).count() == 2


def test_the_countdown_is_on_every_page_and_the_summary(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    deadline = timezone.localtime(attempt.deadline).isoformat()
    urls = [page_url(attempt, n) for n in range(1, 5)] + [reverse("exams:summary", args=[attempt.pk])]
    for url in urls:
        page = client.get(url).content.decode()
        seconds = int(re.search(r'data-deadline-seconds="(\d+)"', page).group(1))
        assert 29 * 60 < seconds <= 30 * 60
        assert f'data-deadline="{deadline}"' in page
        assert 'role="timer"' in page
        assert re.search(r"<strong data-countdown>(29:\d\d|30:00)</strong>", page)
        assert 'aria-live="assertive" data-announce' in page


def test_the_summary_lists_unanswered_and_flagged_and_asks_before_submitting(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    second = attempt.items.get(position=2)
    autosave(client, attempt, position=2, keys=tokens(attempt, [second.options[0]["key"]]))
    autosave(client, attempt, position=3, flagged=True)
    page = client.get(reverse("exams:summary", args=[attempt.pk])).content.decode()
    assert "3 questions are unanswered. Once submitted, answers cannot change." in page
    assert 'data-confirm="3 questions are unanswered. Submit for grading anyway?' in page
    assert f'href="{page_url(attempt, 3)}#q3">question 3</a>' in page
    unanswered = page.split("Unanswered:")[1].split("</p>")[0]
    assert "question 1" in unanswered
    assert "question 2" not in unanswered
    flagged = page.split("Flagged:")[1].split("</p>")[0]
    assert "question 3" in flagged
    assert "question 1" not in flagged
    # The navigator links every question to its page and says its state in words.
    navigator = page.split('class="nav-grid"')[1].split("</ol>")[0]
    assert navigator.count("<li>") == attempt.items.count()
    assert (
        f'<a href="{reverse("exams:page", args=[attempt.pk, 2])}#q2" class="nav-q is-answered">'
        '<span class="nav-num">2</span> <span class="nav-state" data-nav-state>answered</span></a>'
    ) in navigator
    flagged_entry = '<span class="nav-num">3</span> <span class="nav-state" data-nav-state>unanswered, flagged</span>'
    assert f'class="nav-q is-flagged">{flagged_entry}' in navigator
    # Everything answered: no confirmation is asked.
    for item in attempt.items.all():
        autosave(client, attempt, position=item.position, keys=tokens(attempt, [item.options[0]["key"]]))
    page = client.get(reverse("exams:summary", args=[attempt.pk])).content.decode()
    assert "data-confirm" not in page
    assert "Every question is answered." in page


def test_starting_is_confirmed_first(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    home = client.get(reverse("exams:home", args=[course.code])).content.decode()
    assert f'<a class="button" href="{reverse("exams:start", args=[course.code])}">Start the exam</a>' in home
    page = client.get(reverse("exams:start", args=[course.code])).content.decode()
    assert "starts a 30-minute clock" in page
    assert "Start now: the clock starts" in page
    assert not Attempt.objects.exists()  # looking at the confirmation starts nothing
    attempt = start(client, course)
    # With an attempt open, the confirmation goes back to the exam's page (Resume).
    response = client.get(reverse("exams:start", args=[course.code]))
    assert response["Location"] == reverse("exams:home", args=[course.code])
    assert attempt.status == "open"


def test_a_paused_attempt_shows_the_pause_not_the_paper(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first = attempt.items.get(position=1)
    real = selectors.get_attempt_for_page

    def paused(user, pk):
        loaded = real(user, pk)
        loaded.paused_at = loaded.deadline - datetime.timedelta(minutes=12)  # 12 minutes were left
        return loaded

    with mock.patch.object(selectors, "get_attempt_for_page", paused):
        page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
        summary = client.get(reverse("exams:summary", args=[attempt.pk])).content.decode()
    assert "Paused by the invigilator" in page
    assert "12:00 left" in page
    assert first.stem not in page
    assert "data-paused" in page
    assert "Submit for grading" not in summary
    assert "Paused by the invigilator" in summary


# A page's no-JavaScript post: session, user, the attempt, its items, then for the one
# answer changed attempt_answer's statements (savepoint, the locked read, the UPDATE,
# release). The same at 10 and 200 questions (the success message rides in the cookie).
SAVE_QUERIES = 8


def test_a_page_post_costs_the_same_queries_at_10_and_200_items(client_for, django_assert_num_queries):
    for per_topic in (5, 100):
        trainee, course = ready_trainee(per_topic=per_topic)
        client = client_for(trainee)
        attempt = start(client, course)
        second = attempt.items.get(position=2)
        with django_assert_num_queries(SAVE_QUERIES):
            response = save(client, attempt, {"page": "2", "q2": tokens(attempt, [second.options[1]["key"]])})
        assert response["Location"] == page_url(attempt, 3)
        second.refresh_from_db()
        assert second.response == [second.options[1]["key"]]


def test_a_secret_key_rotated_during_the_sitting_leaves_open_pages_working(client_for, settings):
    """A page drawn before the key was rotated (the old key kept as a fallback, as Django
    asks) still saves: its option tokens are read under the fallback too. Without the
    fallback they are refused, as made-up tokens are."""
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    first = attempt.items.get(position=1)
    before = tokens(attempt, [first.options[1]["key"]])  # on the page, under the old key
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old]
    client.force_login(trainee)  # the session's hash is re-signed under the new key
    assert tokens(attempt, [first.options[1]["key"]]) != before
    response = autosave(client, attempt, position=1, keys=before)
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    assert first.response == [first.options[1]["key"]]
    settings.SECRET_KEY_FALLBACKS = []
    client.force_login(trainee)
    assert autosave(client, attempt, position=1, keys=before).status_code == 400
