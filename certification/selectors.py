"""Where each trainee stands on the certification pathway: the one place that gathers
licence, theory, hands-on and exam state (in a fixed number of queries) for
certification.pathway.pathway_for."""

from __future__ import annotations

from accounts.models import Licence, User
from courses import handson
from courses.models import Course, Enrolment
from exams.selectors import enrolments_with_written_pass, latest_assessments

from .pathway import Stage, pathway_for


def trainee_journeys(
    *, user: User, enrolments: list[Enrolment], licences: list[Licence]
) -> list[tuple[Enrolment, list[Stage]]]:
    """(enrolment, stages) for each of the trainee's enrolments. ``enrolments`` come from
    courses.selectors.enrolment_list_for_trainee (with lesson annotations)."""
    has_valid_licence = any(licence.is_valid() for licence in licences)
    licence_waiting = any(licence.status == Licence.Status.SUBMITTED for licence in licences)
    sessions = handson.sessions_for_enrolments(e.pk for e in enrolments)
    written = enrolments_with_written_pass(e.pk for e in enrolments)
    practicals = latest_assessments(e.pk for e in enrolments)
    return [
        (
            enrolment,
            pathway_for(
                has_valid_licence=has_valid_licence,
                licence_waiting=licence_waiting,
                course=enrolment.course,
                enrolment=enrolment,
                handson=handson.requirement_status(course=enrolment.course, sessions=sessions[enrolment.pk]),
                written_passed=enrolment.pk in written,
                practical=practicals.get(enrolment.pk),
            ),
        )
        for enrolment in enrolments
    ]


def course_pathway(*, user: User, course: Course, licences: list[Licence]) -> list[Stage]:
    """The pathway for a course the trainee is not (or no longer) enrolled in."""
    return pathway_for(
        has_valid_licence=any(licence.is_valid() for licence in licences),
        licence_waiting=any(licence.status == Licence.Status.SUBMITTED for licence in licences),
        course=course,
    )
