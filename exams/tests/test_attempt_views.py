import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Attempt, AttemptItem
from exams.tests.factories import exam_for

pytestmark = pytest.mark.django_db


def ready_trainee(per_topic=2, **settings):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(1)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
    exam_for(course, per_topic=per_topic, **settings)
    return trainee, course


def start(client, course):
    response = client.post(reverse("exams:start", args=[course.code]))
    return Attempt.objects.get(pk=response["Location"].split("/")[2])


def autosave(client, attempt, **payload):
    return client.post(
        reverse("exams:autosave", args=[attempt.pk]), json.dumps(payload), content_type="application/json"
    )


def test_correct_answers_never_reach_the_browser_before_submission(client_for):
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    items = list(attempt.items.all())
    for item in items:
        assert item.stem in page
        # Options are rendered by key; the key set of correct answers and the explanation are not.
        assert item.explanation not in page or not item.explanation
        assert "correct" not in json.dumps([o for o in item.options])
    assert "is_correct" not in page
    assert "correct_keys" not in page
    response = autosave(client, attempt, position=1, keys=[items[0].options[0]["key"]])
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
    assert autosave(client, attempt, position=1, keys=[first.options[1]["key"]]).status_code == 200
    assert autosave(client, attempt, position=2, flagged=True).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.response == [first.options[1]["key"]]
    assert second.flagged
    # Without JavaScript: the whole form posts.
    response = client.post(
        reverse("exams:save", args=[attempt.pk]),
        {"q2": second.options[0]["key"], "flag2": "on", "then": "summary"},
    )
    assert response["Location"] == reverse("exams:summary", args=[attempt.pk])
    second.refresh_from_db()
    assert second.response == [second.options[0]["key"]]
    first.refresh_from_db()
    assert first.response == []  # the form said nothing was ticked for question 1


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
        autosave(client, attempt, position=item.position, keys=item.correct_keys)
    response = client.post(reverse("exams:submit", args=[attempt.pk]), follow=True)
    page = response.content.decode()
    assert "Passed" in page
    assert "4 of 4 correct" in page
    assert "Pharmacology" in page
    # After submission, the full review shows answers and explanations.
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


@pytest.mark.parametrize("per_topic", [10, 60])
def test_attempt_page_and_autosave_cost_fixed_queries(client_for, django_assert_max_num_queries, per_topic):
    # 20 and 120 items.
    trainee, course = ready_trainee(per_topic=per_topic)
    client = client_for(trainee)
    attempt = start(client, course)
    item = AttemptItem.objects.filter(attempt=attempt).first()
    with django_assert_max_num_queries(8):
        client.get(reverse("exams:attempt", args=[attempt.pk]))
    with django_assert_max_num_queries(10):
        autosave(client, attempt, position=item.position, keys=[item.options[0]["key"]])
    with django_assert_max_num_queries(14):
        client.post(reverse("exams:submit", args=[attempt.pk]))
