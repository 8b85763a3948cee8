"""Races on PostgreSQL: parallel autosaves for one attempt lose nothing; a submit and
a late autosave end in one consistent graded attempt; a start storm makes one attempt."""

import pytest

from core.models import AuditEvent
from exams.models import Attempt, AttemptItem
from exams.services import answers
from exams.services import attempts as services
from tests.support.concurrency import run_together


@pytest.fixture
def big(ready):
    settings = ready.course.exam_settings
    from exams.tests.factories import QuestionFactory

    for topic in ("pharmacology", "anatomy"):
        QuestionFactory.create_batch(8, course=ready.course, topic=topic)
    settings.blueprint = {"pharmacology": 10, "anatomy": 10}
    settings.save()
    return ready


def test_parallel_autosaves_lose_no_answer(postgres, transactional_db, big):
    trainee = big.trainee
    attempt = services.attempt_start(trainee=trainee, enrolment=big)
    items = list(attempt.items.order_by("position"))
    errors = run_together(
        [
            (lambda item=item: answers.attempt_answer(
                attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=item.correct_keys))
            for item in items
        ]
    )  # fmt: skip
    assert errors == []
    saved = dict(AttemptItem.objects.filter(attempt=attempt).values_list("position", "response"))
    assert saved == {item.position: item.correct_keys for item in items}


def test_submit_racing_a_late_autosave_grades_once_and_consistently(postgres, transactional_db, big):
    trainee = big.trainee
    attempt = services.attempt_start(trainee=trainee, enrolment=big)
    items = list(attempt.items.order_by("position"))
    for item in items[:10]:
        answers.attempt_answer(attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=item.correct_keys)
    last = items[-1]
    errors = run_together(
        [
            lambda: services.attempt_submit(attempt=attempt, trainee=trainee),
            lambda: answers.attempt_answer(
                attempt_id=attempt.pk, trainee=trainee, position=last.position, keys=last.correct_keys
            ),
            lambda: services.attempt_submit(attempt=attempt, trainee=trainee),
        ]
    )
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert errors in ([], [services.MSG_NOT_OPEN])
    graded = AttemptItem.objects.filter(attempt=attempt)
    right = sum(1 for item in graded if sorted(item.response) == sorted(item.correct_keys))
    assert attempt.score == right  # whatever was saved before the lock is exactly what was graded
    assert all(item.is_correct is not None for item in graded)
    assert AuditEvent.objects.filter(action="attempt.graded", object_id=str(attempt.pk)).count() == 1


def test_start_storm_makes_one_open_attempt(postgres, transactional_db, ready):
    errors = run_together([lambda: services.attempt_start(trainee=ready.trainee, enrolment=ready) for _ in range(12)])
    assert errors == []
    assert Attempt.objects.filter(enrolment=ready).count() == 1
