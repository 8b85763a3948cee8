"""The review visit of a hands-on case (about two weeks after the treatment): outcome,
top-up units on the face chart, adverse events, and the reminder sent when it is due.
Rules are in ``courses.handson.review_services``."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.handson.face_sites import is_informational, warning_text

from .handson import InjectionSession


class ReviewOutcome(models.TextChoices):
    FULL = "full", _("Full effect")
    PARTIAL = "partial", _("Partial effect")
    NONE = "none", _("No effect")


class ReviewSymmetry(models.TextChoices):
    SYMMETRICAL = "symmetrical", _("Symmetrical")
    MINOR = "minor", _("Minor asymmetry")
    MARKED = "marked", _("Marked asymmetry")


class AdverseEventKind(models.TextChoices):
    PTOSIS = "ptosis", _("Ptosis (eyelid or brow)")
    ASYMMETRY = "asymmetry", _("Asymmetry")
    HEADACHE = "headache", _("Headache")
    BRUISING = "bruising", _("Bruising")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """Intensity (mild to severe) and, separately, regulatory seriousness ("serious":
    hospitalisation, disability, life-threatening or medically important). Severe and
    serious events both bring up the national reporting route (review_selectors)."""

    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    SERIOUS = "serious", _("Serious")


REPORTABLE_SEVERITIES = (Severity.SEVERE, Severity.SERIOUS)


class Review(models.Model):
    """The review visit of one signed case. Recorded by one of the course's instructors,
    then signed, which locks it (like a session). One per case: a case amended after its
    review keeps the review on the original (selectors follow the amendment chain)."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        SIGNED = "signed", _("Signed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField(InjectionSession, on_delete=models.PROTECT, related_name="review")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_recorded")
    reviewed_on = models.DateField(_("review date"))
    timing_note = models.TextField(
        _("why the review is not at about two weeks"),
        blank=True,
        help_text=_("Needed when the review is less than 10 or more than 21 days after the treatment."),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    symmetry = models.CharField(_("symmetry"), max_length=12, choices=ReviewSymmetry.choices)
    lot_number = models.CharField(_("lot number of the top-up"), max_length=40, blank=True)
    management = models.TextField(_("management and advice"), blank=True)
    # Codes with parameters, as InjectionSession.dose_warnings (face_sites.DoseWarning).
    dose_warnings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECORDED)
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["recorded", "signed"]), name="review_status_valid"),
            models.CheckConstraint(
                condition=Q(status="recorded") | Q(signed_at__isnull=False), name="review_signed_has_time"
            ),
            models.CheckConstraint(condition=Q(outcome__in=["full", "partial", "none"]), name="review_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on} of {self.session_id}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def days_after(self) -> int:
        return (self.reviewed_on - self.session.performed_on).days

    @property
    def dose_warning_texts(self) -> list[str]:
        return [warning_text(w, gettext) for w in self.dose_warnings if not is_informational(w)]

    @property
    def topup_total(self):
        """Top-up units in all (``sites`` prefetched)."""
        return sum((site.units for site in self.sites.all()), 0)


class ReviewSite(models.Model):
    """Top-up units given at one site of the face chart at the review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sites")
    site_code = models.CharField(max_length=40)
    units = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "site_code"], name="review_site_once"),
            models.CheckConstraint(condition=Q(units__gt=0) & Q(units__lte=100), name="review_site_units_range"),
        ]

    def __str__(self) -> str:
        return f"{self.site_code}: {self.units} U"


class AdverseEvent(models.Model):
    """An adverse event found at (or reported before) the review, with its severity and onset."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=AdverseEventKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    onset_on = models.DateField(_("onset"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="adverse_event_kind_once"),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(description=""), name="adverse_event_other_described"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["mild", "moderate", "severe", "serious"]), name="adverse_event_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display()})"

    @property
    def label(self) -> str:
        return self.description if self.kind == AdverseEventKind.OTHER else str(self.get_kind_display())

    @property
    def is_reportable(self) -> bool:
        return self.severity in REPORTABLE_SEVERITIES


class ReviewReminder(models.Model):
    """The reminder that a case's review is due, sent once (review_services)."""

    session = models.OneToOneField(InjectionSession, on_delete=models.CASCADE, related_name="review_reminder")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Review reminder for {self.session_id} at {self.sent_at}"
