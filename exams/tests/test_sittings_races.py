"""Races on PostgreSQL at a sitting: parallel starts at the open make one attempt per
candidate from their pre-drawn papers; an extension racing a submit and a pause racing
an autosave end consistent."""

import pytest

from exams.models import Attempt, AttemptItem, Booking, Paper
from exams.services import answers
from exams.services import attempts as attempt_services
from exams.sittings import services
from tests.support.concurrency import run_together
from tests.support.sittings import booked, invigilator, scheduled_course, sitting_for


@pytest.fixture
def room(postgres, transactional_db):
    course, admin = scheduled_course()
    proctor = invigilator()
    sitting = sitting_for(course, admin, invigilators=[proctor])
    return sitting, admin, proctor


def test_parallel_starts_at_the_open_make_one_attempt_each_from_the_papers(room):
    sitting, admin, proctor = room
    bookings = [booked(sitting, admin, checked_in_by=proctor) for _ in range(8)]
    # The sitting is open: each booking's paper was drawn by its task on commit.
    assert Paper.objects.count() == 8
    assert services.sitting_draw_papers(sitting.pk) == 0
    papers = {p.booking_id: [i["question_id"] for i in p.items] for p in Paper.objects.all()}
    starts = [
        (lambda b=b: attempt_services.attempt_start(trainee=b.enrolment.trainee, enrolment=b.enrolment))
        for b in bookings
        for _click in range(2)
    ]
    assert run_together(starts) == []
    assert Attempt.objects.count() == 8
    assert not Paper.objects.exists()
    for booking in Booking.objects.select_related("attempt"):
        drawn = list(booking.attempt.items.order_by("position").values_list("question_id", flat=True))
        assert drawn == papers[booking.pk]


def test_an_extension_racing_a_submit_is_applied_before_it_or_refused(room):
    sitting, admin, proctor = room
    booking = booked(sitting, admin, checked_in_by=proctor)
    attempt = attempt_services.attempt_start(trainee=booking.enrolment.trainee, enrolment=booking.enrolment)
    booking.refresh_from_db()
    errors = run_together(
        [
            lambda: services.attempt_extend(booking=booking, minutes=10, reason="Late start", actor=proctor),
            lambda: attempt_services.attempt_submit(attempt=attempt, trainee=booking.enrolment.trainee),
        ]
    )
    final = Attempt.objects.get(pk=attempt.pk)
    assert final.status == "submitted"
    assert final.score is not None
    extended = (final.deadline - attempt.deadline).total_seconds()
    if errors:
        assert errors == [str(services.MSG_ATTEMPT_OVER)]
        assert extended == 0
    else:
        assert extended == 600
    assert final.submitted_at < final.deadline
    assert not final.closed_by_deadline


def test_a_pause_racing_an_autosave_never_saves_while_paused(room):
    sitting, admin, proctor = room
    booking = booked(sitting, admin, checked_in_by=proctor)
    trainee = booking.enrolment.trainee
    attempt = attempt_services.attempt_start(trainee=trainee, enrolment=booking.enrolment)
    booking.refresh_from_db()
    item = attempt.items.order_by("position").first()
    for _round in range(3):
        errors = run_together(
            [
                lambda: services.attempt_pause(booking=booking, reason="Unwell", actor=proctor),
                lambda: answers.attempt_answer(
                    attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=item.correct_keys
                ),
            ]
        )
        saved = AttemptItem.objects.get(pk=item.pk)
        paused = Attempt.objects.get(pk=attempt.pk).paused_at
        assert paused is not None
        if errors:
            assert errors == [str(answers.MSG_PAUSED)]
            assert saved.response == []
        else:
            assert saved.response == item.correct_keys
            assert saved.answered_at <= paused
        services.attempt_resume(booking=booking, reason="Better", actor=proctor)
        AttemptItem.objects.filter(pk=item.pk).update(response=[], answered_at=None)
