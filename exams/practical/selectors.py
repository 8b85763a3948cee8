"""Reads of the practical exam: rubrics, station and assessment outcomes, what an examiner
or an administrator sees, and passes (for certificates and dashboards)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from courses.handson.selectors import session_signer_ids
from courses.models import Course, Enrolment
from exams.models import Assessment, PracticalExam, RubricVersion, Station, StationScore


def current_rubric(station: Station) -> RubricVersion | None:
    """The station's newest rubric version (what a new assessment is scheduled with)."""
    return station.versions.order_by("-number").first()


def examiner_conflicts(*, examiners: list[User], trainee: User) -> list[User]:
    """Examiners who signed any of the trainee's hands-on sessions (one query)."""
    signers = session_signer_ids(trainee)
    return [e for e in examiners if e.pk in signers]


@dataclass
class StationOutcome:
    rubric: RubricVersion
    scores: list[StationScore]
    max_points: int
    passed: bool
    critical_missed: list[str]


def station_outcome(rubric: RubricVersion, scores: list[StationScore]) -> StationOutcome:
    """The pass rule for one station: every examiner who scored it gave every critical
    criterion its full points, and each total reached the rubric's pass mark."""
    criteria = list(rubric.criteria.all())
    missed = sorted(
        {c.text for s in scores for c in criteria if c.critical and Decimal(s.points.get(str(c.pk), 0)) < c.points}
    )
    passed = bool(scores) and not missed and all(s.total >= rubric.pass_mark for s in scores)
    return StationOutcome(rubric, scores, sum(c.points for c in criteria), passed, missed)


def assessment_outcomes(assessment: Assessment) -> list[StationOutcome]:
    """Each station's outcome from the submitted marks, in station order."""
    rubrics = assessment.rubrics.select_related("station").prefetch_related("criteria").order_by("station__position")
    scores = list(assessment.scores.filter(status=StationScore.Status.SUBMITTED).select_related("examiner"))
    return [station_outcome(r, [s for s in scores if s.rubric_id == r.pk]) for r in rubrics]


def practical_passed(*, enrolment: Enrolment) -> bool:
    """Has this trainee passed the practical exam of the course? (For certificates.)"""
    return enrolment.assessments.filter(status=Assessment.Status.COMPLETED, passed=True).exists()


def practical_pass_latest(enrolment: Enrolment) -> Assessment | None:
    """The trainee's most recently completed passed assessment of the course, or None:
    the evidence an award records."""
    return (
        enrolment.assessments.filter(status=Assessment.Status.COMPLETED, passed=True).order_by("-completed_at").first()
    )


def latest_assessments(enrolment_ids) -> dict:
    """Each enrolment's most relevant practical assessment: a passed one, else the
    latest (one query)."""
    latest: dict = {}
    assessments = Assessment.objects.filter(enrolment_id__in=list(enrolment_ids)).exclude(
        status=Assessment.Status.CANCELLED
    )
    for assessment in assessments.order_by("number"):
        if not (latest.get(assessment.enrolment_id) and latest[assessment.enrolment_id].passed):
            latest[assessment.enrolment_id] = assessment
    return latest


def practical_results_for(*, enrolment: Enrolment) -> list[tuple[Assessment, list[StationOutcome] | None]]:
    """The trainee's assessments, newest first, each with its stations' outcomes once
    completed (None before: marks stay hidden until every examiner has submitted, and for
    a cancelled one)."""
    assessments = list(enrolment.assessments.prefetch_related("examiners").order_by("-number"))
    return [(a, assessment_outcomes(a) if a.status == Assessment.Status.COMPLETED else None) for a in assessments]


# The examiner's pages --------------------------------------------------------------------


def assessments_for_examiner(*, examiner: User) -> QuerySet[Assessment]:
    """The examiner's assessments (not cancelled ones), in date order, with their stations
    and the examiner's own marks (a fixed number of queries however many there are)."""
    return (
        Assessment.objects.filter(examiners=examiner)
        .exclude(status=Assessment.Status.CANCELLED)
        .select_related("enrolment__trainee", "enrolment__course")
        .prefetch_related(
            Prefetch("rubrics", queryset=RubricVersion.objects.select_related("station").order_by("station__position")),
            Prefetch("scores", queryset=StationScore.objects.filter(examiner=examiner)),
        )
        .order_by("scheduled_at", "id")
    )


def examiner_worklist(*, examiner: User) -> tuple[list[Assessment], list[Assessment]]:
    """(to examine: soonest first; completed: most recent first)."""
    assessments = list(assessments_for_examiner(examiner=examiner))
    pending = [a for a in assessments if a.status == Assessment.Status.SCHEDULED]
    done = [a for a in reversed(assessments) if a.status == Assessment.Status.COMPLETED]
    return pending, done


def get_assessment_for_examiner(user: User, pk) -> Assessment:
    """The assessment if ``user`` is one of its examiners; 404 otherwise."""
    assessment = (
        Assessment.objects.select_related("enrolment__trainee", "enrolment__course")
        .filter(pk=pk, examiners=user)
        .exclude(status=Assessment.Status.CANCELLED)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def get_rubric_of_assessment(assessment: Assessment, rubric_id: int) -> RubricVersion:
    """The rubric version (with its station) if the assessment was scheduled with it;
    404 otherwise."""
    rubric = assessment.rubrics.select_related("station").filter(pk=rubric_id).first()
    if rubric is None:
        raise Http404
    return rubric


def next_station_to_score(*, assessment: Assessment, examiner: User, after: RubricVersion) -> RubricVersion | None:
    """The next station (in station order, wrapping round) of the assessment whose marks
    this examiner has not yet submitted; None when every one is submitted (2 queries)."""
    submitted = set(
        StationScore.objects.filter(
            assessment=assessment, examiner=examiner, status=StationScore.Status.SUBMITTED
        ).values_list("rubric_id", flat=True)
    )
    rubrics = list(assessment.rubrics.select_related("station").order_by("station__position", "id"))
    index = next((i for i, r in enumerate(rubrics) if r.pk == after.pk), -1)
    for rubric in rubrics[index + 1 :] + rubrics[: index + 1]:
        if rubric.pk not in submitted:
            return rubric
    return None


def station_score_of(*, assessment: Assessment, rubric: RubricVersion, examiner: User) -> StationScore | None:
    """The examiner's marks (draft or submitted) for this station of the assessment."""
    return StationScore.objects.filter(assessment=assessment, rubric=rubric, examiner=examiner).first()


# The administrator's pages ---------------------------------------------------------------


def practical_exam_of(course: Course) -> PracticalExam | None:
    return PracticalExam.objects.filter(course=course).first()


def assessments_of_course(course: Course) -> QuerySet[Assessment]:
    """Every assessment of the course, newest first, with trainee and examiners."""
    return (
        Assessment.objects.filter(enrolment__course=course)
        .select_related("enrolment__trainee")
        .prefetch_related("examiners")
        .order_by("-scheduled_at")
    )


def get_assessment_for_admin(pk) -> Assessment:
    """Any assessment with its trainee, course and examiners (administrators); 404 if none."""
    assessment = (
        Assessment.objects.select_related("enrolment__trainee", "enrolment__course")
        .prefetch_related("examiners", "rubrics__station")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def marks_status(assessment: Assessment) -> list[tuple[RubricVersion, list[tuple[User, str]]]]:
    """Per station, each examiner and the state of their marks ("" when none yet): the
    administrator sees who has scored, never the marks before completion (2 queries)."""
    states = {(s.rubric_id, s.examiner_id): s.get_status_display() for s in assessment.scores.all()}
    examiners = list(assessment.examiners.all())
    return [
        (rubric, [(e, states.get((rubric.pk, e.pk), "")) for e in examiners])
        for rubric in sorted(assessment.rubrics.all(), key=lambda r: r.station.position)
    ]


def enrolments_schedulable(course: Course) -> QuerySet[Enrolment]:
    """The course's active enrolments an assessment can be scheduled for now: eligible
    (valid licence, written exam passed, hands-on requirement met), not passed, nothing
    scheduled, attempts left. The same rules as services.practical_blockers, in a fixed
    number of queries however many trainees there are."""
    from accounts.selectors import licence_holders_valid
    from courses.handson.selectors import requirement_status_by_enrolment
    from courses.selectors import enrolment_list_active
    from exams.selectors import enrolments_with_written_pass

    practical = practical_exam_of(course)
    if practical is None:
        return Enrolment.objects.none()
    live = Q(assessments__status__in=[Assessment.Status.SCHEDULED, Assessment.Status.COMPLETED])
    candidates = list(
        enrolment_list_active(course=course)
        .exclude(assessments__status=Assessment.Status.SCHEDULED)
        .exclude(assessments__passed=True)
        .annotate(used=Count("assessments", filter=live))
        .filter(used__lt=practical.attempts_allowed)
    )
    passed = enrolments_with_written_pass(e.pk for e in candidates)
    licensed = licence_holders_valid(user_ids={e.trainee_id for e in candidates})
    handson = requirement_status_by_enrolment(course=course, enrolments=candidates)
    ids = [e.pk for e in candidates if e.pk in passed and e.trainee_id in licensed and handson[e.pk].met]
    return enrolment_list_active(course=course).filter(pk__in=ids).order_by("trainee__legal_name", "trainee__email")


def stations_of_course(course: Course) -> QuerySet[Station]:
    """The course's stations with their rubric versions (newest first)."""
    return Station.objects.filter(practical__course=course).prefetch_related("versions")


def get_station(station_id: int) -> Station:
    """The station with its practical exam and course; 404 if there is none."""
    station = Station.objects.select_related("practical__course").filter(pk=station_id).first()
    if station is None:
        raise Http404
    return station
