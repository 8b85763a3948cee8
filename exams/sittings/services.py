"""Writes for sittings: creating and editing them, booking and cancelling, drawing the
booked candidates' papers ahead of the start, accommodations, and what invigilators do
(check-in, extra time, pauses, incidents). Every change is audited.

The clock: an attempt's ``deadline`` is the one server deadline. Pausing sets
``Attempt.paused_at`` (the clock stops: autosave refuses answers, nothing closes it);
resuming moves ``deadline`` on by the time paused and clears ``paused_at``. Extra time
moves ``deadline`` on. Each takes the attempt's row lock, as submitting and autosaving
do, so they queue rather than interleave."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record, each_in_own_transaction, enqueue_on_commit
from courses.models import Enrolment
from exams.models import Accommodation, Attempt, Booking, ExamSettings, Paper, Sitting, SittingEvent
from exams.services.attempts import attempt_blockers, paper_draw

logger = logging.getLogger(__name__)

# Papers are drawn this long before a sitting opens (and at once for a booking made later).
DRAW_LEAD = datetime.timedelta(minutes=30)

MSG_SITTING_CLOSED = _("This sitting has closed; choose another.")
MSG_SITTING_FULL = _("This sitting is full ({n} places); choose another.")
MSG_ALREADY_BOOKED = _("You are already booked on a sitting of this exam; cancel it first to book another.")
MSG_TOO_LATE_TO_CANCEL = _("This sitting has opened: it can no longer be cancelled here. Ask an administrator.")
MSG_BOOKING_STARTED = _("This candidate has started their attempt: the booking can no longer be cancelled.")
MSG_IDENTITY = _("Tick to confirm the photo ID matches the verified licence name before checking in.")
MSG_NO_ATTEMPT = _("This candidate has not started an attempt.")
MSG_ATTEMPT_OVER = _("This attempt has ended (submitted or out of time): it can no longer be changed.")
MSG_ALREADY_PAUSED = _("This attempt is already paused.")
MSG_NOT_PAUSED = _("This attempt is not paused.")
MSG_REASON = _("Give a reason: it is kept in the audit trail and the sitting's log.")
MSG_ROOM_ALREADY_PAUSED = _("The room is already paused.")
MSG_ROOM_NOT_PAUSED = _("The room is not paused.")
MSG_NOT_CHECKED_IN_REMOTE = _("Remote sittings have no check-in.")
MSG_BAD_MINUTES = _("Extra time must be between 1 and 240 minutes.")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [str(MSG_REASON)]})
    return reason


# Sittings -------------------------------------------------------------------------------


@transaction.atomic
def sitting_save(*, sitting: Sitting, invigilators, actor: User) -> Sitting:
    """Create or update a sitting (validated by its form); papers are drawn at once for
    bookings of a sitting that opens soon."""
    created = sitting.pk is None
    if created:
        sitting.created_by = actor
    sitting.save()
    sitting.invigilators.set(invigilators)
    audit_record(
        actor=actor,
        action="sitting.created" if created else "sitting.updated",
        obj=sitting,
        summary=f"Sitting of {sitting.course.code} {timezone.localtime(sitting.opens_at):%Y-%m-%d %H:%M} "
        f"at {sitting.place}, {sitting.capacity} places",
        details={"invigilators": sorted(u.pk for u in invigilators)},
    )
    _draw_if_due(sitting)
    return sitting


def _draw_if_due(sitting: Sitting, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if sitting.opens_at - DRAW_LEAD <= now < sitting.closes_at:
        from exams.tasks import sitting_draw_papers_task

        enqueue_on_commit(sitting_draw_papers_task, sitting.pk, fallback=lambda: sitting_draw_papers(sitting.pk))


# Bookings -------------------------------------------------------------------------------


@transaction.atomic
def booking_create(*, sitting: Sitting, enrolment: Enrolment, actor: User) -> Booking:
    """Book the candidate onto the sitting: it must not have closed, must have a place
    left (the sitting's row is locked while counting), and the candidate must be eligible
    now (the exam's blockers) with no other pending booking."""
    sitting = Sitting.objects.select_for_update(of=("self",)).select_related("course").get(pk=sitting.pk)
    now = timezone.now()
    if enrolment.course_id != sitting.course_id:
        raise ValidationError(str(MSG_SITTING_CLOSED))
    if now >= sitting.closes_at:
        raise ValidationError(str(MSG_SITTING_CLOSED))
    blockers = attempt_blockers(enrolment=enrolment, now=now)
    if blockers:
        raise ValidationError(blockers)
    _cancel_missed(enrolment, actor=actor, now=now)
    if Booking.objects.filter(enrolment=enrolment, status=Booking.Status.BOOKED, attempt__isnull=True).exists():
        raise ValidationError(str(MSG_ALREADY_BOOKED))
    if sitting.bookings.filter(status=Booking.Status.BOOKED).count() >= sitting.capacity:
        raise ValidationError(str(MSG_SITTING_FULL).format(n=sitting.capacity))
    try:
        with transaction.atomic():
            booking = Booking.objects.create(sitting=sitting, enrolment=enrolment, booked_at=now, booked_by=actor)
    except IntegrityError:
        raise ValidationError(str(MSG_ALREADY_BOOKED)) from None
    audit_record(
        actor=actor,
        action="booking.created",
        obj=booking,
        summary=f"{enrolment.trainee.email} booked on sitting {sitting.pk} of {sitting.course.code}"
        + ("" if actor.pk == enrolment.trainee_id else f" by {actor.email}"),
    )
    if sitting.opens_at - DRAW_LEAD <= now:
        from exams.tasks import booking_draw_paper_task

        enqueue_on_commit(booking_draw_paper_task, booking.pk, fallback=lambda: booking_draw_paper(booking.pk))
    return booking


def _cancel_missed(enrolment: Enrolment, *, actor: User, now: datetime.datetime) -> None:
    """Cancel the candidate's pending booking of a sitting that closed unstarted (and whose
    personal window, if any, has closed too), so that they can book another."""
    window = Accommodation.objects.filter(enrolment=enrolment, window_closes_at__gt=now).exists()
    if window:
        return
    missed = Booking.objects.filter(
        enrolment=enrolment, status=Booking.Status.BOOKED, attempt__isnull=True, sitting__closes_at__lte=now
    )
    for booking in missed:
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        Paper.objects.filter(booking=booking).delete()
        audit_record(
            actor=actor,
            action="booking.cancelled",
            obj=booking,
            summary=f"Booking on sitting {booking.sitting_id} closed unstarted (missed); cancelled on a new booking",
        )


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User) -> Booking:
    """Cancel a booking and discard its paper. A trainee may cancel before the sitting
    opens; an administrator (a withdrawal) until the attempt starts."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("sitting", "enrolment__trainee")
        .get(pk=booking.pk)
    )
    if booking.status == Booking.Status.CANCELLED:
        return booking
    if booking.attempt_id is not None:
        raise ValidationError(str(MSG_BOOKING_STARTED))
    if not actor.is_administrator and timezone.now() >= booking.sitting.opens_at:
        raise ValidationError(str(MSG_TOO_LATE_TO_CANCEL))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    discarded = Paper.objects.filter(booking=booking).delete()[0]
    audit_record(
        actor=actor,
        action="booking.cancelled",
        obj=booking,
        summary=f"Booking of {booking.enrolment.trainee.email} on sitting {booking.sitting_id} cancelled"
        + (" (paper discarded)" if discarded else ""),
    )
    return booking


def bookings_cancel_withdrawn(*, enrolment: Enrolment, actor: User) -> int:
    """Cancel a withdrawn candidate's pending bookings (discarding their papers)."""
    cancelled = 0
    for booking in Booking.objects.filter(enrolment=enrolment, status=Booking.Status.BOOKED, attempt__isnull=True):
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        Paper.objects.filter(booking=booking).delete()
        audit_record(
            actor=actor,
            action="booking.cancelled",
            obj=booking,
            summary=f"Booking on sitting {booking.sitting_id} cancelled: the candidate withdrew (paper discarded)",
        )
        cancelled += 1
    return cancelled


# Pre-drawn papers -----------------------------------------------------------------------


def booking_draw_paper(booking_id) -> bool:
    """Draw and store the paper of one pending booking, unless it has one (idempotent).
    True if it drew one."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("sitting")
            .filter(pk=booking_id, status=Booking.Status.BOOKED, attempt__isnull=True)
            .first()
        )
        if booking is None or Paper.objects.filter(booking=booking).exists():
            return False
        settings = ExamSettings.objects.filter(course_id=booking.sitting.course_id).first()
        if settings is None:
            return False
        try:
            items = paper_draw(settings)
        except ValidationError:
            # The bank is short: the start will say so to the candidate; log it for staff.
            logger.warning("Cannot draw a paper for booking %s: the question bank is short", booking_id)
            return False
        Paper.objects.create(booking=booking, drawn_at=timezone.now(), items=items)
    return True


def sitting_draw_papers(sitting_id) -> int:
    """Draw the paper of every pending booking of the sitting that has none (each in its
    own transaction, so one failure does not undo the others). Idempotent."""
    ids = Booking.objects.filter(
        sitting_id=sitting_id, status=Booking.Status.BOOKED, attempt__isnull=True, paper__isnull=True
    ).values_list("pk", flat=True)
    return each_in_own_transaction(list(ids), booking_draw_paper, what=f"papers of sitting {sitting_id}")


def sittings_due_for_papers(now: datetime.datetime | None = None) -> list[int]:
    """Sittings opening within the lead time (or open) with a pending booking but no paper."""
    now = now or timezone.now()
    return list(
        Sitting.objects.filter(
            opens_at__lte=now + DRAW_LEAD,
            closes_at__gt=now,
            bookings__status=Booking.Status.BOOKED,
            bookings__attempt__isnull=True,
            bookings__paper__isnull=True,
        )
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )


# Accommodations -------------------------------------------------------------------------


@transaction.atomic
def accommodation_set(*, accommodation: Accommodation, actor: User) -> Accommodation:
    """Save a candidate's accommodation (validated by its form), with its reason, audited.
    It applies to attempts started afterwards (the deadline is set at the start)."""
    _reason(accommodation.reason)
    created = accommodation.pk is None
    accommodation.set_by = actor
    accommodation.save()
    enrolment = Enrolment.objects.select_related("trainee", "course").get(pk=accommodation.enrolment_id)
    audit_record(
        actor=actor,
        action="accommodation.created" if created else "accommodation.updated",
        obj=accommodation,
        summary=f"Accommodation for {enrolment.trainee.email} in {enrolment.course.code}: {accommodation.summary()}",
        details={
            "time_multiplier": str(accommodation.time_multiplier),
            "extra_attempts": accommodation.extra_attempts,
            "window_opens_at": accommodation.window_opens_at.isoformat() if accommodation.window_opens_at else None,
            "window_closes_at": accommodation.window_closes_at.isoformat() if accommodation.window_closes_at else None,
            "reason": accommodation.reason,
        },
    )
    return accommodation


# Invigilation ---------------------------------------------------------------------------


def _event(sitting_id, kind, actor, *, booking=None, text="", minutes=None, now=None) -> SittingEvent:
    return SittingEvent.objects.create(
        sitting_id=sitting_id,
        booking=booking,
        kind=kind,
        text=text,
        minutes=minutes,
        author=actor,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def booking_check_in(*, booking: Booking, identity_confirmed: bool, actor: User) -> Booking:
    """Check the candidate in at a venue sitting, the invigilator having confirmed their
    photo ID against the verified licence name."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("sitting", "enrolment__trainee")
        .get(pk=booking.pk)
    )
    if booking.sitting.is_remote:
        raise ValidationError(str(MSG_NOT_CHECKED_IN_REMOTE))
    if not identity_confirmed:
        raise ValidationError({"identity_confirmed": [str(MSG_IDENTITY)]})
    if booking.checked_in_at is not None:
        return booking
    booking.checked_in_at = timezone.now()
    booking.checked_in_by = actor
    booking.identity_confirmed = True
    booking.save(update_fields=["checked_in_at", "checked_in_by", "identity_confirmed"])
    name = booking.enrolment.trainee.display_name
    _event(booking.sitting_id, SittingEvent.Kind.CHECK_IN, actor, booking=booking, text="Photo ID checked")
    audit_record(
        actor=actor,
        action="booking.checked_in",
        obj=booking,
        summary=f"{booking.enrolment.trainee.email} checked in (photo ID matches {name})",
    )
    return booking


def _lock_attempt(booking: Booking) -> Attempt:
    if booking.attempt_id is None:
        raise ValidationError(str(MSG_NO_ATTEMPT))
    attempt = Attempt.objects.select_for_update(of=("self",)).get(pk=booking.attempt_id)
    now = timezone.now()
    if attempt.status != Attempt.Status.OPEN or (attempt.paused_at is None and now >= attempt.deadline):
        raise ValidationError(str(MSG_ATTEMPT_OVER))
    return attempt


@transaction.atomic
def attempt_extend(*, booking: Booking, minutes: int, reason: str, actor: User) -> Attempt:
    """Give one candidate extra time: their deadline moves on by ``minutes``. Refused once
    the attempt is submitted or past its deadline (a racing submit wins or waits)."""
    reason = _reason(reason)
    if not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise ValidationError({"minutes": [str(MSG_BAD_MINUTES)]})
    attempt = _lock_attempt(booking)
    attempt.deadline += datetime.timedelta(minutes=minutes)
    attempt.save(update_fields=["deadline"])
    _event(booking.sitting_id, SittingEvent.Kind.EXTEND, actor, booking=booking, text=reason, minutes=minutes)
    audit_record(
        actor=actor,
        action="attempt.extended",
        obj=attempt,
        summary=f"{minutes} minutes' extra time on attempt {attempt.pk}: {reason}",
        details={"minutes": minutes, "reason": reason, "deadline": attempt.deadline.isoformat()},
    )
    return attempt


def _pause(attempt: Attempt, now) -> None:
    attempt.paused_at = now
    attempt.save(update_fields=["paused_at"])


def _resume(attempt: Attempt, now) -> datetime.timedelta:
    paused_for = max(now - attempt.paused_at, datetime.timedelta(0))
    attempt.deadline += paused_for
    attempt.paused_at = None
    attempt.save(update_fields=["deadline", "paused_at"])
    return paused_for


@transaction.atomic
def attempt_pause(*, booking: Booking, reason: str, actor: User) -> Attempt:
    reason = _reason(reason)
    attempt = _lock_attempt(booking)
    if attempt.paused_at is not None:
        raise ValidationError(str(MSG_ALREADY_PAUSED))
    now = timezone.now()
    _pause(attempt, now)
    _event(booking.sitting_id, SittingEvent.Kind.PAUSE, actor, booking=booking, text=reason, now=now)
    audit_record(actor=actor, action="attempt.paused", obj=attempt, summary=f"Attempt {attempt.pk} paused: {reason}")
    return attempt


@transaction.atomic
def attempt_resume(*, booking: Booking, reason: str, actor: User) -> Attempt:
    reason = _reason(reason)
    attempt = _lock_attempt(booking)
    if attempt.paused_at is None:
        raise ValidationError(str(MSG_NOT_PAUSED))
    now = timezone.now()
    paused_for = _resume(attempt, now)
    _event(booking.sitting_id, SittingEvent.Kind.RESUME, actor, booking=booking, text=reason, now=now)
    audit_record(
        actor=actor,
        action="attempt.resumed",
        obj=attempt,
        summary=f"Attempt {attempt.pk} resumed after {int(paused_for.total_seconds())} s: {reason}",
        details={"paused_seconds": int(paused_for.total_seconds()), "deadline": attempt.deadline.isoformat()},
    )
    return attempt


def _room_attempts(sitting: Sitting):
    """The sitting's open attempts, locked (in a stable order: no deadlock with another pause)."""
    return list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(booking__sitting=sitting, status=Attempt.Status.OPEN)
        .order_by("pk")
    )


@transaction.atomic
def room_pause(*, sitting: Sitting, reason: str, actor: User) -> int:
    """Pause every running attempt of the sitting (and refuse new starts) until resumed.
    Attempts already past their deadline are left to close. How many were paused."""
    reason = _reason(reason)
    sitting = Sitting.objects.select_for_update(of=("self",)).get(pk=sitting.pk)
    if sitting.paused_at is not None:
        raise ValidationError(str(MSG_ROOM_ALREADY_PAUSED))
    now = timezone.now()
    sitting.paused_at = now
    sitting.save(update_fields=["paused_at"])
    paused = 0
    for attempt in _room_attempts(sitting):
        if attempt.paused_at is None and now < attempt.deadline:
            _pause(attempt, now)
            paused += 1
    _event(sitting.pk, SittingEvent.Kind.PAUSE_ROOM, actor, text=reason, now=now)
    audit_record(
        actor=actor, action="sitting.paused", obj=sitting, summary=f"Room paused ({paused} attempts): {reason}"
    )
    return paused


@transaction.atomic
def room_resume(*, sitting: Sitting, reason: str, actor: User) -> int:
    """Resume the room: every paused attempt of the sitting resumes, its deadline moved on
    by the time it was paused."""
    reason = _reason(reason)
    sitting = Sitting.objects.select_for_update(of=("self",)).get(pk=sitting.pk)
    if sitting.paused_at is None:
        raise ValidationError(str(MSG_ROOM_NOT_PAUSED))
    now = timezone.now()
    sitting.paused_at = None
    sitting.save(update_fields=["paused_at"])
    resumed = 0
    for attempt in _room_attempts(sitting):
        if attempt.paused_at is not None:
            _resume(attempt, now)
            resumed += 1
    _event(sitting.pk, SittingEvent.Kind.RESUME_ROOM, actor, text=reason, now=now)
    audit_record(
        actor=actor, action="sitting.resumed", obj=sitting, summary=f"Room resumed ({resumed} attempts): {reason}"
    )
    return resumed


@transaction.atomic
def incident_log(*, sitting: Sitting, text: str, actor: User) -> SittingEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [str(_("Describe the incident."))]})
    event = _event(sitting.pk, SittingEvent.Kind.INCIDENT, actor, text=text[:2000])
    audit_record(actor=actor, action="sitting.incident", obj=sitting, summary=f"Incident: {text[:200]}")
    return event
