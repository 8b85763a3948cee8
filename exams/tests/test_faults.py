"""Fault injection on the written exam: the PostgreSQL connection is cut (the server
terminates the backend, as a restart, a failover or a network cut would) while a submit
is being graded. The trainee gets an error page, the attempt is either graded or
untouched, never half, and submitting again grades it once."""

from __future__ import annotations

import json

import psycopg2
import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from accounts.tests.factories import LicenceFactory, TraineeFactory
from certification.services import awards as certification_services
from core.models import AuditEvent
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory, course_with_lessons
from exams.models import Attempt, AttemptItem
from exams.services import grading as services  # where the grade goes on the audit trail
from exams.tests.factories import exam_for
from tests.support.written import tokens

pytestmark = [pytest.mark.postgres]


def terminate_this_backend() -> None:
    """Have the server end this process's database session, from a second connection,
    and wait until it has gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


def cut_before(monkeypatch, target, name: str, *, when=lambda *args, **kwargs: True) -> list:
    """Terminate the database session just before ``target.name`` runs (once)."""
    original = getattr(target, name)
    cuts = []

    def wrapper(*args, **kwargs):
        if not cuts and when(*args, **kwargs):
            cuts.append(name)
            terminate_this_backend()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)
    return cuts


# Where the cut lands, in the order a submit does things: the items are marked right or
# wrong; the attempt row is updated and the grade goes on the audit trail; then the
# passed trainee's certificates and award are looked at (a signal, same transaction).
CUT_POINTS = {
    "marking the items": lambda mp: cut_before(mp, AttemptItem.objects, "bulk_update"),
    "recording the grade": lambda mp: cut_before(
        mp, services, "audit_record", when=lambda **kwargs: kwargs.get("action") == "attempt.graded"
    ),
    "checking the award": lambda mp: cut_before(mp, certification_services, "awards_for_trainee"),
}


@pytest.fixture
def sitting(transactional_db, postgres, client_for):
    """A trainee in an open attempt with every answer saved (all correct: a pass)."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(1)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
    exam_for(course, per_topic=2)
    client = client_for(trainee)
    response = client.post(reverse("exams:start", args=[course.code]))
    attempt = Attempt.objects.get(pk=response["Location"].split("/")[2])
    for item in attempt.items.all():
        response = client.post(
            reverse("exams:autosave", args=[attempt.pk]),
            json.dumps({"position": item.position, "keys": tokens(attempt, item.correct_keys)}),
            content_type="application/json",
        )
        assert response.status_code == 200
    return client, attempt


def snapshot(attempt: Attempt) -> dict:
    attempt.refresh_from_db()
    return {
        "status": attempt.status,
        "score": attempt.score,
        "percent": attempt.percent,
        "submitted_at": attempt.submitted_at,
        "marked": sorted(AttemptItem.objects.filter(attempt=attempt).values_list("position", "is_correct")),
        "responses": sorted(AttemptItem.objects.filter(attempt=attempt).values_list("position", "response")),
        "graded_events": AuditEvent.objects.filter(action="attempt.graded", object_id=str(attempt.pk)).count(),
    }


@pytest.mark.parametrize("point", CUT_POINTS)
def test_a_connection_cut_mid_submit_shows_an_error_and_leaves_the_attempt_untouched(sitting, monkeypatch, point):
    client, attempt = sitting
    before = snapshot(attempt)
    assert before["status"] == Attempt.Status.OPEN
    assert before["graded_events"] == 0
    cuts = CUT_POINTS[point](monkeypatch)
    client.raise_request_exception = False

    response = client.post(reverse("exams:submit", args=[attempt.pk]))

    assert cuts, f"the submit never reached {point}"
    assert response.status_code == 500
    assert isinstance(response.exc_info[1], DatabaseError), response.exc_info
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "submit it again" in page
    monkeypatch.undo()
    # Nothing of the submit was kept: the attempt is open with its answers, unmarked.
    assert snapshot(attempt) == before

    # Submitting again (the connection is re-opened) grades it, once.
    response = client.post(reverse("exams:submit", args=[attempt.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:result", args=[attempt.pk])
    after = snapshot(attempt)
    assert after["status"] == Attempt.Status.SUBMITTED
    assert after["score"] == len(after["marked"])
    assert after["percent"] == 100
    assert all(correct for _position, correct in after["marked"])
    assert after["responses"] == before["responses"]
    assert after["graded_events"] == 1
    assert client.get(reverse("exams:result", args=[attempt.pk])).status_code == 200
    # And a third submit (a double click) changes nothing.
    client.post(reverse("exams:submit", args=[attempt.pk]))
    assert snapshot(attempt) == after
