"""Fixtures shared by the exams tests."""

import pytest

from tests.support.written import theory_done


@pytest.fixture
def ready():
    """A trainee with a valid licence who has completed the theory of a course with an exam."""
    return theory_done()
