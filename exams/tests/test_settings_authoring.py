"""The exam settings page (exams.authoring): the blueprint as topics × counts beside the
bank's active items, checked against the bank; pass marks for administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from courses.tests.factories import CourseFactory
from exams.models import ExamSettings
from exams.tests.factories import QuestionFactory, exam_for

pytestmark = pytest.mark.django_db


def settings_data(**overrides) -> dict:
    data = {
        "time_limit_minutes": 45, "attempts_allowed": 3, "wait_hours": 24, "review": "topics",
        "case_sets_per_attempt": 0, "pass_mark_percent": 70,
        "topic_pharmacology": 2, "topic_anatomy": 2, "topic_assessment": 0, "topic_technique": 0,
        "topic_complications": 0, "topic_ethics": 0,
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def course(instructor):
    course = CourseFactory(instructors=[instructor])
    exam_for(course, per_topic=3)  # 3 active items on pharmacology and on anatomy
    QuestionFactory(course=course, topic="anatomy", status="draft")  # not counted
    return course


def test_the_table_shows_the_active_items_beside_each_topic(client_for, administrator, course):
    page = client_for(administrator).get(reverse("exams:settings", args=[course.code])).content.decode()
    assert 'name="topic_anatomy"' in page
    assert 'value="3"' in page
    assert page.count("3 available") == 2  # pharmacology and anatomy; the draft is not counted
    assert page.count("0 available") == 4
    assert 'name="pass_mark_percent"' in page


def test_a_blueprint_the_bank_cannot_fill_is_refused_at_its_topic(client_for, administrator, course):
    response = client_for(administrator).post(
        reverse("exams:settings", args=[course.code]), settings_data(topic_anatomy=5, time_limit_minutes=50)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["topic_anatomy"]
    assert errors["topic_anatomy"] == [
        "The bank has 3 active items on Anatomy outside case sets; lower the count or activate more items."
    ]
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'value="50"' in page
    assert ExamSettings.objects.get(course=course).blueprint == {"pharmacology": 3, "anatomy": 3}
    assert not AuditEvent.objects.exists()


def test_case_sets_and_an_empty_blueprint_are_checked_too(client_for, administrator, course):
    client = client_for(administrator)
    response = client.post(reverse("exams:settings", args=[course.code]), settings_data(case_sets_per_attempt=1))
    assert response.context["form"].errors == {
        "case_sets_per_attempt": ["The bank has 0 active case sets; lower the number or activate more case sets."]
    }
    response = client.post(
        reverse("exams:settings", args=[course.code]), settings_data(topic_pharmacology=0, topic_anatomy=0)
    )
    assert "An attempt needs at least one item" in response.content.decode()


def test_an_administrator_saves_settings_and_the_change_is_audited(client_for, administrator, course):
    response = client_for(administrator).post(
        reverse("exams:settings", args=[course.code]), settings_data(topic_anatomy=1, pass_mark_percent=80)
    )
    assert response.status_code == 302
    settings = ExamSettings.objects.get(course=course)
    assert settings.blueprint == {"pharmacology": 2, "anatomy": 1}
    assert settings.pass_mark_percent == 80
    assert settings.time_limit_minutes == 45
    event = AuditEvent.objects.get(action="exam_settings.updated")
    assert event.actor == administrator
    assert event.details["changed"]["pass_mark_percent"] == {"before": 50, "after": 80}


def test_an_instructor_sets_the_blueprint_but_not_the_pass_mark(client_for, instructor, course):
    client = client_for(instructor)
    page = client.get(reverse("exams:settings", args=[course.code])).content.decode()
    assert 'name="pass_mark_percent"' not in page
    assert "Pass mark: 50% (set by the administrators)." in page
    response = client.post(reverse("exams:settings", args=[course.code]), settings_data(pass_mark_percent=5))
    assert response.status_code == 302
    settings = ExamSettings.objects.get(course=course)
    assert settings.pass_mark_percent == 50
    assert settings.blueprint == {"pharmacology": 2, "anatomy": 2}


def test_settings_are_created_for_a_course_without_any(client_for, administrator):
    course = CourseFactory()
    QuestionFactory(course=course, topic="ethics")
    response = client_for(administrator).post(
        reverse("exams:settings", args=[course.code]),
        settings_data(topic_pharmacology=0, topic_anatomy=0, topic_ethics=1),
    )
    assert response.status_code == 302
    assert ExamSettings.objects.get(course=course).blueprint == {"ethics": 1}
    assert AuditEvent.objects.filter(action="exam_settings.created").exists()


def test_an_instructor_of_another_course_gets_404(client_for, instructor):
    other = CourseFactory()
    assert client_for(instructor).get(reverse("exams:settings", args=[other.code])).status_code == 404
