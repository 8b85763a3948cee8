from __future__ import annotations

from typing import NamedTuple

from django.http import Http404

from accounts.models import User
from courses.models import Course, Enrolment

from .models import Assessment, Attempt, AttemptItem


def get_attempt_for(user: User, pk) -> Attempt:
    """The attempt if it is the user's own; 404 otherwise (even for staff: results are
    read on the result page, answers only by their owner)."""
    try:
        return Attempt.objects.select_related("enrolment__course").get(pk=pk, enrolment__trainee_id=user.pk)
    except Attempt.DoesNotExist:
        raise Http404 from None


# What the exam page reads of the attempt (and what attempt_close_if_expired and the
# redirect to the result read): not the grading columns, nor the course's 20 others.
_PAGE_ATTEMPT_FIELDS = ("number", "status", "deadline", "closed_by_deadline", "enrolment", "enrolment__course__code")


def get_attempt_for_page(user: User, pk) -> Attempt:
    """``get_attempt_for`` for the exam page: the same query, only the columns it shows."""
    try:
        return (
            Attempt.objects.select_related("enrolment__course")
            .only(*_PAGE_ATTEMPT_FIELDS)
            .get(pk=pk, enrolment__trainee_id=user.pk)
        )
    except Attempt.DoesNotExist:
        raise Http404 from None


def attempt_items(attempt: Attempt, *, for_review: bool = False) -> list[AttemptItem]:
    """The attempt's items in order. Unless ``for_review`` (after submission), the
    correct keys and explanations are not even loaded."""
    items = attempt.items.all().order_by("position")
    if not for_review:
        items = items.defer("correct_keys", "explanation", "is_correct")
    return list(items)


class PageItem(NamedTuple):
    """What the exam page shows of an item (exams.rendering.questions_html)."""

    position: int
    kind: str
    stem: str
    case_title: str
    case_vignette: str
    options: list
    response: list
    flagged: bool


def attempt_page_items(attempt: Attempt) -> list[PageItem]:
    """The attempt's items in order, as the exam page shows them: one query, only the
    columns shown, and tuples rather than model instances (building 40 instances cost
    more than the query)."""
    rows = AttemptItem.objects.filter(attempt_id=attempt.pk).order_by("position").values_list(*PageItem._fields)
    return [PageItem._make(row) for row in rows]


def written_exam_passed(*, enrolment: Enrolment) -> bool:
    """Has this trainee passed the written exam of the course? (For the practical exam
    and certificates.)"""
    return enrolment.attempts.filter(status=Attempt.Status.SUBMITTED, passed=True).exists()


def attempts_for(*, enrolment: Enrolment) -> list[Attempt]:
    return list(enrolment.attempts.order_by("-number"))


def get_active_enrolment(user: User, course: Course) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(trainee=user, course=course, status=Enrolment.Status.ACTIVE)
        .select_related("course", "trainee")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def enrolments_with_written_pass(enrolment_ids) -> set:
    """Which of these enrolments have a passed written attempt (one query)."""
    return set(
        Attempt.objects.filter(enrolment_id__in=list(enrolment_ids), status=Attempt.Status.SUBMITTED, passed=True)
        .values_list("enrolment_id", flat=True)
        .distinct()
    )


def latest_assessments(enrolment_ids) -> dict:
    """Each enrolment's most relevant practical assessment: a passed one, else the
    latest (one query)."""
    latest: dict = {}
    for assessment in Assessment.objects.filter(enrolment_id__in=list(enrolment_ids)).order_by("number"):
        if not (latest.get(assessment.enrolment_id) and latest[assessment.enrolment_id].passed):
            latest[assessment.enrolment_id] = assessment
    return latest
