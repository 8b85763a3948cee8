"""The written exam: starting, answering, flagging, submitting and grading attempts.

Fairness rules kept here, on the server: items are drawn by the blueprint and options
shuffled when an attempt starts, both fixed for that attempt; the deadline is stored on
the attempt; answers after it are refused; an attempt past its deadline is closed and
graded by itself (when next touched, and by a periodic task); one open attempt per
trainee and course (a database constraint); submitting twice grades once.
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import licence_valid_for
from core.services import audit_record
from core.signals import eligibility_changed
from courses.models import Enrolment, Lesson, LessonCompletion

from .models import Attempt, AttemptItem, CaseSet, ExamSettings, ItemStatus, Option, Question
from .selectors import db_converter

MSG_NOT_ENROLLED = "You are not enrolled in this course."
MSG_THEORY_INCOMPLETE = "Complete every lesson of the course before the written exam."
MSG_NO_LICENCE = "You need a valid verified licence to sit the exam."
MSG_NO_SETTINGS = "This course has no written exam set up yet."
MSG_NO_ATTEMPTS_LEFT = "You have used all {n} attempts allowed."
MSG_ALREADY_PASSED = "You have already passed the written exam."
MSG_WAIT = "You can start your next attempt after {when}."
MSG_BANK_SHORT = "The question bank has {have} active items on {topic}; the exam needs {need}. Tell an administrator."
MSG_BANK_SHORT_CASES = "The question bank has {have} active case sets; the exam needs {need}. Tell an administrator."
MSG_TIME_UP = "Time is up: this attempt closed at {deadline} and was graded with the answers saved before then."
MSG_NOT_OPEN = "This attempt has been submitted; answers can no longer change."
MSG_BAD_OPTION = "That answer is not one of this question's options."
MSG_ONE_ANSWER = "Choose one answer for a single-best-answer question."
MSG_NO_ITEM = "There is no question {position} in this attempt."

_random = secrets.SystemRandom()


def _theory_complete(enrolment: Enrolment) -> bool:
    total = Lesson.objects.filter(module__course_id=enrolment.course_id).count()
    done = LessonCompletion.objects.filter(enrolment=enrolment, lesson__module__course_id=enrolment.course_id).count()
    return total > 0 and done >= total


def attempt_blockers(*, enrolment: Enrolment, now: datetime.datetime | None = None) -> list[str]:
    """Why the trainee cannot start a new attempt now (empty when they can)."""
    settings = ExamSettings.objects.filter(course_id=enrolment.course_id).first()
    if settings is None:
        return [_(MSG_NO_SETTINGS)]
    return _blockers(enrolment, settings, now=now)[0]


def _blockers(
    enrolment: Enrolment, settings: ExamSettings, *, now: datetime.datetime | None = None
) -> tuple[list[str], int]:
    """``attempt_blockers`` with the exam settings already read; also the number of
    submitted attempts (``attempt_start`` numbers the next one with it)."""
    now = now or timezone.now()
    blockers = []
    if enrolment.status != Enrolment.Status.ACTIVE:
        blockers.append(_(MSG_NOT_ENROLLED))
    if not licence_valid_for(user=enrolment.trainee).exists():
        blockers.append(_(MSG_NO_LICENCE))
    if not _theory_complete(enrolment):
        blockers.append(_(MSG_THEORY_INCOMPLETE))
    submitted = list(
        enrolment.attempts.filter(status=Attempt.Status.SUBMITTED)
        .order_by("-submitted_at")
        .values_list("passed", "submitted_at")
    )
    if any(passed for passed, _at in submitted):
        blockers.append(_(MSG_ALREADY_PASSED))
    elif len(submitted) >= settings.attempts_allowed:
        blockers.append(_(MSG_NO_ATTEMPTS_LEFT).format(n=settings.attempts_allowed))
    elif submitted and settings.wait_hours:
        ready = submitted[0][1] + datetime.timedelta(hours=settings.wait_hours)
        if ready > now:
            blockers.append(_(MSG_WAIT).format(when=timezone.localtime(ready).strftime("%d %b %Y %H:%M")))
    return blockers, len(submitted)


class _Drawn(NamedTuple):
    """One bank item as an attempt snapshots it: values, not model instances (building
    the whole bank's questions and options as instances was the start's largest cost)."""

    pk: int
    topic: str
    kind: str
    stem: str
    explanation: str
    case_set_id: int | None
    options: list  # [(option id, text, is correct)] in the bank's order


_DRAWN_FIELDS = ("pk", "topic", "kind", "stem", "explanation", "case_set_id")


def _bank_items(questions) -> list[_Drawn]:
    """These questions with their options, in two queries."""
    rows = list(questions.values_list(*_DRAWN_FIELDS))
    options: dict[int, list] = {row[0]: [] for row in rows}
    for question_id, *option in Option.objects.filter(question_id__in=questions.values("pk")).values_list(
        "question_id", "pk", "text", "is_correct"
    ):
        if question_id in options:
            options[question_id].append(tuple(option))
    return [_Drawn(*row, options[row[0]]) for row in rows]


def _draw(settings: ExamSettings) -> tuple[list[_Drawn], dict[int, CaseSet]]:
    """Items for one attempt: the blueprint's count per topic from active standalone
    items, then whole case sets; order shuffled within each part. Also the case sets
    drawn, by id."""
    course_id = settings.course_id
    active = Question.objects.filter(course_id=course_id, status=ItemStatus.ACTIVE)
    chosen: list[_Drawn] = []
    by_topic: dict[str, list[_Drawn]] = defaultdict(list)
    for question in _bank_items(active.filter(case_set__isnull=True).order_by("ref")):
        by_topic[question.topic].append(question)
    for topic, need in settings.blueprint.items():
        pool = by_topic.get(topic, [])
        if len(pool) < int(need):
            raise ValidationError(_(MSG_BANK_SHORT).format(have=len(pool), topic=topic, need=need))
        chosen += _random.sample(pool, int(need))
    _random.shuffle(chosen)
    cases: dict[int, CaseSet] = {}
    if settings.case_sets_per_attempt:
        available = list(CaseSet.objects.filter(course_id=course_id, status=ItemStatus.ACTIVE).order_by("ref"))
        if len(available) < settings.case_sets_per_attempt:
            raise ValidationError(
                _(MSG_BANK_SHORT_CASES).format(have=len(available), need=settings.case_sets_per_attempt)
            )
        picked = _random.sample(available, settings.case_sets_per_attempt)
        cases = {case.pk: case for case in picked}
        grouped: dict[int, list[_Drawn]] = defaultdict(list)
        for question in _bank_items(active.filter(case_set__in=picked).order_by("ref")):
            grouped[question.case_set_id].append(question)
        for case in picked:
            chosen += grouped[case.pk]
    return chosen, cases


def _snapshot(attempt: Attempt, position: int, question: _Drawn, cases: dict[int, CaseSet]) -> AttemptItem:
    options = list(question.options)
    _random.shuffle(options)
    case = cases.get(question.case_set_id)
    return AttemptItem(
        attempt=attempt,
        position=position,
        question_id=question.pk,
        topic=question.topic,
        kind=question.kind,
        stem=question.stem,
        case_title=case.title if case else "",
        case_vignette=case.vignette if case else "",
        options=[{"key": str(pk), "text": text} for pk, text, _correct in options],
        correct_keys=sorted(str(pk) for pk, _text, correct in options if correct),
        explanation=question.explanation,
    )


@transaction.atomic
def attempt_start(*, trainee: User, enrolment: Enrolment) -> Attempt:
    """Start an attempt, or return the trainee's open one. Holds a SELECT FOR UPDATE
    lock on the enrolment, so simultaneous starts make one attempt. Only the enrolment
    row: without ``of`` PostgreSQL also locked the joined course and user rows, so every
    trainee starting the same course's exam queued on the course row."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("course", "trainee").get(pk=enrolment.pk)
    )
    if enrolment.trainee_id != trainee.pk:
        raise ValidationError(_(MSG_NOT_ENROLLED))
    open_attempt = enrolment.attempts.filter(status=Attempt.Status.OPEN).first()
    if open_attempt is not None:
        if attempt_close_if_expired(attempt=open_attempt):
            open_attempt = None
        else:
            return open_attempt
    settings = ExamSettings.objects.filter(course_id=enrolment.course_id).first()
    if settings is None:
        raise ValidationError([_(MSG_NO_SETTINGS)])
    # Every attempt but an open one (there is none now) is submitted: the next number.
    blockers, submitted = _blockers(enrolment, settings)
    if blockers:
        raise ValidationError(blockers)
    questions, cases = _draw(settings)
    now = timezone.now()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                enrolment=enrolment,
                number=submitted + 1,
                started_at=now,
                deadline=now + datetime.timedelta(minutes=settings.time_limit_minutes),
                pass_mark_percent=settings.pass_mark_percent,
                review=settings.review,
                max_score=len(questions),
            )
    except IntegrityError:
        return enrolment.attempts.get(status=Attempt.Status.OPEN)
    AttemptItem.objects.bulk_create([_snapshot(attempt, i + 1, q, cases) for i, q in enumerate(questions)])
    audit_record(
        actor=trainee,
        action="attempt.started",
        obj=attempt,
        summary=f"{trainee.email} started attempt {attempt.number} of {enrolment.course.code}",
    )
    return attempt


def _grade(attempt: Attempt, *, now: datetime.datetime, by_deadline: bool) -> Attempt:
    items = list(attempt.items.all())
    breakdown: dict[str, dict[str, int]] = {}
    score = 0
    for item in items:
        item.is_correct = sorted(item.response) == sorted(item.correct_keys)
        score += item.is_correct
        topic = breakdown.setdefault(item.topic, {"correct": 0, "total": 0})
        topic["total"] += 1
        topic["correct"] += item.is_correct
    AttemptItem.objects.bulk_update(items, ["is_correct"])
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = min(now, attempt.deadline) if by_deadline else now
    attempt.closed_by_deadline = by_deadline
    attempt.score = score
    attempt.max_score = len(items)
    attempt.percent = (
        (Decimal(100) * score / len(items)).quantize(Decimal("0.01"), ROUND_HALF_UP) if items else Decimal(0)
    )
    attempt.passed = attempt.percent >= attempt.pass_mark_percent
    attempt.topic_breakdown = breakdown
    attempt.save(
        update_fields=[
            "status",
            "submitted_at",
            "closed_by_deadline",
            "score",
            "max_score",
            "percent",
            "passed",
            "topic_breakdown",
        ]
    )
    audit_record(
        actor=None if by_deadline else attempt.enrolment.trainee,
        action="attempt.graded",
        obj=attempt,
        summary=f"Attempt {attempt.number}: {score}/{len(items)} ({attempt.percent}%) "
        f"{'pass' if attempt.passed else 'fail'}" + (" — closed at the deadline" if by_deadline else ""),
        details={
            "score": score,
            "max": len(items),
            "percent": str(attempt.percent),
            "passed": attempt.passed,
        },
    )
    if attempt.passed:
        eligibility_changed.send(
            sender=Attempt, trainee=attempt.enrolment.trainee, enrolment=attempt.enrolment, actor=None
        )
    return attempt


def _lock(attempt_id) -> Attempt:
    """Lock the attempt row only (not the joined enrolment or user rows)."""
    return Attempt.objects.select_for_update(of=("self",)).select_related("enrolment__trainee").get(pk=attempt_id)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, trainee: User) -> Attempt:
    """Grade the attempt. Idempotent: a second submit returns the graded attempt.
    Locks the attempt row, so a racing autosave waits and then finds it closed."""
    attempt = _lock(attempt.pk)
    if attempt.enrolment.trainee_id != trainee.pk:
        raise ValidationError(_(MSG_NOT_OPEN))
    if attempt.status != Attempt.Status.OPEN:
        return attempt
    now = timezone.now()
    return _grade(attempt, now=now, by_deadline=now >= attempt.deadline)


def attempt_close_if_expired(*, attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    """Close and grade an open attempt whose deadline has passed. Returns True if it did
    (or another request just had). Opens no transaction for an attempt still running."""
    now = now or timezone.now()
    if attempt.status != Attempt.Status.OPEN or now < attempt.deadline:
        return False
    with transaction.atomic():
        locked = _lock(attempt.pk)
        if locked.status == Attempt.Status.OPEN:
            _grade(locked, now=now, by_deadline=True)
    attempt.refresh_from_db()
    return True


def attempts_close_expired(*, now: datetime.datetime | None = None) -> int:
    """The periodic sweep: close every open attempt past its deadline."""
    now = now or timezone.now()
    closed = 0
    for attempt in Attempt.objects.filter(status=Attempt.Status.OPEN, deadline__lte=now).select_related("enrolment"):
        closed += attempt_close_if_expired(attempt=attempt, now=now)
    return closed


def attempt_answer(
    *,
    attempt: Attempt,
    trainee: User,
    position: int,
    keys: list[str] | None = None,
    flagged: bool | None = None,
) -> AttemptItem:
    """Save one answer (and/or the review flag). Refused once the deadline has passed or
    the attempt is submitted; an attempt found past its deadline is closed and graded
    (that grading is committed before the refusal is raised). Locks the attempt row, so
    concurrent saves for one attempt queue and none is lost.

    Only ``attempt.pk`` is read: ``attempt`` may be the attempt's id (what autosave has).
    An attempt that does not exist or is not the trainee's is refused with code
    ``not_found``. The returned item's ``attempt`` holds the status and deadline.

    Autosave runs this every few seconds per trainee; the usual case (``_answer_open``)
    is two statements. Anything else (not theirs, closed, past the deadline, no such
    question) reads the whole attempt, locked, to say which.
    """
    attempt_id = getattr(attempt, "pk", attempt)
    with transaction.atomic():
        now = timezone.now()
        item = _answer_open(attempt_id, trainee_id=trainee.pk, position=position, keys=keys, flagged=flagged, now=now)
        if item is not None:
            return item
        locked = (
            Attempt.objects.select_related("enrolment__trainee")
            .select_for_update(of=("self",))
            .filter(pk=attempt_id)
            .first()
        )
        if locked is None or locked.enrolment.trainee_id != trainee.pk:
            raise ValidationError(_(MSG_NOT_OPEN), code="not_found")
        if locked.status != Attempt.Status.OPEN:
            raise ValidationError(_(MSG_NOT_OPEN), code="closed")
        if now < locked.deadline:
            raise ValidationError(_(MSG_NO_ITEM).format(position=position))
        _grade(locked, now=now, by_deadline=True)
    raise ValidationError(
        _(MSG_TIME_UP).format(deadline=timezone.localtime(locked.deadline).strftime("%H:%M:%S")),
        code="time_up",
    )


# The usual autosave in two plain statements (inside attempt_answer's transaction): the
# item of the trainee's open attempt before its deadline, locking only the attempt row
# (FOR UPDATE OF, so a racing submit or another save for the attempt waits), then the
# UPDATE. Profiled under the exam-day benchmark, the same two statements built by the
# ORM (select_related/only/select_for_update, then Model.save) were a third of an
# autosave's Python function calls. Values go in and come out through the fields' own
# conversions, as the ORM's would.
_MAX_POSITION = 32767  # AttemptItem.position is a PositiveSmallIntegerField
_ANSWER_OPEN_SELECT = (
    "SELECT i.id, i.kind, i.options, i.response, i.flagged, i.answered_at, a.deadline"
    " FROM exams_attemptitem i"
    " JOIN exams_attempt a ON a.id = i.attempt_id"
    " JOIN courses_enrolment e ON e.id = a.enrolment_id"
    " WHERE i.attempt_id = %s AND i.position = %s AND e.trainee_id = %s AND a.status = %s AND a.deadline > %s"
)
_ANSWER_OPEN_UPDATE = "UPDATE exams_attemptitem SET response = %s, answered_at = %s, flagged = %s WHERE id = %s"


def _answer_open(attempt_id, *, trainee_id, position: int, keys, flagged, now) -> AttemptItem | None:
    """Save the answer if the attempt is the trainee's, open, before its deadline, and has
    this question; None (nothing done) otherwise."""
    if not 0 <= position <= _MAX_POSITION:
        return None
    item_field, attempt_field = AttemptItem._meta.get_field, Attempt._meta.get_field
    locking = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            _ANSWER_OPEN_SELECT + locking,
            [
                attempt_field("id").get_db_prep_value(attempt_id, connection),
                position,
                trainee_id,
                Attempt.Status.OPEN,
                attempt_field("deadline").get_db_prep_value(now, connection),
            ],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        item = AttemptItem(
            id=row[0],
            attempt_id=attempt_id,
            position=position,
            kind=row[1],
            **{
                name: db_converter(AttemptItem, name)(value)
                for name, value in zip(_ANSWER_OPEN_FIELDS, row[2:6], strict=True)
            },
        )
        item.attempt = Attempt(
            id=attempt_id, status=Attempt.Status.OPEN, deadline=db_converter(Attempt, "deadline")(row[6])
        )
        if _answer_apply(item, keys=keys, flagged=flagged, now=now):
            values = [item_field(name).get_db_prep_save(getattr(item, name), connection) for name in _ANSWER_SAVED]
            cursor.execute(_ANSWER_OPEN_UPDATE, [*values, item.pk])
    return item


_ANSWER_OPEN_FIELDS = ("options", "response", "flagged", "answered_at")
_ANSWER_SAVED = ("response", "answered_at", "flagged")  # the UPDATE's columns, in its order


def _answer_apply(item: AttemptItem, *, keys, flagged, now) -> list[str]:
    """Check the answer against the item's options and kind and set it on the item;
    the names of the fields changed."""
    fields = []
    if keys is not None:
        valid = {option["key"] for option in item.options}
        keys = sorted(set(keys))
        if not set(keys) <= valid:
            raise ValidationError(_(MSG_BAD_OPTION))
        if item.kind == Question.Kind.SINGLE and len(keys) > 1:
            raise ValidationError(_(MSG_ONE_ANSWER))
        item.response = keys
        item.answered_at = now
        fields += ["response", "answered_at"]
    if flagged is not None:
        item.flagged = flagged
        fields.append("flagged")
    return fields
