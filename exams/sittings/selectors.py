"""Reads for sittings: the pages' look-ups (others' objects answer 404) and the
invigilator's live table, in a fixed number of queries however many candidates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Licence, User
from courses.models import Course, Enrolment
from exams.models import Accommodation, Booking, Sitting, SittingEvent


def get_sitting_for_invigilator(user: User, pk) -> Sitting:
    """The sitting if the user invigilates it or is an administrator; 404 otherwise."""
    sittings = Sitting.objects.select_related("course")
    if not user.is_administrator:
        sittings = sittings.filter(invigilators=user)
    sitting = sittings.filter(pk=pk).first()
    if sitting is None:
        raise Http404
    return sitting


def get_sitting_for_staff(pk) -> Sitting:
    sitting = Sitting.objects.select_related("course").filter(pk=pk).first()
    if sitting is None:
        raise Http404
    return sitting


def get_booking_in(sitting: Sitting, pk) -> Booking:
    booking = Booking.objects.filter(pk=pk, sitting=sitting, status=Booking.Status.BOOKED).first()
    if booking is None:
        raise Http404
    return booking


def get_own_booking(user: User, code: str, pk) -> Booking:
    booking = (
        Booking.objects.filter(pk=pk, enrolment__trainee=user, enrolment__course__code=code)
        .select_related("sitting")
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def sittings_for_course(course: Course) -> list[Sitting]:
    """Every sitting of the course, soonest first, with its number of bookings."""
    return list(
        Sitting.objects.filter(course=course)
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .prefetch_related("invigilators")
    )


def sittings_bookable(enrolment: Enrolment, now: datetime.datetime | None = None) -> list[Sitting]:
    """Sittings of the enrolment's course that have not closed, with places booked."""
    now = now or timezone.now()
    return list(
        Sitting.objects.filter(course_id=enrolment.course_id, closes_at__gt=now).annotate(
            booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED))
        )
    )


def booking_pending(enrolment: Enrolment, now: datetime.datetime | None = None) -> Booking | None:
    """The candidate's booking not yet started, unless its sitting (and any personal
    window) has closed: then they may book another."""
    now = now or timezone.now()
    booking = (
        Booking.objects.filter(enrolment=enrolment, status=Booking.Status.BOOKED, attempt__isnull=True)
        .select_related("sitting")
        .first()
    )
    if booking is not None and booking.sitting.closes_at <= now:
        window = Accommodation.objects.filter(enrolment=enrolment, window_closes_at__gt=now).exists()
        return booking if window else None
    return booking


def sittings_invigilated(user: User, now: datetime.datetime | None = None) -> list[Sitting]:
    """The sittings the user invigilates that have not closed more than a day ago."""
    now = now or timezone.now()
    return list(
        Sitting.objects.filter(invigilators=user, closes_at__gt=now - datetime.timedelta(days=1))
        .select_related("course")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
    )


def sitting_bookings(sitting: Sitting) -> list[Booking]:
    return list(
        sitting.bookings.filter(status=Booking.Status.BOOKED).select_related(
            "enrolment__trainee", "attempt", "enrolment__accommodation"
        )
    )


def accommodations_for_course(course: Course) -> list[Accommodation]:
    return list(
        Accommodation.objects.filter(enrolment__course=course)
        .select_related("enrolment__trainee", "set_by")
        .order_by("enrolment__trainee__email")
    )


@dataclass
class Row:
    """One candidate on the invigilator's page."""

    booking: Booking
    name: str
    email: str
    licence: Licence | None
    accommodation: Accommodation | None
    state: str  # booked, checked_in, started, paused, submitted
    seconds_left: int | None

    @property
    def time_left(self) -> str:
        if self.seconds_left is None:
            return ""
        minutes, seconds = divmod(self.seconds_left, 60)
        return f"{minutes}:{seconds:02d}"


def invigilation_rows(sitting: Sitting, now: datetime.datetime | None = None) -> list[Row]:
    """The sitting's booked candidates with their check-in, attempt and time left: two
    queries (the bookings with their candidate, attempt and accommodation; their valid
    licences)."""
    now = now or timezone.now()
    valid = Licence.objects.filter(status=Licence.Status.VERIFIED, expires_on__gt=timezone.localdate()).select_related(
        "jurisdiction"
    )
    bookings = (
        sitting.bookings.filter(status=Booking.Status.BOOKED)
        .select_related("enrolment__trainee", "attempt", "enrolment__accommodation")
        .prefetch_related(Prefetch("enrolment__trainee__licences", queryset=valid, to_attr="valid_licences"))
        .order_by("enrolment__trainee__legal_name", "enrolment__trainee__email")
    )
    rows = []
    for booking in bookings:
        trainee = booking.enrolment.trainee
        attempt = booking.attempt
        seconds = None
        if attempt is None:
            state = "checked_in" if booking.checked_in_at else "booked"
        elif attempt.status != attempt.Status.OPEN:
            state = "submitted"
        else:
            state = "paused" if attempt.paused_at else "started"
            seconds = max(int((attempt.deadline - (attempt.paused_at or now)).total_seconds()), 0)
        rows.append(
            Row(
                booking=booking,
                name=trainee.legal_name,
                email=trainee.email,
                licence=trainee.valid_licences[0] if trainee.valid_licences else None,
                accommodation=getattr(booking.enrolment, "accommodation", None),
                state=state,
                seconds_left=seconds,
            )
        )
    return rows


def sitting_events(sitting: Sitting, limit: int = 50) -> list[SittingEvent]:
    return list(sitting.events.select_related("author", "booking__enrolment__trainee")[:limit])


def invigilators_choices():
    return User.objects.filter(Q(is_examiner=True) | Q(is_administrator=True), is_active=True).order_by("email")


def enrolments_for_booking(course: Course):
    return (
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
        .select_related("trainee")
        .order_by("trainee__email")
    )
