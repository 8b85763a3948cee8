import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from exams.models import Attempt, AttemptItem, Option
from exams.services import answers
from exams.services import attempts as services
from exams.tests.factories import QuestionFactory, exam_for

pytestmark = pytest.mark.django_db


def expire(attempt, *, seconds_ago):
    """Move the attempt back in time so that its deadline passed ``seconds_ago``."""
    deadline = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=deadline - datetime.timedelta(minutes=30), deadline=deadline
    )


def correct_keys(item):
    return list(item.correct_keys)


def test_start_draws_by_blueprint_and_snapshots_items(ready):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    items = list(attempt.items.all())
    assert len(items) == 4
    assert sorted(i.topic for i in items) == ["anatomy", "anatomy", "pharmacology", "pharmacology"]
    assert attempt.deadline - attempt.started_at == datetime.timedelta(minutes=30)
    # Editing the bank afterwards changes nothing in the attempt.
    question = items[0].question
    question.stem = "Rewritten"
    question.save()
    Option.objects.filter(question=question).update(text="changed")
    items[0].refresh_from_db()
    assert items[0].stem != "Rewritten"
    assert all(o["text"] != "changed" for o in items[0].options)


def test_starting_again_returns_the_open_attempt(ready):
    first = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    assert services.attempt_start(trainee=ready.trainee, enrolment=ready) == first
    assert Attempt.objects.count() == 1


def test_database_allows_one_open_attempt(ready):
    first = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            enrolment=ready, number=2, started_at=first.started_at, deadline=first.deadline,
            pass_mark_percent=50, review="full",
        )  # fmt: skip


def test_blockers_theory_licence_and_attempts(ready):
    ready.completions.all().delete()
    assert services.attempt_blockers(enrolment=ready) == [services.MSG_THEORY_INCOMPLETE]
    ready.trainee.licences.update(status="expired")
    assert services.MSG_NO_LICENCE in services.attempt_blockers(enrolment=ready)


def test_grading_is_immediate_with_topic_breakdown_and_all_or_nothing(ready):
    QuestionFactory.reset_sequence(1000)
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    items = list(attempt.items.order_by("position"))
    for item in items[:3]:
        answers.attempt_answer(
            attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=correct_keys(item)
        )
    attempt = services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    assert (attempt.score, attempt.max_score, str(attempt.percent), attempt.passed) == (3, 4, "75.00", True)
    assert sum(t["total"] for t in attempt.topic_breakdown.values()) == 4
    assert sum(t["correct"] for t in attempt.topic_breakdown.values()) == 3


def test_multiple_response_scores_all_or_nothing(ready):
    course = ready.course
    course.exam_settings.delete()
    QuestionFactory(course=course, kind="multiple", topic="ethics")
    exam_for(course, per_topic=0, topics=("ethics",))
    course.exam_settings.blueprint = {"ethics": 1}  # the only ethics item is the multiple-response one
    course.exam_settings.save()
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.get()
    assert len(item.correct_keys) == 2
    answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=1, keys=item.correct_keys[:1])
    attempt = services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    assert attempt.score == 0


def test_submitting_twice_grades_once(ready):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    first = services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    second = services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    assert first.submitted_at == second.submitted_at
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="attempt.graded").count() == 1


def test_answers_after_the_deadline_are_refused_and_the_attempt_closes(ready):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.first()
    expire(attempt, seconds_ago=1)
    attempt.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        answers.attempt_answer(
            attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=correct_keys(item)
        )
    assert error.value.messages[0].startswith("Time is up: this attempt closed at")
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert attempt.closed_by_deadline
    assert attempt.score == 0
    assert AttemptItem.objects.get(pk=item.pk).response == []


def test_periodic_sweep_closes_expired_attempts(ready):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.first()
    answers.attempt_answer(
        attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=correct_keys(item)
    )
    expire(attempt, seconds_ago=60)
    assert services.attempts_close_expired() == 1
    assert services.attempts_close_expired() == 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.closed_by_deadline) == ("submitted", 1, True)


def test_bad_answers_are_refused(ready):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.first()
    with pytest.raises(ValidationError) as error:
        answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=["999999"])
    assert error.value.messages == [answers.MSG_BAD_OPTION]
    keys = [o["key"] for o in item.options][:2]
    with pytest.raises(ValidationError) as error:
        answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=keys)
    assert error.value.messages == [answers.MSG_ONE_ANSWER]
    with pytest.raises(ValidationError):
        answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=99, keys=[])


def test_attempts_allowed_and_wait_between_attempts(ready):
    settings = ready.course.exam_settings
    settings.wait_hours = 24
    settings.save()
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    blockers = services.attempt_blockers(enrolment=ready)
    assert len(blockers) == 1
    assert blockers[0].startswith("You can start your next attempt after")
    later = timezone.now() + datetime.timedelta(hours=25)
    assert services.attempt_blockers(enrolment=ready, now=later) == []
    Attempt.objects.filter(pk=attempt.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))
    second = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    services.attempt_submit(attempt=second, trainee=ready.trainee)
    assert services.attempt_blockers(enrolment=ready, now=later + datetime.timedelta(days=3)) == [
        "You have used all 2 attempts allowed."
    ]


def test_short_bank_is_reported(ready):
    settings = ready.course.exam_settings
    settings.blueprint = {"pharmacology": 5}
    settings.save()
    with pytest.raises(ValidationError) as error:
        services.attempt_start(trainee=ready.trainee, enrolment=ready)
    assert error.value.messages == [
        "The question bank has 2 active items on pharmacology; the exam needs 5. Tell an administrator."
    ]
    assert not Attempt.objects.exists()


def test_a_retired_item_stays_gradable_in_old_attempts(ready):
    from exams.models import Question

    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.order_by("position").first()
    answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=item.correct_keys)
    Question.objects.filter(pk=item.question_id).update(status="retired")
    Option.objects.filter(question_id=item.question_id).delete()  # even its options are gone from the bank
    attempt = services.attempt_submit(attempt=attempt, trainee=ready.trainee)
    assert attempt.score == 1
    assert AttemptItem.objects.get(pk=item.pk).is_correct is True


def test_saving_the_flag_keeps_the_answer_and_saving_an_answer_keeps_the_flag(ready, other_trainee):
    attempt = services.attempt_start(trainee=ready.trainee, enrolment=ready)
    item = attempt.items.order_by("position").first()
    first, second = item.options[0]["key"], item.options[1]["key"]
    saved = answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=[first])
    assert (saved.response, saved.flagged, saved.attempt.deadline) == ([first], False, attempt.deadline)
    answered_at = AttemptItem.objects.get(pk=item.pk).answered_at
    assert answered_at is not None

    answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, flagged=True)
    item.refresh_from_db()
    assert (item.response, item.flagged, item.answered_at) == ([first], True, answered_at)

    answers.attempt_answer(attempt_id=attempt.pk, trainee=ready.trainee, position=item.position, keys=[second, second])
    item.refresh_from_db()
    assert (item.response, item.flagged) == ([second], True)
    assert item.answered_at >= answered_at

    # Another trainee's save is refused as not found and changes nothing.
    with pytest.raises(ValidationError) as error:
        answers.attempt_answer(attempt_id=attempt.pk, trainee=other_trainee, position=item.position, keys=[first])
    assert error.value.code == "not_found"
    item.refresh_from_db()
    assert item.response == [second]
