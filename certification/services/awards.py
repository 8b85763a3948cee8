"""Awards: the fact that a trainee met every requirement of a course, made exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from accounts.selectors import licence_valid_for
from certification.models import Award
from core.emails import email_queue
from core.services import audit_record

# Exception to reading through selectors: the award locks the enrolment row it hangs on and
# asks which enrolments have no award yet (certification's own relation).
from courses.handson.selectors import signed_session_count
from courses.models import Enrolment
from exams.practical.selectors import practical_pass_latest
from exams.selectors import written_pass_best

from .issuing import certificate_issue

if TYPE_CHECKING:
    from accounts.models import User


def award_if_eligible(*, enrolment_id, actor: User | None = None) -> Award | None:
    """Make the award for this enrolment if the trainee now holds a passed written
    attempt, a passed practical and a valid licence; return it (or the one that already
    exists), else None.

    Whichever of those came last, and however many requests race, one award results:
    the enrolment row is locked while the evidence is read, so the second of two racing
    transactions waits for the first to commit and then sees its pass; the unique
    constraint on (trainee, course) is the last word."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("trainee", "course").get(pk=enrolment_id)
        )
        existing = Award.objects.filter(trainee_id=enrolment.trainee_id, course_id=enrolment.course_id).first()
        if existing is not None:
            return existing
        attempt = written_pass_best(enrolment)
        assessment = practical_pass_latest(enrolment)
        licence = licence_valid_for(user=enrolment.trainee).order_by("-expires_on").first()
        if attempt is None or assessment is None or licence is None:
            return None
        signed = signed_session_count(enrolment)
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    trainee=enrolment.trainee,
                    course=enrolment.course,
                    enrolment=enrolment,
                    licence=licence,
                    written_attempt=attempt,
                    assessment=assessment,
                    handson_sessions=signed,
                )
        except IntegrityError:
            return Award.objects.get(trainee_id=enrolment.trainee_id, course_id=enrolment.course_id)
        audit_record(
            actor=actor,
            action="award.made",
            obj=award,
            summary=f"{enrolment.trainee.email} met every requirement of {enrolment.course.code}",
            details={
                "licence": str(licence.pk),
                "written_percent": str(attempt.percent),
                "practical_percent": str(assessment.percent),
                "handson_sessions": signed,
            },
        )
        if enrolment.course.certificate_auto_issue:
            certificate_issue(award_id=award.pk, actor=None)
        else:
            email_queue(
                to=enrolment.trainee.email,
                template="certification/email/award_made",
                context={"user": enrolment.trainee, "course": enrolment.course},
            )
        return award


def awards_for_trainee(*, trainee: User, enrolment: Enrolment | None = None, actor: User | None = None) -> None:
    """Re-check the awards of one enrolment, or of all the trainee's active ones."""
    if enrolment is not None:
        award_if_eligible(enrolment_id=enrolment.pk, actor=actor)
        return
    for enrolment_id in Enrolment.objects.filter(
        trainee=trainee, status=Enrolment.Status.ACTIVE, award__isnull=True
    ).values_list("pk", flat=True):
        award_if_eligible(enrolment_id=enrolment_id, actor=actor)
