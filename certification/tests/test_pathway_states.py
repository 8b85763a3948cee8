"""Every sentence on the pathway comes from the same state the pathway decides from: one
test per state a trainee can be in (the stale sentences of issue 19 among them)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from certification.pathway import pathway_for
from courses.handson.selectors import Progress, RequirementStatus
from exams.selectors import WrittenState

COURSE = SimpleNamespace(code="BTA-101")


def _enrolment(done=4, total=4):
    return SimpleNamespace(lesson_total=total, lessons_done=done)


def _handson(signed=0, need=10):
    return RequirementStatus(
        signed=signed, performed=signed, required=need, recent_needed=0, recent_competent=0,
        types=[Progress("supervised", "Supervised", signed, need)],
    )  # fmt: skip


def _written(**fields):
    values = {"passed": False, "in_progress": False, "submitted": 0, "attempts_allowed": 3, "retry_at": None}
    return WrittenState(**{**values, **fields})


def _stages(**kwargs):
    values = {"has_valid_licence": True, "licence_waiting": False, "course": COURSE, "enrolment": _enrolment(),
              "handson": _handson(), "written": _written()}  # fmt: skip
    return {stage.key: stage for stage in pathway_for(**{**values, **kwargs})}


def test_theory_not_started_is_not_in_progress():
    theory = _stages(enrolment=_enrolment(done=0))["theory"]
    assert theory.state_label == "Not started"
    assert theory.action_label == "Start the first lesson"
    assert _stages(enrolment=_enrolment(done=1))["theory"].state_label == "In progress"


def test_no_signed_case_says_how_cases_are_arranged():
    handson = _stages(handson=_handson(signed=0))["handson"]
    assert handson.state_label == "Not started"
    assert "Supervised 0 of 10." in handson.detail
    assert "instructors arrange supervised sessions at their clinic" in handson.detail
    assert "a verified mentor of your own" in handson.detail
    started = _stages(handson=_handson(signed=1))["handson"]
    assert started.state_label == "In progress"
    assert "instructors arrange" not in started.detail


def test_the_written_exam_is_open_before_any_attempt():
    exam = _stages()["exam"]
    assert exam.detail.startswith("The written exam is open to you.")
    assert exam.state_label == "Not started"
    assert exam.action_url == reverse("exams:home", args=["BTA-101"])


def test_an_attempt_under_way_is_in_progress():
    exam = _stages(written=_written(in_progress=True))["exam"]
    assert exam.detail == "Your written exam is in progress; the clock is running."
    assert exam.action_label == "Continue the written exam"


def test_a_fail_with_a_wait_says_when_the_exam_reopens():
    retry = timezone.now() + datetime.timedelta(hours=20)
    exam = _stages(written=_written(submitted=1, retry_at=retry))["exam"]
    when = timezone.localtime(retry).strftime("%d %b %Y %H:%M")
    assert exam.detail == f"The written exam was not passed. You can take it again from {when} (2 attempts left)."
    assert "open to you" not in exam.detail


def test_a_fail_whose_wait_is_over_can_be_retaken_now():
    retry = timezone.now() - datetime.timedelta(minutes=1)
    exam = _stages(written=_written(submitted=2, retry_at=retry))["exam"]
    assert exam.detail == "The written exam was not passed. You can take it again now (1 attempts left)."


def test_a_scheduled_exam_asks_for_a_booking_then_names_the_sitting():
    unbooked = _stages(written=_written(scheduled_only=True))["exam"]
    assert unbooked.detail.startswith("The written exam is taken in a scheduled sitting: book one to sit it.")
    assert unbooked.action_label == "Book a sitting"
    opens = timezone.now() + datetime.timedelta(days=2)
    sitting = SimpleNamespace(opens_at=opens, closes_at=opens + datetime.timedelta(hours=3), place="Room 4")
    booked = _stages(written=_written(scheduled_only=True, sitting=sitting))["exam"]
    expected_open = timezone.localtime(opens).strftime("%d %b %Y %H:%M")
    expected_close = timezone.localtime(sitting.closes_at).strftime("%H:%M")
    assert booked.detail == f"Your written exam sitting: {expected_open} to {expected_close}, Room 4."


def test_no_attempts_left_is_said_plainly():
    exam = _stages(written=_written(submitted=3))["exam"]
    assert exam.detail.startswith("The written exam was not passed and all 3 attempts are used.")


def test_written_passed_with_the_hands_on_met_says_the_practical_is_being_scheduled():
    met = _stages(written=_written(passed=True, submitted=1), handson=_handson(signed=10))["exam"]
    assert met.detail.startswith("Written exam passed. The hands-on requirement is met: an administrator will")
    not_met = _stages(written=_written(passed=True, submitted=1), handson=_handson(signed=3))["exam"]
    assert "scheduled once the hands-on requirement is met" in not_met.detail


@pytest.mark.django_db
def test_the_dashboard_says_a_licence_awaits_verification_instead_of_none_valid(client):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee)  # submitted, not yet verified
    client.force_login(trainee)
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Your licence is awaiting verification by an administrator." in page
    assert "You have no valid verified licence" not in page
    assert "Meanwhile, browse the courses" in page


@pytest.mark.django_db
def test_a_verified_trainee_without_a_course_is_not_told_to_wait_for_verification(client):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    client.force_login(trainee)
    page = client.get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Your licence is verified: enrol in an accredited course" in page
    assert "Once your licence is verified" not in page
