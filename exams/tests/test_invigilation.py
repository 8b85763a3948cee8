"""The invigilator's live page: who may see it, what it shows, its actions through the
page (with their refusals beside the form), the polled fragment, and a fixed number of
queries at 10 and 200 candidates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.tests.factories import EnrolmentFactory
from exams.models import Accommodation, Attempt, Booking, SittingEvent
from exams.services import attempts as attempt_services
from exams.tests.factories import AttemptFactory
from tests.support.sittings import booked, invigilator, scheduled_course, sitting_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    course, admin = scheduled_course()
    proctor = invigilator()
    sitting = sitting_for(course, admin, invigilators=[proctor])
    return sitting, admin, proctor


def page(client, sitting, **params):
    return client.get(reverse("exams:invigilate", args=[sitting.pk]), params)


def act(client, sitting, **data):
    return client.post(reverse("exams:invigilate_act", args=[sitting.pk]), data)


def test_only_its_invigilators_and_administrators_see_the_page(room, client_for):
    sitting, admin, proctor = room
    booking = booked(sitting, admin)
    assert page(client_for(proctor), sitting).status_code == 200
    assert page(client_for(admin), sitting).status_code == 200
    assert page(client_for(invigilator()), sitting).status_code == 404
    assert page(client_for(booking.enrolment.trainee), sitting).status_code == 403
    other = invigilator()
    response = act(client_for(other), sitting, action="incident", text="x")
    assert response.status_code == 404
    assert not SittingEvent.objects.exists()


def test_the_page_shows_candidates_licence_names_accommodations_and_time_left(room, client_for):
    sitting, admin, proctor = room
    waiting = booked(sitting, admin)
    writing = booked(sitting, admin, checked_in_by=proctor)
    Accommodation.objects.create(enrolment=writing.enrolment, time_multiplier="1.50", reason="Dyslexia", set_by=admin)
    attempt_services.attempt_start(trainee=writing.enrolment.trainee, enrolment=writing.enrolment)
    html = page(client_for(proctor), sitting).content.decode()
    licence = waiting.enrolment.trainee.licences.get()
    assert waiting.enrolment.trainee.legal_name in html
    assert licence.number in html
    assert "1.5× time" in html
    assert "Dyslexia" in html
    assert "writing" in html
    assert "44:" in html
    assert 'id="live"' in html
    assert "invigilate.js" in html
    assert "Refresh" in html
    fragment = page(client_for(proctor), sitting, fragment="1")
    assert fragment["Cache-Control"].startswith("max-age=0")
    body = fragment.content.decode()
    assert "<html" not in body
    assert "1.5× time" in body


def test_check_in_needs_the_identity_tick_and_says_so_beside_the_candidate(room, client_for):
    sitting, admin, proctor = room
    booking = booked(sitting, admin)
    client = client_for(proctor)
    response = act(client, sitting, action="check_in", booking=booking.pk)
    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index(f'id="booking-{booking.pk}"') :]
    assert "Tick to confirm the photo ID" in row[: row.index("</tr>")]
    booking.refresh_from_db()
    assert booking.checked_in_at is None
    response = act(client, sitting, action="check_in", booking=booking.pk, identity_confirmed="on")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.checked_in_by == proctor
    assert booking.identity_confirmed


def test_extend_and_pause_one_candidate_through_the_page(room, client_for):
    sitting, admin, proctor = room
    booking = booked(sitting, admin, checked_in_by=proctor)
    attempt = attempt_services.attempt_start(trainee=booking.enrolment.trainee, enrolment=booking.enrolment)
    client = client_for(proctor)
    response = act(client, sitting, action="extend", booking=booking.pk, minutes="abc", reason="Late")
    assert response.status_code == 400
    assert "Enter a whole number" in response.content.decode()
    assert act(client, sitting, action="extend", booking=booking.pk, minutes="15", reason="Late").status_code == 302
    before = attempt.deadline
    attempt.refresh_from_db()
    assert (attempt.deadline - before).total_seconds() == 15 * 60
    response = act(client, sitting, action="pause", booking=booking.pk, reason="")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    act(client, sitting, action="pause", booking=booking.pk, reason="Unwell")
    attempt.refresh_from_db()
    assert attempt.paused_at is not None
    assert "paused" in page(client, sitting, fragment="1").content.decode()


def test_pausing_the_whole_room_needs_confirmation(room, client_for):
    sitting, admin, proctor = room
    booking = booked(sitting, admin, checked_in_by=proctor)
    attempt_services.attempt_start(trainee=booking.enrolment.trainee, enrolment=booking.enrolment)
    client = client_for(proctor)
    response = act(client, sitting, action="pause_room", **{"room-reason": "Fire alarm"})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert not Attempt.objects.filter(paused_at__isnull=False).exists()
    act(client, sitting, action="pause_room", **{"room-reason": "Fire alarm", "room-confirm": "yes"})
    assert Attempt.objects.filter(paused_at__isnull=False).count() == 1
    html = page(client, sitting).content.decode()
    assert "The room is paused" in html
    assert "Resume every paused candidate" in html
    act(client, sitting, action="incident", text="Alarm tested by facilities; all left calmly.")
    act(client, sitting, action="resume_room", **{"room-reason": "All clear"})
    assert not Attempt.objects.filter(paused_at__isnull=False).exists()
    log = page(client, sitting).content.decode()
    assert "Alarm tested by facilities" in log
    assert "Room paused" in log
    assert "Room resumed" in log


def _fill(sitting, admin, n):
    """n booked candidates straight into the database: a third writing, a third with an
    accommodation, all with a verified licence."""
    for index in range(n):
        trainee = TraineeFactory()
        LicenceFactory(holder=trainee, verified=True)
        enrolment = EnrolmentFactory(trainee=trainee, course=sitting.course)
        attempt = AttemptFactory(enrolment=enrolment) if index % 3 == 0 else None
        if index % 3 == 1:
            Accommodation.objects.create(enrolment=enrolment, extra_attempts=1, reason="Illness", set_by=admin)
        Booking.objects.create(
            sitting=sitting, enrolment=enrolment, booked_at=timezone.now(), booked_by=admin, attempt=attempt
        )


def test_the_page_runs_the_same_queries_for_10_and_200_candidates(room, client_for, django_assert_num_queries):
    sitting, admin, proctor = room
    client = client_for(proctor)
    _fill(sitting, admin, 10)
    page(client, sitting)  # the session is warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        assert page(client, sitting).status_code == 200
        assert page(client, sitting, fragment="1").status_code == 200
    _fill(sitting, admin, 190)
    with django_assert_num_queries(len(ten)):
        html = page(client, sitting).content.decode()
        page(client, sitting, fragment="1")
    assert html.count('id="booking-') == 200
