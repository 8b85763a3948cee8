"""Sittings of the written exam: a window, a place and a capacity, the candidates booked
onto it with their pre-drawn papers, the invigilators and what they did (check-in,
extensions, pauses, incidents); and per-candidate accommodations."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Sitting(models.Model):
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="sittings")
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), help_text=_("No attempt can start after this time."))
    venue = models.CharField(
        _("venue"), max_length=200, blank=True, help_text=_("Leave empty for a remote sitting (no check-in).")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=30)
    invigilators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="invigilated_sittings", blank=True, verbose_name=_("invigilators")
    )
    # The whole room is paused while this is set (each open attempt has its own paused_at too).
    paused_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opens_at", "id"]
        indexes = [models.Index(fields=["opens_at", "closes_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="sitting_closes_after_opens"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="sitting_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} sitting {self.opens_at:%Y-%m-%d %H:%M} ({self.place})"

    @property
    def is_remote(self) -> bool:
        return not self.venue

    @property
    def place(self) -> str:
        return self.venue or str(_("Remote"))


class Booking(models.Model):
    """A candidate booked onto a sitting. Pending until its attempt starts (``attempt``
    set); a candidate has at most one pending booking per exam (a constraint)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="bookings")
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField()
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_confirmed = models.BooleanField(default=False)
    attempt = models.OneToOneField(
        "exams.Attempt", on_delete=models.PROTECT, null=True, blank=True, related_name="booking"
    )

    class Meta:
        ordering = ["sitting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="booked", attempt__isnull=True), name="booking_one_pending"
            ),
            models.UniqueConstraint(
                fields=["sitting", "enrolment"], condition=Q(status="booked"), name="booking_once_per_sitting"
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(identity_confirmed=True),
                name="booking_checkin_needs_identity",
            ),
            models.CheckConstraint(
                condition=Q(status="booked") | Q(attempt__isnull=True), name="booking_cancelled_has_no_attempt"
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.status})"


class Paper(models.Model):
    """A booked candidate's paper, drawn and snapshotted before the sitting opens: the
    attempt's items as values (what ``AttemptItem`` holds). Starting copies them into
    the attempt and deletes the paper; a cancelled booking's paper is deleted."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="paper")
    drawn_at = models.DateTimeField()
    items = models.JSONField()

    def __str__(self) -> str:
        return f"Paper for booking {self.booking_id}"


class Accommodation(models.Model):
    """Adjustments for one candidate's exam (an enrolment is a trainee in a course)."""

    MULTIPLIERS = [(Decimal(v), f"{v}×") for v in ("1.00", "1.25", "1.50", "2.00")]

    enrolment = models.OneToOneField("courses.Enrolment", on_delete=models.CASCADE, related_name="accommodation")
    time_multiplier = models.DecimalField(
        _("time multiplier"), max_digits=3, decimal_places=2, default=Decimal("1.00"), choices=MULTIPLIERS
    )
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    window_opens_at = models.DateTimeField(_("personal window opens"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("personal window closes"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(time_multiplier__gte=1, time_multiplier__lte=3), name="accommodation_multiplier_range"
            ),
            models.CheckConstraint(condition=Q(extra_attempts__lte=3), name="accommodation_extra_attempts_max"),
            models.CheckConstraint(
                condition=Q(window_opens_at__isnull=True, window_closes_at__isnull=True)
                | Q(window_closes_at__gt=F("window_opens_at")),
                name="accommodation_window_valid",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="accommodation_reason_given"),
        ]

    def __str__(self) -> str:
        return f"Accommodation for enrolment {self.enrolment_id}"

    @property
    def has_window(self) -> bool:
        return self.window_opens_at is not None

    def summary(self) -> str:
        parts = []
        if self.time_multiplier != 1:
            parts.append(f"{self.time_multiplier.normalize()}× time")
        if self.extra_attempts:
            parts.append(f"+{self.extra_attempts} attempt")
        if self.has_window:
            parts.append("personal window")
        return ", ".join(parts) or "none"


class SittingEvent(models.Model):
    """The invigilators' log: check-ins, extensions, pauses and incidents, with time and author."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        EXTEND = "extend", _("Extra time")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        PAUSE_ROOM = "pause_room", _("Room paused")
        RESUME_ROOM = "resume_room", _("Room resumed")
        INCIDENT = "incident", _("Incident")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="events")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%H:%M}"
