"""Authoring OSCE stations and rubric versions (exams.practical.authoring): a version
used by an assessment or a score is read-only and saving makes the next version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEvent
from courses.tests.factories import CourseFactory
from exams.models import PracticalExam, RubricVersion, Station
from exams.tests.factories import AssessmentFactory, PracticalExamFactory, StationFactory

pytestmark = pytest.mark.django_db


def rubric_data(station, criteria, *, pass_mark="3", note="", initial=0) -> dict:  # noqa: S107
    data = {
        "station-title": station.title, "station-instructions": station.instructions,
        "pass_mark": pass_mark, "note": note,
        "criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (text, points, critical) in enumerate(criteria):
        data[f"criteria-{i}-text"] = text
        data[f"criteria-{i}-points"] = str(points)
        if critical:
            data[f"criteria-{i}-critical"] = "on"
    return data


def test_an_administrator_sets_up_the_practical_a_station_and_its_first_rubric(client_for, administrator):
    course = CourseFactory()
    client = client_for(administrator)
    url = reverse("exams:practical_stations", args=[course.code])
    page = client.get(url).content.decode()
    assert 'name="exam-overall_pass_percent"' in page
    assert "Add a station" not in page
    client.post(url, {"save_exam": "1", "exam-overall_pass_percent": "65", "exam-attempts_allowed": "2"})
    assert PracticalExam.objects.get(course=course).overall_pass_percent == 65
    response = client.post(url, {"add_station": "1", "station-title": "Glabellar complex", "station-instructions": ""})
    station = Station.objects.get(practical__course=course)
    assert response["Location"] == reverse("exams:practical_rubric", args=[station.pk])
    response = client.post(
        reverse("exams:practical_rubric", args=[station.pk]),
        rubric_data(station, [("Marks the five points", 2, False), ("Aspirates / avoids vessels", 2, True)]),
    )
    assert response.status_code == 302
    version = RubricVersion.objects.get(station=station)
    assert version.number == 1
    assert version.pass_mark == Decimal(3)
    assert [(c.text, c.points, c.critical) for c in version.criteria.all()] == [
        ("Marks the five points", 2, False),
        ("Aspirates / avoids vessels", 2, True),
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"practical.created", "practical.station_created", "practical.rubric_version_created"} <= actions
    page = client.get(url).content.decode()
    assert "1. Glabellar complex" in page
    assert "v1, pass mark 3" in page


def test_an_unused_version_is_corrected_in_place(client_for, administrator):
    station = StationFactory(with_rubric=True)
    version = station.versions.get()
    response = client_for(administrator).post(
        reverse("exams:practical_rubric", args=[station.pk]),
        rubric_data(station, [("Reworded", 3, True), ("Second", 2, False)], pass_mark="4"),
    )
    assert response.status_code == 302
    assert list(station.versions.values_list("pk", flat=True)) == [version.pk]
    assert list(version.criteria.values_list("text", flat=True)) == ["Reworded", "Second"]
    assert AuditEvent.objects.filter(action="practical.rubric_updated", object_id=str(version.pk)).exists()


def test_a_used_version_is_read_only_and_editing_creates_the_next(client_for, administrator):
    station = StationFactory(with_rubric=True)
    used = station.versions.get()
    before = [(c.text, c.points, c.critical) for c in used.criteria.all()]
    AssessmentFactory(rubrics=[used])
    client = client_for(administrator)
    page = client.get(reverse("exams:practical_rubric", args=[station.pk])).content.decode()
    assert "Version 1 (in use: read-only)" in page
    assert "Edit as version 2" in page
    response = client.post(
        reverse("exams:practical_rubric", args=[station.pk]),
        rubric_data(station, [("Only one now", 5, True)], pass_mark="4", note="simplified"),
    )
    assert response.status_code == 302
    used.refresh_from_db()
    assert [(c.text, c.points, c.critical) for c in used.criteria.all()] == before
    newest = station.versions.order_by("-number").first()
    assert newest.number == 2
    assert newest.note == "simplified"
    assert list(newest.criteria.values_list("text", "points", "critical")) == [("Only one now", 5, True)]
    event = AuditEvent.objects.get(action="practical.rubric_version_created")
    assert event.details["replaces"] == 1


def test_a_pass_mark_above_the_total_is_refused_at_the_field(client_for, administrator):
    station = StationFactory(with_rubric=True)
    response = client_for(administrator).post(
        reverse("exams:practical_rubric", args=[station.pk]), rubric_data(station, [("One", 2, False)], pass_mark="5")
    )
    assert response.status_code == 200
    assert response.context["rubric_form"].errors == {
        "pass_mark": ["The pass mark cannot be above the rubric's total of 2 points."]
    }
    assert "rubric_updated" not in "".join(AuditEvent.objects.values_list("action", flat=True))


def test_rubric_pages_are_for_administrators_only(client_for, instructor, trainee):
    station = StationFactory(with_rubric=True, practical=PracticalExamFactory())
    for user in (instructor, trainee):
        client = client_for(user)
        assert client.get(reverse("exams:practical_rubric", args=[station.pk])).status_code == 403
        assert client.get(reverse("exams:practical_stations", args=[station.practical.course.code])).status_code == 403
