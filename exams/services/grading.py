"""Grading a written attempt: mark each item against its snapshotted correct keys, score,
pass or fail against the pass mark the attempt started with."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from core.services import audit_record
from core.signals import eligibility_changed
from exams.models import Attempt, AttemptItem


def attempt_grade(attempt: Attempt, *, now: datetime.datetime, by_deadline: bool) -> Attempt:
    """Mark, score and close the open ``attempt`` (submitted now, or closed at its
    deadline). Should be called while holding a SELECT FOR UPDATE lock on the attempt
    row (``attempt`` loaded with it, its enrolment and trainee joined): the lock is what
    makes a second submit, a late autosave or the sweep find it graded once."""
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
