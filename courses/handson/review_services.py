"""Writes of the review visit: record (and edit while unsigned) a case's review at about
two weeks, sign it (which locks it, audited), and the daily reminder that a review is due.

Top-up units are checked against the case's product: the areas they touch against the
label with the case's units added, and the model's cumulative units of that product
(sessions and signed top-ups, ``selectors.recent_units_for_model``) against its cap.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.emails import email_queue
from core.services import audit_record, each_in_own_transaction
from courses.models import (
    AdverseEvent,
    AdverseEventKind,
    InjectionSession,
    Review,
    ReviewOutcome,
    ReviewReminder,
    ReviewSite,
    ReviewSymmetry,
    Severity,
)
from courses.selectors import course_is_taught_by

from . import face_sites, review_selectors
from .selectors import recent_units_for_model
from .services import MSG_ACKNOWLEDGE, MSG_NOT_INSTRUCTOR, MSG_UNITS_RANGE, MSG_UNKNOWN_SITE

MSG_CASE_NOT_SIGNED = _("Only a signed, current case can be reviewed.")
MSG_ALREADY_REVIEWED = _("This case already has a review visit.")
MSG_REVIEW_LOCKED = _("This review is signed and locked.")
MSG_REVIEW_BEFORE_CASE = _("The review must be after the treatment date.")
MSG_REVIEW_FUTURE = _("The review date cannot be in the future.")
MSG_TIMING_NOTE = _("This review is %(days)s days after the treatment: say why it is not at 10–21 days.")
MSG_LOT_NEEDED = _("Enter the lot of the product used for the top-up.")
MSG_OUTCOME = _("Choose the outcome.")
MSG_SYMMETRY = _("Choose how symmetrical the result is.")
MSG_SEVERITY = _("Choose the severity.")
MSG_ONSET_RANGE = _("The onset must be between the treatment and the review.")
MSG_ONSET_NEEDED = _("Give the date the event began.")
MSG_OTHER_TEXT = _("Describe the other event.")

REVIEW_FIELDS = ("reviewed_on", "timing_note", "outcome", "symmetry", "lot_number", "management")


def review_dose_warnings(
    *, session: InjectionSession, reviewed_on: datetime.date, topup: dict[str, Decimal]
) -> list[face_sites.DoseWarning]:
    """The warnings a top-up records, as codes: each area it touches against the case
    product's label with the case's units added; the case and top-up together above the
    product's cap; the model's units of the product in the 90 days up to the review (the
    case, other sessions and signed top-ups) above the cap. Nothing without a top-up."""
    if not topup:
        return []
    label = session.product.label()
    combined: dict[str, Decimal] = defaultdict(Decimal)
    for site in session.sites.all():
        combined[site.site_code] += site.units
    for code, units in topup.items():
        combined[code] += units
    touched = {face_sites.SITE_BY_CODE[code]["area"] for code in topup}
    warnings = [
        w
        for w in face_sites.dose_warning_codes(dict(combined), label)
        if "area" not in w["params"] or w["params"]["area"] in touched
    ]
    earlier = recent_units_for_model(model_code=session.model_code, performed_on=reviewed_on, product=session.product)
    over = face_sites.model_warning_code(
        model_code=session.model_code, units_in_90_days=earlier + sum(topup.values(), Decimal(0)), product=label
    )
    if over:
        warnings.append(over)
    return warnings


def _check(
    *, session: InjectionSession, instructor: User, data: dict, topup: dict, events: list[dict], acknowledged: bool
) -> list[face_sites.DoseWarning]:
    """Validate a review as a whole; returns the top-up's dose warnings. Raises ValidationError by field."""
    if not course_is_taught_by(session.enrolment.course, instructor):
        raise ValidationError(MSG_NOT_INSTRUCTOR)
    if session.status != InjectionSession.Status.SIGNED:
        raise ValidationError(MSG_CASE_NOT_SIGNED)
    errors: dict[str, list] = defaultdict(list)
    reviewed_on = data["reviewed_on"]
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"].append(MSG_REVIEW_FUTURE)
    days = (reviewed_on - session.performed_on).days
    if days <= 0:
        errors["reviewed_on"].append(MSG_REVIEW_BEFORE_CASE)
    elif (
        not (review_selectors.WINDOW_DAYS[0] <= days <= review_selectors.WINDOW_DAYS[1])
        and not data["timing_note"].strip()
    ):
        errors["timing_note"].append(MSG_TIMING_NOTE % {"days": days})
    if data["outcome"] not in ReviewOutcome.values:
        errors["outcome"].append(MSG_OUTCOME)
    if data["symmetry"] not in ReviewSymmetry.values:
        errors["symmetry"].append(MSG_SYMMETRY)
    for code, units in topup.items():
        if code not in face_sites.SITE_BY_CODE:
            errors["__all__"].append(str(MSG_UNKNOWN_SITE).format(code=code))
        elif not (Decimal(0) < units <= face_sites.MAX_UNITS_PER_SITE):
            errors[f"units_{code}"].append(MSG_UNITS_RANGE)
    if topup and not data["lot_number"].strip():
        errors["lot_number"].append(MSG_LOT_NEEDED)
    for event in events:
        kind = event["kind"]
        if event["severity"] not in Severity.values:
            errors[f"event_{kind}_severity"].append(MSG_SEVERITY)
        onset = event.get("onset_on")
        if onset is None:
            errors[f"event_{kind}_onset"].append(MSG_ONSET_NEEDED)
        elif not (session.performed_on <= onset <= reviewed_on):
            errors[f"event_{kind}_onset"].append(MSG_ONSET_RANGE)
        if kind == AdverseEventKind.OTHER and not event.get("description", "").strip():
            errors["event_other_description"].append(MSG_OTHER_TEXT)
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    warnings = review_dose_warnings(session=session, reviewed_on=reviewed_on, topup=topup)
    if any(not face_sites.is_informational(w) for w in warnings) and not acknowledged:
        raise ValidationError({"acknowledge_warnings": [MSG_ACKNOWLEDGE]})
    return warnings


@transaction.atomic
def review_save(
    *, session_id, instructor: User, data: dict, topup: dict[str, Decimal], events: list[dict],
    acknowledged: bool = False, review_id=None,
) -> Review:  # fmt: skip
    """Record a case's review (or update it while unsigned). Nothing is written when a
    rule fails. Holds a SELECT FOR UPDATE lock on the case's row, so two instructors
    recording its review at once get one review and a clear message."""
    session = (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "product")
        .get(pk=session_id)
    )
    if review_id is None:
        if review_selectors.review_of_case(session) is not None:
            raise ValidationError(MSG_ALREADY_REVIEWED)
        review = Review(session=session, instructor=instructor)
    else:
        review = Review.objects.select_for_update().get(pk=review_id, session=session)
        if review.is_locked:
            raise ValidationError(MSG_REVIEW_LOCKED)
    warnings = _check(
        session=session, instructor=instructor, data=data, topup=topup, events=events, acknowledged=acknowledged
    )
    for name in REVIEW_FIELDS:
        setattr(review, name, data[name].strip() if isinstance(data[name], str) else data[name])
    review.instructor = instructor
    review.dose_warnings = warnings
    review.full_clean(exclude=["session", "instructor"])
    review.save()
    review.sites.all().delete()
    ReviewSite.objects.bulk_create([ReviewSite(review=review, site_code=c, units=u) for c, u in topup.items()])
    review.events.all().delete()
    AdverseEvent.objects.bulk_create(
        [
            AdverseEvent(
                review=review,
                kind=e["kind"],
                severity=e["severity"],
                onset_on=e["onset_on"],
                description=e.get("description", "").strip() if e["kind"] == AdverseEventKind.OTHER else "",
            )
            for e in events
        ]
    )
    return review


@transaction.atomic
def review_sign(*, review_id, instructor: User) -> Review:
    """Sign a recorded review, which locks it; audited with its events and warnings.
    Holds a SELECT FOR UPDATE lock on the review's row only."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("session__enrolment__course", "session__enrolment__trainee")
        .get(pk=review_id)
    )
    if not course_is_taught_by(review.session.enrolment.course, instructor):
        raise ValidationError(MSG_NOT_INSTRUCTOR)
    if review.is_locked:
        raise ValidationError(MSG_REVIEW_LOCKED)
    review.status = Review.Status.SIGNED
    review.signed_at = timezone.now()
    review.instructor = instructor
    review.save(update_fields=["status", "signed_at", "instructor"])
    session = review.session
    audit_record(
        actor=instructor,
        action="review.signed",
        obj=review,
        summary=f"Signed the review of case {session.model_code} ({session.performed_on}) on {review.reviewed_on} "
        f"for {session.enrolment.trainee.email}",
        details={
            "session": str(session.pk),
            "outcome": review.outcome,
            "events": [[e.kind, e.severity] for e in review.events.all()],
            "topup_units": str(sum((s.units for s in review.sites.all()), Decimal(0))),
            "dose_warnings": review.dose_warnings,
        },
    )
    return review


# Reminders ---------------------------------------------------------------------------


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the trainee and the instructor who signed each case due its review (12–21
    days old, none recorded), once per case; returns how many cases were reminded. One
    transaction per case (core.services.each_in_own_transaction). Safe to run twice: a
    reminded case is no longer selected."""
    today = today or timezone.localdate()
    due = list(review_selectors.due_for_reminder(today).values_list("pk", flat=True))
    return each_in_own_transaction(due, lambda pk: _review_remind(pk, today=today), what="Reminding the review of")


def _review_remind(session_id, *, today: datetime.date) -> bool:
    """One case of review_reminders_send: its row locked (skipped if another run holds
    it), checked again, the reminder row written (one per case, a unique key) and the two
    emails queued on commit."""
    session = (
        review_selectors.due_for_reminder(today)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("enrolment__course", "enrolment__trainee", "instructor")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return False
    ReviewReminder.objects.create(session=session)
    context = {
        "session": session,
        "course": session.enrolment.course,
        "days": (today - session.performed_on).days,
        "path": reverse("courses:session_detail", args=[session.pk]),
    }
    for user, role in ((session.enrolment.trainee, "trainee"), (session.instructor, "instructor")):
        email_queue(
            to=user.email,
            template="courses/handson/reviews/email/review_due",
            context={**context, "user": user, "role": role},
        )
    return True
