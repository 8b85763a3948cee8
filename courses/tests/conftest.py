"""Fixtures shared by the courses tests."""

import pytest

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.tests.factories import CourseFactory, EnrolmentFactory


@pytest.fixture
def enrolment(instructor):
    """A licensed trainee enrolled in a course ``instructor`` teaches, which asks for two
    signed hands-on sessions, one of them on the glabella."""
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=2, handson_area_minimums={"glabella": 1})
    return EnrolmentFactory(trainee=trainee, course=course)
