import pytest

from certification.pathway import DONE, IN_PROGRESS, LOCKED, pathway_for
from courses.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


class Progress:
    def __init__(self, done, total):
        self.lessons_done, self.lesson_total = done, total


def states(stages):
    return [(s.key, s.state) for s in stages]


def test_a_newcomer_starts_with_the_licence():
    stages = pathway_for(has_valid_licence=False, licence_waiting=False, course=CourseFactory())
    assert states(stages) == [
        ("licence", IN_PROGRESS),
        ("theory", LOCKED),
        ("handson", LOCKED),
        ("exam", LOCKED),
        ("certificate", LOCKED),
    ]
    assert stages[0].action_url == "/me/licences/new/"


def test_verified_but_not_enrolled_points_to_the_course():
    course = CourseFactory()
    stages = pathway_for(has_valid_licence=True, licence_waiting=False, course=course)
    assert states(stages)[:2] == [("licence", DONE), ("theory", IN_PROGRESS)]
    assert stages[1].action_url == f"/courses/{course.code}/"


def test_theory_progress_and_completion():
    course = CourseFactory()
    halfway = pathway_for(has_valid_licence=True, licence_waiting=False, course=course, enrolment=Progress(3, 6))
    assert halfway[1].state == IN_PROGRESS
    assert (halfway[1].value, halfway[1].total) == (3, 6)
    assert halfway[1].action_label == "Continue"
    done = pathway_for(has_valid_licence=True, licence_waiting=False, course=course, enrolment=Progress(6, 6))
    assert done[1].state == DONE
    assert done[1].action_url == ""
