"""Sittings: booking, pre-drawn papers, starting only in a booked sitting's window (after
check-in at a venue), accommodations, and what invigilators do to the clock."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from courses import services as course_services
from exams.models import Accommodation, Attempt, Booking, Paper, SittingEvent
from exams.services import answers
from exams.services import attempts as attempt_services
from exams.sittings import services
from tests.support.sittings import booked, eligible, invigilator, scheduled_course, sitting_for
from tests.support.written import autosave

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    course, admin = scheduled_course()
    proctor = invigilator()
    sitting = sitting_for(course, admin, invigilators=[proctor])
    return course, admin, proctor, sitting


def start(booking):
    return attempt_services.attempt_start(trainee=booking.enrolment.trainee, enrolment=booking.enrolment)


def refused(function, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        function(*args, **kwargs)
    return " ".join(error.value.messages)


# Booking and starting ---------------------------------------------------------------------


def test_without_a_booking_only_a_practice_exam_starts(world, client_for):
    course, _admin, _proctor, _sitting = world
    enrolment = eligible(course)
    assert "Book a sitting" in refused(attempt_services.attempt_start, trainee=enrolment.trainee, enrolment=enrolment)
    page = client_for(enrolment.trainee).get(reverse("exams:home", args=[course.code])).content.decode()
    assert "Book a sitting" in page
    assert "Start the exam" not in page
    course.exam_settings.allow_unscheduled = True
    course.exam_settings.save()
    assert attempt_services.attempt_start(trainee=enrolment.trainee, enrolment=enrolment).status == "open"


def test_a_trainee_books_from_the_exam_page_and_cancels_before_it_opens(world, client_for):
    course, admin, _proctor, _open_sitting = world
    later = sitting_for(course, admin, opens_in=24 * 60)
    enrolment = eligible(course)
    client = client_for(enrolment.trainee)
    response = client.post(reverse("exams:book", args=[course.code, later.pk]), follow=True)
    assert "Booked:" in response.content.decode()
    booking = Booking.objects.get(enrolment=enrolment)
    assert booking.sitting == later
    assert booking.booked_by == enrolment.trainee
    page = client.get(reverse("exams:home", args=[course.code])).content.decode()
    assert "You can start when the sitting opens" in page
    # Starting before it opens: a clear message, no attempt.
    assert "opens at" in refused(start, booking)
    client.post(reverse("exams:booking_cancel", args=[course.code, booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert AuditEvent.objects.filter(action="booking.cancelled").exists()


def test_booking_refuses_a_full_sitting_an_ineligible_trainee_and_a_second_booking(world):
    course, admin, _proctor, _sitting = world
    small = sitting_for(course, admin, capacity=1, opens_in=60)
    booked(small, admin)
    assert "full (1 places)" in refused(services.booking_create, sitting=small, enrolment=eligible(course), actor=admin)
    other = sitting_for(course, admin, opens_in=120)
    enrolment = eligible(course)
    services.booking_create(sitting=other, enrolment=enrolment, actor=admin)
    assert "already booked" in refused(services.booking_create, sitting=small, enrolment=enrolment, actor=admin)
    enrolment.completions.all().delete()
    enrolment.bookings.update(status="cancelled")
    assert "Complete every lesson" in refused(services.booking_create, sitting=other, enrolment=enrolment, actor=admin)
    # The database holds the one-pending-booking rule even if the service is bypassed.
    second = eligible(course)
    Booking.objects.create(sitting=other, enrolment=second, booked_at=timezone.now(), booked_by=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(sitting=small, enrolment=second, booked_at=timezone.now(), booked_by=admin)


def test_a_venue_candidate_starts_only_after_check_in_and_opens_the_pre_drawn_paper(world, django_assert_num_queries):
    _course, admin, proctor, sitting = world
    booking = booked(sitting, admin)
    assert services.sitting_draw_papers(sitting.pk) == 1
    assert services.sitting_draw_papers(sitting.pk) == 0  # idempotent
    paper = Paper.objects.get(booking=booking)
    assert "Check in with the invigilator" in refused(start, booking)
    assert "Tick to confirm" in refused(
        services.booking_check_in, booking=booking, identity_confirmed=False, actor=proctor
    )
    services.booking_check_in(booking=booking, identity_confirmed=True, actor=proctor)
    # No bank reads: the locks, the eligibility checks, the booking with its paper, the
    # attempt, its items in one insert, the paper's delete, the audit (and savepoints; on
    # PostgreSQL the audit chain's advisory lock too).
    with django_assert_num_queries(19 + (connection.vendor == "postgresql")):
        attempt = start(booking)
    items = list(attempt.items.order_by("position").values("question_id", "options", "correct_keys"))
    assert items == [
        {"question_id": v["question_id"], "options": v["options"], "correct_keys": v["correct_keys"]}
        for v in paper.items
    ]
    assert not Paper.objects.filter(pk=paper.pk).exists()
    booking.refresh_from_db()
    assert booking.attempt == attempt
    # Starting again returns the same attempt; nothing new is drawn.
    assert start(booking) == attempt
    assert Attempt.objects.filter(enrolment=booking.enrolment).count() == 1


def test_a_closed_sitting_refuses_the_start(world):
    course, admin, _proctor, _sitting = world
    sitting = sitting_for(course, admin, venue="", opens_in=-60, minutes=240)
    booking = booked(sitting, admin)
    type(sitting).objects.filter(pk=sitting.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "closed at" in refused(start, booking)
    assert not Attempt.objects.exists()


def test_remote_sittings_need_no_check_in_and_draw_at_booking_when_open(world, django_capture_on_commit_callbacks):
    course, admin, _proctor, _sitting = world
    remote = sitting_for(course, admin, venue="")
    with django_capture_on_commit_callbacks(execute=True):
        booking = booked(remote, admin)
    assert Paper.objects.filter(booking=booking).exists()
    assert start(booking).status == "open"


def test_the_beat_draws_papers_of_sittings_opening_soon_only(world):
    course, admin, _proctor, sitting = world
    far = sitting_for(course, admin, opens_in=3 * 24 * 60)
    booked(sitting, admin)
    booked(far, admin)
    assert services.sittings_due_for_papers() == [sitting.pk]
    from exams.tasks import sittings_draw_due_task

    assert sittings_draw_due_task() == 1
    assert services.sittings_due_for_papers() == []
    assert not Paper.objects.filter(booking__sitting=far).exists()


def test_a_cancelled_or_withdrawn_candidates_paper_is_discarded(world):
    course, admin, _proctor, sitting = world
    cancelled, withdrawn = booked(sitting, admin), booked(sitting, admin)
    services.sitting_draw_papers(sitting.pk)
    assert Paper.objects.count() == 2
    # The sitting is open: the trainee can no longer cancel, an administrator can.
    assert "can no longer be cancelled" in refused(
        services.booking_cancel, booking=cancelled, actor=cancelled.enrolment.trainee
    )
    services.booking_cancel(booking=cancelled, actor=admin)
    course_services.enrolment_withdraw(trainee=withdrawn.enrolment.trainee, course=course)
    assert Paper.objects.count() == 0
    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}


# Accommodations ---------------------------------------------------------------------------


def test_accommodations_set_the_deadline_the_attempts_and_a_personal_window(world, client_for):
    course, admin, proctor, sitting = world
    booking = booked(sitting, admin, checked_in_by=proctor)
    response = client_for(admin).post(
        reverse("exams:accommodations", args=[course.code]),
        {"enrolment": booking.enrolment.pk, "time_multiplier": "1.50", "extra_attempts": "1", "reason": ""},
    )
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    client_for(admin).post(
        reverse("exams:accommodations", args=[course.code]),
        {"enrolment": booking.enrolment.pk, "time_multiplier": "1.50", "extra_attempts": "1", "reason": "Dyslexia"},
    )
    accommodation = Accommodation.objects.get(enrolment=booking.enrolment)
    assert accommodation.time_multiplier == Decimal("1.50")
    assert accommodation.set_by == admin
    assert AuditEvent.objects.filter(action="accommodation.created", summary__contains="1.5× time").exists()
    attempt = start(booking)
    assert attempt.deadline - attempt.started_at == datetime.timedelta(minutes=45)  # 30 × 1.5
    settings = course.exam_settings
    assert attempt_services.attempts_allowed(settings, accommodation) == settings.attempts_allowed + 1
    # A personal window lets the candidate start outside the sitting's.
    later = sitting_for(course, admin, venue="", opens_in=24 * 60)
    other = booked(later, admin)
    assert "opens at" in refused(start, other)
    now = timezone.now()
    services.accommodation_set(
        accommodation=Accommodation(
            enrolment=other.enrolment, window_opens_at=now - datetime.timedelta(minutes=1),
            window_closes_at=now + datetime.timedelta(hours=1), reason="Religious observance on the sitting day",
        ),
        actor=admin,
    )  # fmt: skip
    assert start(other).status == "open"


def test_an_extra_attempt_lifts_the_attempts_used_blocker(world):
    course, admin, _proctor, _sitting = world
    enrolment = eligible(course)
    from exams.tests.factories import AttemptFactory

    for number in (1, 2):
        AttemptFactory(enrolment=enrolment, number=number, passing=True, passed=False)
    assert any("all 2 attempts" in b for b in attempt_services.attempt_blockers(enrolment=enrolment))
    Accommodation.objects.create(enrolment=enrolment, extra_attempts=1, reason="Illness on the day", set_by=admin)
    assert attempt_services.attempt_blockers(enrolment=enrolment) == []


# The clock: pause, resume, extend ---------------------------------------------------------


@pytest.fixture
def writing(world):
    _course, admin, proctor, sitting = world
    booking = booked(sitting, admin, checked_in_by=proctor)
    attempt = start(booking)
    booking.refresh_from_db()
    return booking, attempt, proctor


def test_a_paused_attempt_refuses_answers_and_does_not_expire(writing, client_for):
    booking, attempt, proctor = writing
    trainee = booking.enrolment.trainee
    item = attempt.items.first()
    assert "Give a reason" in refused(services.attempt_pause, booking=booking, reason=" ", actor=proctor)
    services.attempt_pause(booking=booking, reason="Candidate unwell", actor=proctor)
    response = autosave(client_for(trainee), attempt, position=item.position, keys=item.correct_keys)
    assert response.status_code == 409
    body = response.json()
    assert body["paused"] is True
    assert body["closed"] is False
    assert "paused your exam" in body["error"]
    item.refresh_from_db()
    assert item.response == []
    # Past the deadline while paused: neither the sweep nor a page closes it.
    now = timezone.now()
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=now - datetime.timedelta(hours=2), deadline=now - datetime.timedelta(seconds=1)
    )
    assert attempt_services.attempts_close_expired() == 0
    attempt.refresh_from_db()
    assert attempt.status == "open"
    assert not attempt_services.attempt_close_if_expired(attempt=attempt)


def test_resuming_adds_the_time_paused_to_the_deadline(writing):
    booking, attempt, proctor = writing
    services.attempt_pause(booking=booking, reason="Fire alarm", actor=proctor)
    paused_at = timezone.now() - datetime.timedelta(minutes=7)
    Attempt.objects.filter(pk=attempt.pk).update(paused_at=paused_at)
    before = attempt.deadline
    resumed = services.attempt_resume(booking=booking, reason="All clear", actor=proctor)
    assert resumed.paused_at is None
    gained = resumed.deadline - before
    assert datetime.timedelta(minutes=7) <= gained < datetime.timedelta(minutes=7, seconds=5)
    item = attempt.items.first()
    saved = answers.attempt_answer(
        attempt_id=attempt.pk, trainee=booking.enrolment.trainee, position=item.position, keys=item.correct_keys
    )
    assert saved.response == item.correct_keys
    kinds = list(SittingEvent.objects.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == ["check_in", "pause", "resume"]
    assert AuditEvent.objects.filter(action="attempt.resumed").exists()


def test_extra_time_moves_the_deadline_and_is_refused_after_the_submit(writing):
    booking, attempt, proctor = writing
    extended = services.attempt_extend(booking=booking, minutes=10, reason="Late start: fire drill", actor=proctor)
    assert extended.deadline - attempt.deadline == datetime.timedelta(minutes=10)
    attempt_services.attempt_submit(attempt=attempt, trainee=booking.enrolment.trainee)
    assert "has ended" in refused(services.attempt_extend, booking=booking, minutes=5, reason="x", actor=proctor)
    assert "between 1 and 240" in refused(
        services.attempt_extend, booking=booking, minutes=0, reason="x", actor=proctor
    )


def test_pausing_the_room_stops_every_clock_and_new_starts(world):
    _course, admin, proctor, sitting = world
    writing = [booked(sitting, admin, checked_in_by=proctor) for _ in range(2)]
    for booking in writing:
        start(booking)
    waiting = booked(sitting, admin, checked_in_by=proctor)
    assert services.room_pause(sitting=sitting, reason="Power cut", actor=proctor) == 2
    assert Attempt.objects.filter(paused_at__isnull=False).count() == 2
    assert "paused the room" in refused(start, waiting)
    assert services.room_resume(sitting=sitting, reason="Power back", actor=proctor) == 2
    assert Attempt.objects.filter(paused_at__isnull=False).count() == 0
    assert start(waiting).status == "open"


# Administrators' pages --------------------------------------------------------------------


def test_administrators_create_a_sitting_and_book_a_trainee_through_their_pages(world, client_for):
    course, admin, proctor, _sitting = world
    client = client_for(admin)
    url = reverse("exams:sittings_admin", args=[course.code])
    form = {"opens_at": "2030-01-10T09:00", "closes_at": "2030-01-10T08:00", "venue": "Hall B", "capacity": "12",
            "invigilators": [proctor.pk]}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200
    assert "must close after it opens" in response.content.decode()
    response = client.post(url, form | {"closes_at": "2030-01-10T12:00"})
    sitting = course.sittings.get(venue="Hall B")
    assert response["Location"] == reverse("exams:sitting_admin", args=[sitting.pk])
    assert list(sitting.invigilators.all()) == [proctor]
    assert AuditEvent.objects.filter(action="sitting.created", object_id=str(sitting.pk)).exists()
    enrolment = eligible(course)
    client.post(reverse("exams:sitting_admin", args=[sitting.pk]), {"form": "book", "enrolment": enrolment.pk})
    assert Booking.objects.get(enrolment=enrolment).booked_by == admin
    # Booking again: the reason at the field, nothing lost.
    response = client.post(
        reverse("exams:sitting_admin", args=[sitting.pk]), {"form": "book", "enrolment": enrolment.pk}
    )
    assert response.status_code == 400
    assert "already booked" in response.content.decode()
    assert client_for(proctor).get(url).status_code == 403
    assert client_for(enrolment.trainee).get(url).status_code == 403


def test_a_missed_sitting_does_not_stop_the_candidate_booking_another(world, client_for):
    course, admin, _proctor, sitting = world
    booking = booked(sitting, admin)
    type(sitting).objects.filter(pk=sitting.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    later = sitting_for(course, admin, opens_in=60)
    page = client_for(booking.enrolment.trainee).get(reverse("exams:home", args=[course.code])).content.decode()
    assert "Your sitting" not in page
    assert f"/exam/sittings/{later.pk}/book/" in page
    services.booking_create(sitting=later, enrolment=booking.enrolment, actor=booking.enrolment.trainee)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
