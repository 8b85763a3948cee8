"""A trainee's "My courses": every enrolment of theirs, none of anyone else's, at a fixed
cost however many there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import TraineeFactory, UserFactory
from courses.tests.factories import CourseFactory, EnrolmentFactory


@pytest.mark.django_db
def test_lists_own_active_and_withdrawn_courses_only(client):
    trainee = TraineeFactory()
    EnrolmentFactory(trainee=trainee, course=CourseFactory(title="Botox foundations"))
    EnrolmentFactory(trainee=trainee, course=CourseFactory(title="Advanced toxins"), status="withdrawn")
    EnrolmentFactory(trainee=TraineeFactory(), course=CourseFactory(title="Someone else's course"))
    client.force_login(trainee)
    page = client.get("/me/courses/").content.decode()
    assert "Botox foundations" in page
    assert "Advanced toxins" in page
    assert "Withdrawn" in page
    assert "Someone else&#x27;s course" not in page


@pytest.mark.django_db
def test_a_trainee_without_courses_is_pointed_to_the_catalogue(client):
    client.force_login(TraineeFactory())
    page = client.get("/me/courses/").content.decode()
    assert "You are not enrolled in a course yet" in page
    assert 'href="/courses/"' in page


@pytest.mark.django_db
def test_only_trainees_have_my_courses(client):
    client.force_login(UserFactory(is_trainee=False, is_instructor=True))
    assert client.get("/me/courses/").status_code == 403


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_with_1_and_8_courses(client):
    trainee = TraineeFactory()
    client.force_login(trainee)
    EnrolmentFactory(trainee=trainee)
    client.get("/me/courses/")  # warm: session, user
    with CaptureQueriesContext(connection) as one:
        assert client.get("/me/courses/").status_code == 200
    for _ in range(7):
        EnrolmentFactory(trainee=trainee)
    with CaptureQueriesContext(connection) as eight:
        page = client.get("/me/courses/").content.decode()
    assert page.count('class="card"') >= 8
    assert len(eight) == len(one)
