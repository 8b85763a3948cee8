"""The practical examination's writes: scheduling OSCE assessments, independent scoring
by one or two examiners, and completing an assessment by the pass rule (standard setting
is in ``standard_setting``, the reads in ``selectors``).

Pass rule. A station is passed when, for every examiner who scored it, every critical
criterion earned its full points and the checklist total reached the station's pass
mark (of the rubric version the assessment was scheduled with). The assessment is passed
when every station is passed and the candidate's overall percentage (mean of the
examiners' totals over the stations' maximum points) reaches the exam's overall pass mark.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import licence_valid_for
from core.emails import email_queue
from core.services import audit_record
from core.signals import eligibility_changed
from courses.handson.selectors import handson_requirement_met
from courses.models import Enrolment
from exams.models import Assessment, Criterion, GlobalGrade, PracticalExam, Station, StationScore
from exams.selectors import written_exam_passed

from .selectors import assessment_outcomes, current_rubric, examiner_conflicts

MSG_NO_PRACTICAL = _("This course has no practical exam set up.")
MSG_WRITTEN = _("The written exam has not been passed yet.")
MSG_HANDSON = _("The hands-on requirement has not been met yet.")
MSG_LICENCE = _("The trainee has no valid verified licence.")
MSG_PASSED = _("The practical exam has already been passed.")
MSG_SCHEDULED = _("An assessment is already scheduled for this trainee.")
MSG_NO_ATTEMPTS = _("All {n} practical attempts allowed have been used.")
MSG_EXAMINERS = _("Choose one or two examiners.")
MSG_NOT_EXAMINER = _("{name} is not an examiner.")
MSG_CONFLICT = _("{name} signed this trainee's hands-on sessions and cannot examine them.")
MSG_STATIONS = _("Choose at least one station of this course's practical exam.")
MSG_PAST = _("Schedule the assessment in the future.")
MSG_NOT_ASSIGNED = _("You are not an examiner of this assessment.")
MSG_FINAL = _("Your marks for this station are submitted and final.")
MSG_WRONG_RUBRIC = _("That station is not part of this assessment (or is another version of its rubric).")
MSG_POINTS = _("Enter between 0 and {max} points.")
MSG_UNKNOWN_CRITERION = _("There is no criterion {id} in this rubric.")
MSG_ALL_CRITERIA = _("Score every criterion before submitting.")
MSG_GLOBAL = _("Give a global grade before submitting.")
MSG_NOT_SCHEDULED = _("This assessment is no longer scheduled ({status}): nothing was changed.")
MSG_MARKS_SUBMITTED = _("An examiner has already submitted marks for this assessment: it can no longer be moved.")
MSG_REASON = _("Give a reason: the candidate and the examiners are told it.")
MSG_CANCELLED = _("This assessment was cancelled.")
MSG_TOO_EARLY = _(
    "Final marks can be submitted from the day of the assessment, {date}. Until then, save them as a draft."
)


def practical_blockers(*, enrolment: Enrolment) -> list[str]:
    """Why an assessment cannot be scheduled for this trainee now (empty when it can)."""
    practical = PracticalExam.objects.filter(course_id=enrolment.course_id).first()
    if practical is None:
        return [str(MSG_NO_PRACTICAL)]
    blockers = []
    if not licence_valid_for(user=enrolment.trainee).exists():
        blockers.append(str(MSG_LICENCE))
    if not written_exam_passed(enrolment=enrolment):
        blockers.append(str(MSG_WRITTEN))
    if not handson_requirement_met(enrolment=enrolment):
        blockers.append(str(MSG_HANDSON))
    # A cancelled assessment was not sat: it uses up no attempt.
    assessments = [a for a in enrolment.assessments.all() if a.status != Assessment.Status.CANCELLED]
    if any(a.passed for a in assessments):
        blockers.append(str(MSG_PASSED))
    elif any(a.status == Assessment.Status.SCHEDULED for a in assessments):
        blockers.append(str(MSG_SCHEDULED))
    elif len(assessments) >= practical.attempts_allowed:
        blockers.append(str(MSG_NO_ATTEMPTS).format(n=practical.attempts_allowed))
    return blockers


@transaction.atomic
def assessment_schedule(
    *, enrolment: Enrolment, scheduled_at: datetime.datetime, place: str, stations: list[Station],
    examiners: list[User], actor: User,
) -> Assessment:  # fmt: skip
    """Schedule an assessment with the stations' current rubric versions. Raises
    ValidationError by field. Holds a SELECT FOR UPDATE lock on the enrolment row only
    (not the joined trainee and course rows), so two schedules cannot race."""
    # Exception to reading through courses.selectors: a row lock, taken by the writer.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("trainee", "course").get(pk=enrolment.pk)
    )
    errors: dict[str, list[str]] = {}
    blockers = practical_blockers(enrolment=enrolment)
    if blockers:
        errors["enrolment"] = blockers
    if not 1 <= len(examiners) <= 2:
        errors["examiners"] = [str(MSG_EXAMINERS)]
    else:
        problems = [str(MSG_NOT_EXAMINER).format(name=e.display_name) for e in examiners if not e.is_examiner]
        problems += [
            str(MSG_CONFLICT).format(name=e.display_name)
            for e in examiner_conflicts(examiners=examiners, trainee=enrolment.trainee)
        ]
        if problems:
            errors["examiners"] = problems
    rubrics = [current_rubric(s) for s in stations if s.practical_id == enrolment.course_id]
    if not stations or len(rubrics) != len(stations) or None in rubrics:
        errors["stations"] = [str(MSG_STATIONS)]
    if scheduled_at <= timezone.now():
        errors["scheduled_at"] = [str(MSG_PAST)]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                enrolment=enrolment, number=enrolment.assessments.count() + 1, scheduled_at=scheduled_at,
                place=place.strip(),
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"enrolment": [str(MSG_SCHEDULED)]}) from None
    assessment.rubrics.set(rubrics)
    assessment.examiners.set(examiners)
    audit_record(
        actor=actor,
        action="practical.scheduled",
        obj=assessment,
        summary=f"Practical {assessment.number} for {enrolment.trainee.email} on {scheduled_at:%Y-%m-%d %H:%M}",
        details={"examiners": [e.email for e in examiners], "rubrics": [r.pk for r in rubrics]},
    )
    email_queue(
        to=enrolment.trainee.email,
        template="exams/practical/email/scheduled",
        context={"assessment": assessment, "user": enrolment.trainee, "course": enrolment.course},
    )
    return assessment


def _tell_everyone(assessment: Assessment, *, template: str, context: dict) -> None:
    """Email the candidate and each examiner (after the transaction commits)."""
    people = [assessment.enrolment.trainee, *assessment.examiners.all()]
    for person in people:
        email_queue(
            to=person.email, template=template,
            context={**context, "assessment": assessment, "user": person, "course": assessment.enrolment.course,
                     "candidate": assessment.enrolment.trainee},
        )  # fmt: skip


def _lock_scheduled(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update(of=("self",)).select_related(
        "enrolment__trainee", "enrolment__course"
    )
    assessment = locked.get(pk=assessment.pk)
    if assessment.status != Assessment.Status.SCHEDULED:
        raise ValidationError(str(MSG_NOT_SCHEDULED).format(status=assessment.get_status_display()), code="state")
    return assessment


@transaction.atomic
def assessment_reschedule(
    *, assessment: Assessment, scheduled_at: datetime.datetime, place: str, reason: str, actor: User
) -> Assessment:
    """Move a scheduled assessment to another date, time or place (its stations and
    examiners stay). Not once an examiner has submitted marks. Holds a SELECT FOR UPDATE
    lock on the assessment row, so it cannot race a submission or a cancellation."""
    assessment = _lock_scheduled(assessment)
    errors: dict[str, list[str]] = {}
    if scheduled_at <= timezone.now():
        errors["scheduled_at"] = [str(MSG_PAST)]
    if not reason.strip():
        errors["reason"] = [str(MSG_REASON)]
    if assessment.scores.filter(status=StationScore.Status.SUBMITTED).exists():
        errors.setdefault("__all__", []).append(str(MSG_MARKS_SUBMITTED))
    if errors:
        raise ValidationError(errors)
    before = (assessment.scheduled_at, assessment.place)
    assessment.scheduled_at = scheduled_at
    assessment.place = place.strip() or assessment.place
    assessment.save(update_fields=["scheduled_at", "place"])
    audit_record(
        actor=actor,
        action="practical.rescheduled",
        obj=assessment,
        summary=f"Practical {assessment.number} of {assessment.enrolment.trainee.email}: "
        f"{before[0]:%Y-%m-%d %H:%M} → {scheduled_at:%Y-%m-%d %H:%M}",
        details={"from": [before[0].isoformat(), before[1]], "to": [scheduled_at.isoformat(), assessment.place],
                 "reason": reason.strip()},
    )  # fmt: skip
    _tell_everyone(assessment, template="exams/practical/email/rescheduled", context={"reason": reason.strip()})
    return assessment


@transaction.atomic
def assessment_cancel(*, assessment: Assessment, reason: str, actor: User) -> Assessment:
    """Cancel a scheduled assessment with a reason: it uses up no attempt, so the
    candidate can be scheduled again. Locks the assessment row."""
    assessment = _lock_scheduled(assessment)
    if not reason.strip():
        raise ValidationError({"reason": [str(MSG_REASON)]})
    assessment.status = Assessment.Status.CANCELLED
    assessment.cancelled_at = timezone.now()
    assessment.cancel_reason = reason.strip()
    assessment.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action="practical.cancelled",
        obj=assessment,
        summary=f"Practical {assessment.number} of {assessment.enrolment.trainee.email} on "
        f"{assessment.scheduled_at:%Y-%m-%d %H:%M} cancelled",
        details={"reason": assessment.cancel_reason},
    )
    _tell_everyone(assessment, template="exams/practical/email/cancelled", context={"reason": assessment.cancel_reason})
    return assessment


def _total(rubric_criteria: list[Criterion], points: dict) -> Decimal:
    return sum((Decimal(str(points.get(str(c.pk), 0))) for c in rubric_criteria), Decimal(0))


@transaction.atomic
def score_save(
    *, assessment: Assessment, rubric_id: int, examiner: User, points: dict[str, Decimal], global_grade: int | None,
    comments: str, submit: bool,
) -> StationScore:  # fmt: skip
    """Save an examiner's marks for one station (a draft, or final with ``submit``).
    Locks the assessment row; submitted marks never change."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("enrolment__trainee")
    assessment = locked.get(pk=assessment.pk)
    if assessment.status == Assessment.Status.CANCELLED:
        raise ValidationError(str(MSG_CANCELLED))
    if not assessment.examiners.filter(pk=examiner.pk).exists():
        raise ValidationError(str(MSG_NOT_ASSIGNED))
    rubric = assessment.rubrics.filter(pk=rubric_id).first()
    if rubric is None:
        raise ValidationError(str(MSG_WRONG_RUBRIC))
    score, _created = StationScore.objects.get_or_create(assessment=assessment, rubric=rubric, examiner=examiner)
    if score.status == StationScore.Status.SUBMITTED:
        raise ValidationError(str(MSG_FINAL))
    criteria = {str(c.pk): c for c in rubric.criteria.all()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for key, value in points.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            errors.setdefault("__all__", []).append(str(MSG_UNKNOWN_CRITERION).format(id=key))
        elif value is None:
            continue
        elif not (0 <= value <= criterion.points):
            errors[f"criterion_{key}"] = [str(MSG_POINTS).format(max=criterion.points)]
        else:
            clean[str(key)] = str(value)
    if submit:
        # Final marks only from the scheduled day (in the site's time zone): an examiner
        # cannot settle an assessment days before it takes place. Drafts any time.
        day = timezone.localdate(assessment.scheduled_at)
        if timezone.localdate() < day:
            errors.setdefault("__all__", []).append(str(MSG_TOO_EARLY).format(date=date_format(day, "j F Y")))
        if set(clean) != set(criteria) and not errors:
            errors.setdefault("__all__", []).append(str(MSG_ALL_CRITERIA))
        if global_grade is None:
            errors["global_grade"] = [str(MSG_GLOBAL)]
    if errors:
        raise ValidationError(errors)
    score.points = clean
    score.global_grade = global_grade
    score.comments = comments.strip()
    score.total = _total(list(criteria.values()), clean)
    fields = ["points", "global_grade", "comments", "total"]
    if submit:
        score.status = StationScore.Status.SUBMITTED
        score.submitted_at = timezone.now()
        fields += ["status", "submitted_at"]
    score.save(update_fields=fields)
    if submit:
        audit_record(
            actor=examiner,
            action="practical.scored",
            obj=score,
            summary=f"{examiner.email} submitted {rubric} for practical {assessment.pk}: {score.total} points, "
            f"global {GlobalGrade(global_grade).label}",
            details={"points": clean, "global_grade": global_grade},
        )
        _complete_if_all_submitted(assessment)
    return score


def _complete_if_all_submitted(assessment: Assessment) -> None:
    expected = assessment.rubrics.count() * assessment.examiners.count()
    if assessment.scores.filter(status=StationScore.Status.SUBMITTED).count() < expected:
        return
    outcomes = assessment_outcomes(assessment)
    practical = PracticalExam.objects.get(course_id=assessment.enrolment.course_id)
    maximum = sum(o.max_points for o in outcomes)
    earned = sum((sum((s.total for s in o.scores), Decimal(0)) / len(o.scores) for o in outcomes), Decimal(0))
    percent = (Decimal(100) * earned / maximum).quantize(Decimal("0.01"), ROUND_HALF_UP) if maximum else Decimal(0)
    assessment.percent = percent
    assessment.passed = all(o.passed for o in outcomes) and percent >= practical.overall_pass_percent
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["percent", "passed", "status", "completed_at"])
    audit_record(
        actor=None,
        action="practical.completed",
        obj=assessment,
        summary=f"Practical {assessment.number} of {assessment.enrolment.trainee.email}: "
        f"{'passed' if assessment.passed else 'not passed'} ({percent}%)",
        details={"percent": str(percent), "passed": assessment.passed},
    )
    email_queue(
        to=assessment.enrolment.trainee.email,
        template="exams/practical/email/result",
        context={"assessment": assessment, "user": assessment.enrolment.trainee},
    )
    if assessment.passed:
        eligibility_changed.send(
            sender=Assessment, trainee=assessment.enrolment.trainee, enrolment=assessment.enrolment, actor=None
        )
