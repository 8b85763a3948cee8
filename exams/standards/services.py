"""Writes of written standard setting: opening and closing an Angoff exercise, a judge's
ratings and Hofstee bounds, adopting a written pass mark (versioned and audited, like the
practical's rubric pass marks in exams/practical/standard_setting.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record
from courses.models import Course
from exams.models import (
    AngoffExercise,
    AngoffRating,
    ExamSettings,
    HofsteeBounds,
    ItemStatus,
    PassMarkVersion,
    Question,
)

MSG_NO_EXAM = _("This course has no written exam settings yet.")
MSG_NO_ITEMS = _("The question bank has no active items to rate.")
MSG_JUDGES = _("Choose at least two judges.")
MSG_NOT_JUDGE_ROLE = _("{name} is neither an examiner nor an administrator.")
MSG_NOT_A_JUDGE = _("You are not a judge of this exercise.")
MSG_CLOSED = _("This exercise is closed: ratings can no longer change.")
MSG_NOT_ITEM = _("That item is not part of this exercise.")
MSG_PERCENT = _("Enter a percentage between 0 and 100.")
MSG_CUT_ORDER = _("The lowest acceptable pass mark must be below the highest.")
MSG_FAIL_ORDER = _("The lowest acceptable fail rate must be below the highest.")
MSG_ALREADY_CLOSED = _("This exercise is already closed.")
MSG_PASS_MARK = _("Enter a whole percentage between 1 and 100.")
MSG_REASON = _("Say why the pass mark changes: it is kept in the history.")
MSG_CHANGED = _(
    "The pass mark changed while you were deciding: it is {percent}% now (version {number}). "
    "Nothing was adopted; check the figures and adopt again if you still want to."
)
MSG_OPEN_EXERCISE = _("Close the exercise before adopting its cut score: judges may still be rating.")


@transaction.atomic
def angoff_exercise_open(*, course: Course, title: str, judges: list[User], actor: User) -> AngoffExercise:
    """An exercise over the course's active items as they are now (items added later are
    not part of it). Judges are examiners or administrators, at least two."""
    if not ExamSettings.objects.filter(course=course).exists():
        raise ValidationError(str(MSG_NO_EXAM))
    errors: dict[str, list[str]] = {}
    if len(set(judges)) < 2:
        errors["judges"] = [str(MSG_JUDGES)]
    else:
        wrong = [str(MSG_NOT_JUDGE_ROLE).format(name=j.display_name) for j in judges if not (
            j.is_examiner or j.is_administrator)]  # fmt: skip
        if wrong:
            errors["judges"] = wrong
    question_ids = list(Question.objects.filter(course=course, status=ItemStatus.ACTIVE).values_list("pk", flat=True))
    if not question_ids:
        errors["__all__"] = [str(MSG_NO_ITEMS)]
    if errors:
        raise ValidationError(errors)
    exercise = AngoffExercise.objects.create(course=course, title=title.strip(), created_by=actor)
    exercise.questions.set(question_ids)
    exercise.judges.set(judges)
    audit_record(
        actor=actor,
        action="exams.angoff_opened",
        obj=exercise,
        summary=f"Angoff exercise '{exercise.title}' for {course.code}: {len(question_ids)} items, "
        f"{len(set(judges))} judges",
        details={"judges": sorted(j.email for j in judges), "items": len(question_ids)},
    )
    return exercise


def _percent(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(str(MSG_PERCENT), code="percent") from None
    if not number.is_finite() or not (0 <= number <= 100):
        raise ValidationError(str(MSG_PERCENT), code="percent")
    return number.quantize(Decimal("0.01"))


def _locked_open_exercise(exercise: AngoffExercise, judge: User) -> AngoffExercise:
    exercise = AngoffExercise.objects.select_for_update().get(pk=exercise.pk)
    if not exercise.judges.filter(pk=judge.pk).exists():
        raise ValidationError(str(MSG_NOT_A_JUDGE), code="not_judge")
    if exercise.status != AngoffExercise.Status.OPEN:
        raise ValidationError(str(MSG_CLOSED), code="closed")
    return exercise


@transaction.atomic
def angoff_ratings_save(*, exercise: AngoffExercise, judge: User, ratings: dict[int, object]) -> int:
    """Save a judge's ratings ({question id: percent}; a blank value is skipped). All or
    nothing: any bad value raises ValidationError keyed by question id and nothing is
    saved. Holds a SELECT FOR UPDATE lock on the exercise row, so a rating cannot land
    after the exercise closes. Returns how many ratings changed."""
    exercise = _locked_open_exercise(exercise, judge)
    item_ids = set(exercise.questions.values_list("pk", flat=True))
    clean: dict[int, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for question_id, value in ratings.items():
        if question_id not in item_ids:
            errors.setdefault("__all__", []).append(str(MSG_NOT_ITEM))
        elif value is None or str(value).strip() == "":
            continue
        else:
            try:
                clean[question_id] = _percent(value)
            except ValidationError as error:
                errors[str(question_id)] = error.messages
    if errors:
        raise ValidationError(errors)
    existing = {
        r.question_id: r for r in AngoffRating.objects.filter(exercise=exercise, judge=judge, question_id__in=clean)
    }
    changed = [r for q, r in existing.items() if r.percent != clean[q]]
    now = timezone.now()
    for rating in changed:
        rating.percent = clean[rating.question_id]
        rating.updated_at = now
    if changed:
        AngoffRating.objects.bulk_update(changed, ["percent", "updated_at"])
    new = [AngoffRating(exercise=exercise, judge=judge, question_id=q, percent=p) for q, p in clean.items()
           if q not in existing]  # fmt: skip
    AngoffRating.objects.bulk_create(new)
    return len(changed) + len(new)


@transaction.atomic
def hofstee_save(*, exercise: AngoffExercise, judge: User, min_cut, max_cut, min_fail, max_fail) -> HofsteeBounds:
    """Save a judge's Hofstee bounds (percentages). Locks the exercise row."""
    exercise = _locked_open_exercise(exercise, judge)
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value in (("min_cut", min_cut), ("max_cut", max_cut), ("min_fail", min_fail), ("max_fail", max_fail)):
        try:
            values[name] = _percent(value)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors and values["min_cut"] >= values["max_cut"]:
        errors["max_cut"] = [str(MSG_CUT_ORDER)]
    if not errors and values["min_fail"] >= values["max_fail"]:
        errors["max_fail"] = [str(MSG_FAIL_ORDER)]
    if errors:
        raise ValidationError(errors)
    bounds, _created = HofsteeBounds.objects.update_or_create(exercise=exercise, judge=judge, defaults=values)
    return bounds


@transaction.atomic
def angoff_exercise_close(*, exercise: AngoffExercise, actor: User) -> AngoffExercise:
    """No more ratings; the result becomes visible to the judges. Locks the exercise row."""
    exercise = AngoffExercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status != AngoffExercise.Status.OPEN:
        raise ValidationError(str(MSG_ALREADY_CLOSED), code="closed")
    exercise.status = AngoffExercise.Status.CLOSED
    exercise.closed_at = timezone.now()
    exercise.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action="exams.angoff_closed",
        obj=exercise,
        summary=f"Angoff exercise '{exercise.title}' closed ({exercise.ratings.count()} ratings)",
    )
    return exercise


@transaction.atomic
def written_pass_mark_adopt(
    *, course: Course, percent: int, reason: str, actor: User, based_on: int | None = None,
    exercise: AngoffExercise | None = None, cut_score: Decimal | None = None,
) -> PassMarkVersion:  # fmt: skip
    """Set the written pass mark for attempts started from now on (an attempt keeps the
    pass mark it started under: Attempt.pass_mark_percent) and record the version.

    Holds a SELECT FOR UPDATE lock on the course's ExamSettings row, so two adoptions
    number their versions one after the other. ``based_on`` is the version number the
    administrator was looking at (0 before any): if another was adopted since, nothing is
    adopted and a ValidationError with code ``unchanged`` says so."""
    settings = ExamSettings.objects.select_for_update().filter(course=course).first()
    if settings is None:
        raise ValidationError(str(MSG_NO_EXAM))
    errors: dict[str, list[str]] = {}
    if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
        errors["pass_mark_percent"] = [str(MSG_PASS_MARK)]
    if not reason or not reason.strip():
        errors["reason"] = [str(MSG_REASON)]
    if exercise is not None and exercise.status == AngoffExercise.Status.OPEN:
        errors.setdefault("__all__", []).append(str(MSG_OPEN_EXERCISE))
    if errors:
        raise ValidationError(errors)
    latest = PassMarkVersion.objects.filter(course=course).order_by("-number").first()
    number = latest.number if latest else 0
    if based_on is not None and based_on != number:
        raise ValidationError(
            str(MSG_CHANGED).format(percent=settings.pass_mark_percent, number=number), code="unchanged"
        )
    previous = settings.pass_mark_percent
    try:
        with transaction.atomic():
            version = PassMarkVersion.objects.create(
                course=course, number=number + 1, pass_mark_percent=percent, previous_percent=previous,
                exercise=exercise, cut_score=cut_score, reason=reason.strip(), actor=actor,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(str(MSG_CHANGED).format(percent=previous, number=number + 1), code="unchanged") from None
    settings.pass_mark_percent = percent
    settings.save(update_fields=["pass_mark_percent"])
    audit_record(
        actor=actor,
        action="exams.pass_mark_adopted",
        obj=version,
        summary=f"{course.code}: written pass mark {previous}% → {percent}% (v{version.number})",
        details={"from": previous, "to": percent, "reason": reason.strip(),
                 "exercise": exercise.pk if exercise else None, "cut_score": str(cut_score) if cut_score else None},
    )  # fmt: skip
    return version
