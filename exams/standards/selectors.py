"""Reads of written standard setting: who may see an exercise, a judge's own ratings,
the panel's progress and (once closed) the result with the Hofstee check."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import User
from courses.models import Course
from exams.models import AngoffExercise, AngoffRating, Attempt, HofsteeBounds, PassMarkVersion, Question

from .angoff import AngoffResult, HofsteeResult, angoff_compute, hofstee_compute


def get_exercise_for(user: User, pk: int) -> AngoffExercise:
    """The exercise if ``user`` is one of its judges or an administrator; 404 otherwise."""
    exercise = AngoffExercise.objects.select_related("course").filter(pk=pk).first()
    if exercise is None:
        raise Http404
    if not user.is_administrator and not exercise.judges.filter(pk=user.pk).exists():
        raise Http404
    return exercise


def is_judge(exercise: AngoffExercise, user: User) -> bool:
    return exercise.judges.filter(pk=user.pk).exists()


def exercise_items(exercise: AngoffExercise) -> list[Question]:
    """The items of the exercise in reference order, with their options (for the judges)."""
    return list(exercise.questions.prefetch_related("options").select_related("case_set").order_by("ref"))


def ratings_of(exercise: AngoffExercise, judge: User) -> dict[int, object]:
    """{question id: percent} of this judge only."""
    return dict(AngoffRating.objects.filter(exercise=exercise, judge=judge).values_list("question_id", "percent"))


def hofstee_of(exercise: AngoffExercise, judge: User) -> HofsteeBounds | None:
    return HofsteeBounds.objects.filter(exercise=exercise, judge=judge).first()


@dataclass
class JudgeProgress:
    judge: User
    rated: int
    hofstee: bool


def exercise_progress(exercise: AngoffExercise) -> list[JudgeProgress]:
    """How far each judge has got (counts only, never their ratings): one query."""
    judges = exercise.judges.annotate(
        rated=Count("angoff_ratings", filter=Q(angoff_ratings__exercise=exercise), distinct=True),
        bounds=Count("hofstee_bounds", filter=Q(hofstee_bounds__exercise=exercise), distinct=True),
    ).order_by("legal_name", "email")
    return [JudgeProgress(j, j.rated, bool(j.bounds)) for j in judges]


def candidate_scores(course: Course) -> list[float]:
    """The percentages of the course's graded first attempts (each candidate once)."""
    return [
        float(p)
        for p in Attempt.objects.filter(
            enrolment__course=course, status=Attempt.Status.SUBMITTED, number=1
        ).values_list("percent", flat=True)
        if p is not None
    ]


@dataclass
class ExerciseResult:
    angoff: AngoffResult
    hofstee: HofsteeResult | None
    judge_names: dict[int, str]
    item_refs: dict[int, str]


def exercise_result(exercise: AngoffExercise, items: list[Question]) -> ExerciseResult:
    """The panel's cut score and spread and the Hofstee check (a fixed number of queries)."""
    ratings: dict[int, dict[int, object]] = {}
    for judge_id, question_id, percent in AngoffRating.objects.filter(exercise=exercise).values_list(
        "judge_id", "question_id", "percent"
    ):
        ratings.setdefault(judge_id, {})[question_id] = percent
    judges = list(exercise.judges.all())
    result = angoff_compute(ratings=ratings, question_ids=[q.pk for q in items])
    bounds = list(
        HofsteeBounds.objects.filter(exercise=exercise).values_list("min_cut", "max_cut", "min_fail", "max_fail")
    )
    hofstee = hofstee_compute(bounds=bounds, scores=candidate_scores(exercise.course))
    return ExerciseResult(
        angoff=result, hofstee=hofstee,
        judge_names={j.pk: j.display_name for j in judges}, item_refs={q.pk: q.ref for q in items},
    )  # fmt: skip


def exercises_of_course(course: Course) -> QuerySet[AngoffExercise]:
    return (
        AngoffExercise.objects.filter(course=course)
        .annotate(items=Count("questions", distinct=True), panel=Count("judges", distinct=True))
        .order_by("-created_at")
    )


def exercises_for_judge(user: User) -> QuerySet[AngoffExercise]:
    """The exercises ``user`` judges, open ones first."""
    return AngoffExercise.objects.filter(judges=user).select_related("course").order_by("-status", "-created_at")


def pass_mark_history(course: Course) -> QuerySet[PassMarkVersion]:
    return PassMarkVersion.objects.filter(course=course).select_related("actor", "exercise").order_by("-number")
