"""The written exam's attempts: starting (blockers, the draw), submitting, and closing
those past their deadline. Answers are in ``answers``, the marking in ``grading``.

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
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import licence_valid_for
from core.services import audit_record
from courses.models import Enrolment
from courses.selectors import theory_complete
from exams.models import (
    Accommodation,
    Attempt,
    AttemptItem,
    Booking,
    CaseSet,
    ExamSettings,
    ItemStatus,
    Option,
    Paper,
    Question,
)

from .grading import attempt_grade

MSG_NOT_ENROLLED = _("You are not enrolled in this course.")
MSG_THEORY_INCOMPLETE = _("Complete every lesson of the course before the written exam.")
MSG_NO_LICENCE = _("You need a valid verified licence to sit the exam.")
MSG_NO_SETTINGS = _("This course has no written exam set up yet.")
MSG_NO_ATTEMPTS_LEFT = _("You have used all {n} attempts allowed.")
MSG_ALREADY_PASSED = _("You have already passed the written exam.")
MSG_WAIT = _("You can start your next attempt after {when}.")
MSG_BANK_SHORT = _(
    "The question bank has {have} active items on {topic}; the exam needs {need}. Tell an administrator."
)
MSG_BANK_SHORT_CASES = _("The question bank has {have} active case sets; the exam needs {need}. Tell an administrator.")
MSG_NOT_OPEN = _("This attempt has been submitted; answers can no longer change.")
MSG_NO_BOOKING = _("Book a sitting of the exam first: attempts start only in a sitting you are booked on.")
MSG_NOT_YET = _("Your sitting opens at {when}; you can start then.")
MSG_WINDOW_CLOSED = _("Your sitting closed at {when}; book another sitting.")
MSG_NOT_CHECKED_IN = _("Check in with the invigilator before you start: they confirm your photo ID.")
MSG_ROOM_PAUSED = _("The invigilator has paused the room; you can start when it resumes.")

_random = secrets.SystemRandom()


def attempt_blockers(*, enrolment: Enrolment, now: datetime.datetime | None = None) -> list[str]:
    """Why the trainee cannot start a new attempt now (empty when they can)."""
    settings = ExamSettings.objects.filter(course_id=enrolment.course_id).first()
    if settings is None:
        return [str(MSG_NO_SETTINGS)]
    return _blockers(enrolment, settings, now=now)[0]


def accommodation_for(enrolment: Enrolment) -> Accommodation | None:
    return Accommodation.objects.filter(enrolment_id=enrolment.pk).first()


def attempts_allowed(settings: ExamSettings, accommodation: Accommodation | None) -> int:
    return settings.attempts_allowed + (accommodation.extra_attempts if accommodation else 0)


def _blockers(
    enrolment: Enrolment,
    settings: ExamSettings,
    *,
    now: datetime.datetime | None = None,
    accommodation: Accommodation | None | bool = False,
) -> tuple[list[str], int]:
    """``attempt_blockers`` with the exam settings already read; also the number of
    submitted attempts (``attempt_start`` numbers the next one with it). The sitting's
    window is not checked here (``attempt_start`` does). ``accommodation``: the
    candidate's, when the caller has read it (False: read it here)."""
    now = now or timezone.now()
    if accommodation is False:
        accommodation = accommodation_for(enrolment)
    allowed = attempts_allowed(settings, accommodation)
    blockers = []
    if enrolment.status != Enrolment.Status.ACTIVE:
        blockers.append(str(MSG_NOT_ENROLLED))
    if not licence_valid_for(user=enrolment.trainee).exists():
        blockers.append(str(MSG_NO_LICENCE))
    if not theory_complete(enrolment):
        blockers.append(str(MSG_THEORY_INCOMPLETE))
    submitted = list(
        enrolment.attempts.filter(status=Attempt.Status.SUBMITTED)
        .order_by("-submitted_at")
        .values_list("passed", "submitted_at")
    )
    if any(passed for passed, _at in submitted):
        blockers.append(str(MSG_ALREADY_PASSED))
    elif len(submitted) >= allowed:
        blockers.append(str(MSG_NO_ATTEMPTS_LEFT).format(n=allowed))
    elif submitted and settings.wait_hours:
        ready = submitted[0][1] + datetime.timedelta(hours=settings.wait_hours)
        if ready > now:
            blockers.append(str(MSG_WAIT).format(when=timezone.localtime(ready).strftime("%d %b %Y %H:%M")))
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
            raise ValidationError(str(MSG_BANK_SHORT).format(have=len(pool), topic=topic, need=need))
        chosen += _random.sample(pool, int(need))
    _random.shuffle(chosen)
    cases: dict[int, CaseSet] = {}
    if settings.case_sets_per_attempt:
        available = list(CaseSet.objects.filter(course_id=course_id, status=ItemStatus.ACTIVE).order_by("ref"))
        if len(available) < settings.case_sets_per_attempt:
            raise ValidationError(
                str(MSG_BANK_SHORT_CASES).format(have=len(available), need=settings.case_sets_per_attempt)
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


def snapshot_values(questions: list[_Drawn], cases: dict[int, CaseSet]) -> list[dict]:
    """A drawn paper as values (a ``Paper``'s items): each AttemptItem's fields but the attempt."""
    values = []
    for position, question in enumerate(questions, start=1):
        item = _snapshot(None, position, question, cases)
        values.append({name: getattr(item, name) for name in PAPER_FIELDS})
    return values


PAPER_FIELDS = (
    "position", "question_id", "topic", "kind", "stem", "case_title", "case_vignette", "options", "correct_keys",
    "explanation",
)  # fmt: skip


def paper_draw(settings: ExamSettings) -> list[dict]:
    """Draw and snapshot one paper (a candidate's items, as values)."""
    return snapshot_values(*_draw(settings))


def _window(booking: Booking, accommodation: Accommodation | None) -> tuple[datetime.datetime, datetime.datetime]:
    """When this booked candidate may start: their personal window if they have one."""
    if accommodation is not None and accommodation.has_window:
        return accommodation.window_opens_at, accommodation.window_closes_at
    return booking.sitting.opens_at, booking.sitting.closes_at


def time_limit(settings: ExamSettings, accommodation: Accommodation | None) -> datetime.timedelta:
    minutes = settings.time_limit_minutes * (accommodation.time_multiplier if accommodation else 1)
    return datetime.timedelta(seconds=int(minutes * 60))


def _booking_checks(booking: Booking | None, settings: ExamSettings, accommodation, now) -> None:
    """Refuse a start outside a booked sitting's window, before check-in at a venue, or
    while the room is paused (none of it applies to an unscheduled practice attempt)."""
    if booking is None:
        if not settings.allow_unscheduled:
            raise ValidationError(str(MSG_NO_BOOKING))
        return
    opens, closes = _window(booking, accommodation)
    if now < opens:
        raise ValidationError(str(MSG_NOT_YET).format(when=timezone.localtime(opens).strftime("%d %b %Y %H:%M")))
    if now >= closes:
        raise ValidationError(str(MSG_WINDOW_CLOSED).format(when=timezone.localtime(closes).strftime("%d %b %Y %H:%M")))
    if not booking.sitting.is_remote and booking.checked_in_at is None:
        raise ValidationError(str(MSG_NOT_CHECKED_IN))
    if booking.sitting.paused_at is not None:
        raise ValidationError(str(MSG_ROOM_PAUSED))


@transaction.atomic
def attempt_start(*, trainee: User, enrolment: Enrolment) -> Attempt:
    """Start an attempt, or return the trainee's open one. Holds a SELECT FOR UPDATE
    lock on the enrolment, so simultaneous starts make one attempt. Only the enrolment
    row: without ``of`` PostgreSQL also locked the joined course and user rows, so every
    trainee starting the same course's exam queued on the course row.

    With a pending booking, the attempt opens the booking's pre-drawn paper (drawing it
    now only if the background draw has not run); without one, only a course that
    allows unscheduled attempts draws a paper here. The deadline is the time limit times
    the candidate's accommodation multiplier."""
    # Exception to reading through courses.selectors: a row lock, taken by the writer.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("course", "trainee").get(pk=enrolment.pk)
    )
    if enrolment.trainee_id != trainee.pk:
        raise ValidationError(str(MSG_NOT_ENROLLED))
    open_attempt = enrolment.attempts.filter(status=Attempt.Status.OPEN).first()
    if open_attempt is not None:
        if attempt_close_if_expired(attempt=open_attempt):
            open_attempt = None
        else:
            return open_attempt
    settings = ExamSettings.objects.filter(course_id=enrolment.course_id).first()
    if settings is None:
        raise ValidationError([str(MSG_NO_SETTINGS)])
    accommodation = accommodation_for(enrolment)
    # Every attempt but an open one (there is none now) is submitted: the next number.
    blockers, submitted = _blockers(enrolment, settings, accommodation=accommodation)
    if blockers:
        raise ValidationError(blockers)
    booking = (
        Booking.objects.filter(enrolment_id=enrolment.pk, status=Booking.Status.BOOKED, attempt__isnull=True)
        .select_related("sitting", "paper")
        .first()
    )
    now = timezone.now()
    _booking_checks(booking, settings, accommodation, now)
    paper = getattr(booking, "paper", None) if booking is not None else None
    items = paper.items if paper is not None else paper_draw(settings)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                enrolment=enrolment,
                number=submitted + 1,
                started_at=now,
                deadline=now + time_limit(settings, accommodation),
                pass_mark_percent=settings.pass_mark_percent,
                review=settings.review,
                max_score=len(items),
            )
            if booking is not None:
                # Conditional, so two starts cannot both take the booking.
                taken = Booking.objects.filter(pk=booking.pk, attempt__isnull=True).update(attempt=attempt)
                if not taken:
                    raise IntegrityError("booking already started")
    except IntegrityError:
        return enrolment.attempts.get(status=Attempt.Status.OPEN)
    AttemptItem.objects.bulk_create([AttemptItem(attempt=attempt, **values) for values in items])
    if paper is not None:
        Paper.objects.filter(pk=paper.pk).delete()
    audit_record(
        actor=trainee,
        action="attempt.started",
        obj=attempt,
        summary=f"{trainee.email} started attempt {attempt.number} of {enrolment.course.code}"
        + (f" in sitting {booking.sitting_id}" if booking else ""),
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
        raise ValidationError(str(MSG_NOT_OPEN))
    if attempt.status != Attempt.Status.OPEN:
        return attempt
    now = timezone.now()
    return attempt_grade(attempt, now=now, by_deadline=attempt.paused_at is None and now >= attempt.deadline)


def attempt_close_if_expired(*, attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    """Close and grade an open attempt whose deadline has passed. Returns True if it did
    (or another request just had). Opens no transaction for an attempt still running.
    A paused attempt's clock is stopped: it does not expire until resumed."""
    now = now or timezone.now()
    if attempt.status != Attempt.Status.OPEN or attempt.paused_at is not None or now < attempt.deadline:
        return False
    with transaction.atomic():
        locked = _lock(attempt.pk)
        if locked.status == Attempt.Status.OPEN and locked.paused_at is None and now >= locked.deadline:
            attempt_grade(locked, now=now, by_deadline=True)
        elif locked.status == Attempt.Status.OPEN:
            # Paused or extended meanwhile (the caller's copy was stale): still running.
            attempt.refresh_from_db()
            return False
    attempt.refresh_from_db()
    return True


def attempts_close_expired(*, now: datetime.datetime | None = None) -> int:
    """The periodic sweep: close every open attempt past its deadline (not a paused one:
    its clock is stopped)."""
    now = now or timezone.now()
    closed = 0
    expired = Attempt.objects.filter(status=Attempt.Status.OPEN, deadline__lte=now, paused_at__isnull=True)
    for attempt in expired.select_related("enrolment"):
        closed += attempt_close_if_expired(attempt=attempt, now=now)
    return closed
