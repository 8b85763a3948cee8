"""The practical examination: scheduling OSCE assessments, independent scoring by one
or two examiners, the pass rule, and standard setting by borderline regression.

Pass rule. A station is passed when, for every examiner who scored it, every critical
criterion earned its full points and the checklist total reached the station's pass
mark (of the rubric version the assessment was scheduled with). The assessment is passed
when every station is passed and the candidate's overall percentage (mean of the
examiners' totals over the stations' maximum points) reaches the exam's overall pass mark.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import licence_valid_for
from core.emails import email_queue
from core.services import audit_record
from core.signals import eligibility_changed
from courses.handson.selectors import handson_requirement_met
from courses.models import Enrolment, InjectionSession

from .models import Assessment, Criterion, GlobalGrade, PracticalExam, RubricVersion, Station, StationScore
from .selectors import written_exam_passed

MSG_NO_PRACTICAL = "This course has no practical exam set up."
MSG_WRITTEN = "The written exam has not been passed yet."
MSG_HANDSON = "The hands-on requirement has not been met yet."
MSG_LICENCE = "The trainee has no valid verified licence."
MSG_PASSED = "The practical exam has already been passed."
MSG_SCHEDULED = "An assessment is already scheduled for this trainee."
MSG_NO_ATTEMPTS = "All {n} practical attempts allowed have been used."
MSG_EXAMINERS = "Choose one or two examiners."
MSG_NOT_EXAMINER = "{name} is not an examiner."
MSG_CONFLICT = "{name} signed this trainee's hands-on sessions and cannot examine them."
MSG_STATIONS = "Choose at least one station of this course's practical exam."
MSG_PAST = "Schedule the assessment in the future."
MSG_NOT_ASSIGNED = "You are not an examiner of this assessment."
MSG_FINAL = "Your marks for this station are submitted and final."
MSG_WRONG_RUBRIC = "That station is not part of this assessment (or is another version of its rubric)."
MSG_POINTS = "Enter between 0 and {max} points."
MSG_UNKNOWN_CRITERION = "There is no criterion {id} in this rubric."
MSG_ALL_CRITERIA = "Score every criterion before submitting."
MSG_GLOBAL = "Give a global grade before submitting."
MSG_NOT_ENOUGH = "Borderline regression needs at least {n} submitted results with two different global grades."


def practical_blockers(*, enrolment: Enrolment) -> list[str]:
    practical = PracticalExam.objects.filter(course_id=enrolment.course_id).first()
    if practical is None:
        return [_(MSG_NO_PRACTICAL)]
    blockers = []
    if not licence_valid_for(user=enrolment.trainee).exists():
        blockers.append(_(MSG_LICENCE))
    if not written_exam_passed(enrolment=enrolment):
        blockers.append(_(MSG_WRITTEN))
    if not handson_requirement_met(enrolment=enrolment):
        blockers.append(_(MSG_HANDSON))
    assessments = list(enrolment.assessments.all())
    if any(a.passed for a in assessments):
        blockers.append(_(MSG_PASSED))
    elif any(a.status == Assessment.Status.SCHEDULED for a in assessments):
        blockers.append(_(MSG_SCHEDULED))
    elif len(assessments) >= practical.attempts_allowed:
        blockers.append(_(MSG_NO_ATTEMPTS).format(n=practical.attempts_allowed))
    return blockers


def examiner_conflicts(*, examiners: list[User], trainee: User) -> list[User]:
    """Examiners who signed any of the trainee's hands-on sessions (one query)."""
    signers = set(
        InjectionSession.objects.filter(enrolment__trainee=trainee)
        .exclude(status=InjectionSession.Status.DRAFT)
        .values_list("instructor_id", flat=True)
    )
    return [e for e in examiners if e.pk in signers]


def current_rubric(station: Station) -> RubricVersion | None:
    return station.versions.order_by("-number").first()


@transaction.atomic
def assessment_schedule(
    *, enrolment: Enrolment, scheduled_at: datetime.datetime, place: str, stations: list[Station],
    examiners: list[User], actor: User,
) -> Assessment:  # fmt: skip
    """Schedule an assessment with the stations' current rubric versions. Raises
    ValidationError by field; locks the enrolment so two schedules cannot race."""
    enrolment = Enrolment.objects.select_for_update().select_related("trainee", "course").get(pk=enrolment.pk)
    errors: dict[str, list[str]] = {}
    blockers = practical_blockers(enrolment=enrolment)
    if blockers:
        errors["enrolment"] = blockers
    if not 1 <= len(examiners) <= 2:
        errors["examiners"] = [_(MSG_EXAMINERS)]
    else:
        problems = [_(MSG_NOT_EXAMINER).format(name=e.display_name) for e in examiners if not e.is_examiner]
        problems += [
            _(MSG_CONFLICT).format(name=e.display_name)
            for e in examiner_conflicts(examiners=examiners, trainee=enrolment.trainee)
        ]
        if problems:
            errors["examiners"] = problems
    rubrics = [current_rubric(s) for s in stations if s.practical_id == enrolment.course_id]
    if not stations or len(rubrics) != len(stations) or None in rubrics:
        errors["stations"] = [_(MSG_STATIONS)]
    if scheduled_at <= timezone.now():
        errors["scheduled_at"] = [_(MSG_PAST)]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                enrolment=enrolment, number=enrolment.assessments.count() + 1, scheduled_at=scheduled_at,
                place=place.strip(),
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"enrolment": [_(MSG_SCHEDULED)]}) from None
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
        template="exams/email/practical_scheduled",
        context={"assessment": assessment, "user": enrolment.trainee, "course": enrolment.course},
    )
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
    if not assessment.examiners.filter(pk=examiner.pk).exists():
        raise ValidationError(_(MSG_NOT_ASSIGNED))
    rubric = assessment.rubrics.filter(pk=rubric_id).first()
    if rubric is None:
        raise ValidationError(_(MSG_WRONG_RUBRIC))
    score, _created = StationScore.objects.get_or_create(assessment=assessment, rubric=rubric, examiner=examiner)
    if score.status == StationScore.Status.SUBMITTED:
        raise ValidationError(_(MSG_FINAL))
    criteria = {str(c.pk): c for c in rubric.criteria.all()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for key, value in points.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            errors.setdefault("__all__", []).append(_(MSG_UNKNOWN_CRITERION).format(id=key))
        elif value is None:
            continue
        elif not (0 <= value <= criterion.points):
            errors[f"criterion_{key}"] = [_(MSG_POINTS).format(max=criterion.points)]
        else:
            clean[str(key)] = str(value)
    if submit:
        if set(clean) != set(criteria) and not errors:
            errors.setdefault("__all__", []).append(_(MSG_ALL_CRITERIA))
        if global_grade is None:
            errors["global_grade"] = [_(MSG_GLOBAL)]
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


@dataclass
class StationOutcome:
    rubric: RubricVersion
    scores: list[StationScore]
    max_points: int
    passed: bool
    critical_missed: list[str]


def station_outcome(rubric: RubricVersion, scores: list[StationScore]) -> StationOutcome:
    criteria = list(rubric.criteria.all())
    missed = sorted(
        {c.text for s in scores for c in criteria if c.critical and Decimal(s.points.get(str(c.pk), 0)) < c.points}
    )
    passed = bool(scores) and not missed and all(s.total >= rubric.pass_mark for s in scores)
    return StationOutcome(rubric, scores, sum(c.points for c in criteria), passed, missed)


def assessment_outcomes(assessment: Assessment) -> list[StationOutcome]:
    rubrics = assessment.rubrics.select_related("station").prefetch_related("criteria").order_by("station__position")
    scores = list(assessment.scores.filter(status=StationScore.Status.SUBMITTED).select_related("examiner"))
    return [station_outcome(r, [s for s in scores if s.rubric_id == r.pk]) for r in rubrics]


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
        template="exams/email/practical_result",
        context={"assessment": assessment, "user": assessment.enrolment.trainee},
    )
    if assessment.passed:
        eligibility_changed.send(
            sender=Assessment, trainee=assessment.enrolment.trainee, enrolment=assessment.enrolment, actor=None
        )


def practical_passed(*, enrolment: Enrolment) -> bool:
    """Has this trainee passed the practical exam of the course? (For certificates.)"""
    return enrolment.assessments.filter(status=Assessment.Status.COMPLETED, passed=True).exists()


# Standard setting ----------------------------------------------------------------------


@dataclass
class Regression:
    points: list[tuple[int, Decimal]]  # (global grade, checklist total)
    slope: float
    intercept: float

    @property
    def suggested_pass_mark(self) -> float:
        """The checklist total the line predicts at 'borderline'."""
        return self.intercept + self.slope * GlobalGrade.BORDERLINE


MIN_RESULTS = 5


def borderline_regression(*, station: Station) -> Regression | None:
    """Least squares of checklist totals on global grades over every submitted score of
    the station (all rubric versions with the same maximum). None if too few results."""
    rows = list(
        StationScore.objects.filter(rubric__station=station, status=StationScore.Status.SUBMITTED).values_list(
            "global_grade", "total"
        )
    )
    return regression_from(rows)


def regression_from(rows: list[tuple[int, Decimal]]) -> Regression | None:
    if len(rows) < MIN_RESULTS or len({g for g, _t in rows}) < 2:
        return None
    n = len(rows)
    xs = [float(g) for g, _t in rows]
    ys = [float(t) for _g, t in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return Regression(points=rows, slope=slope, intercept=my - slope * mx)


@transaction.atomic
def rubric_adopt_pass_mark(*, station: Station, pass_mark: Decimal, actor: User) -> RubricVersion:
    """A new rubric version with the same criteria and the new pass mark, for future
    assessments; assessments already scheduled keep theirs."""
    current = current_rubric(station)
    version = RubricVersion.objects.create(
        station=station, number=current.number + 1, pass_mark=pass_mark, note="Pass mark from borderline regression"
    )
    Criterion.objects.bulk_create(
        [
            Criterion(
                rubric=version,
                position=c.position,
                text=c.text,
                descriptor=c.descriptor,
                points=c.points,
                critical=c.critical,
            )
            for c in current.criteria.all()
        ]  # fmt: skip
    )
    audit_record(
        actor=actor,
        action="practical.pass_mark_adopted",
        obj=version,
        summary=f"{station}: pass mark {current.pass_mark} → {pass_mark} (v{version.number})",
        details={"from": str(current.pass_mark), "to": str(pass_mark)},
    )
    return version


def assessments_for_examiner(*, examiner: User):
    return (
        Assessment.objects.filter(examiners=examiner)
        .select_related("enrolment__trainee", "enrolment__course")
        .prefetch_related(
            Prefetch("rubrics", queryset=RubricVersion.objects.select_related("station").order_by("station__position")),
            Prefetch("scores", queryset=StationScore.objects.filter(examiner=examiner)),
        )
        .order_by("status", "scheduled_at")
    )
