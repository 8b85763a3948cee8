"""Mentors and external sign-off (README "Hands-on log"): a trainee's own mentor, a
registered independent prescriber outside the platform whom staff verify like a licence,
supervises cases and signs them through an emailed single-use link or a one-time code
sent to the mentor's email, without an account."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mentor(models.Model):
    """A trainee's mentor. ``status`` moves submitted → verified or rejected; only a
    verified mentor can be sent a case, and a link keeps working only while the mentor
    stays verified."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    class Profession(models.TextChoices):
        DOCTOR = "doctor", _("Doctor")
        DENTIST = "dentist", _("Dentist")
        NURSE = "nurse", _("Nurse")
        PHARMACIST = "pharmacist", _("Pharmacist")
        OTHER = "other", _("Other registered prescriber")

    class Register(models.TextChoices):
        GMC = "gmc", _("GMC (General Medical Council)")
        NMC = "nmc", _("NMC (Nursing and Midwifery Council)")
        GDC = "gdc", _("GDC (General Dental Council)")
        GPHC = "gphc", _("GPhC (General Pharmaceutical Council)")
        HCPC = "hcpc", _("HCPC (Health and Care Professions Council)")
        OTHER = "other", _("Other regulator")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentors")
    full_name = models.CharField(_("mentor's full name"), max_length=200)
    email = models.EmailField(_("mentor's email"))
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    register = models.CharField(_("regulator's register"), max_length=10, choices=Register.choices)
    register_other = models.CharField(_("other regulator"), max_length=100, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40)
    independent_prescriber = models.BooleanField(_("independent prescriber"), default=False)
    years_injecting = models.PositiveSmallIntegerField(_("years injecting botulinum toxin"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "register", "registration_number"], name="mentor_once_per_trainee"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "verified", "rejected"]), name="mentor_status_valid"
            ),
            models.CheckConstraint(condition=Q(years_injecting__lte=70), name="mentor_years_plausible"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="mentor_rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.register_label} {self.registration_number})"

    @property
    def register_label(self) -> str:
        if self.register == self.Register.OTHER and self.register_other:
            return self.register_other
        return self.register.upper() if self.register != self.Register.OTHER else str(_("Other"))

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class SignOffRequest(models.Model):
    """One request to a mentor to sign a case, by an emailed link (``token_hash``: the
    SHA-256 of the random token the link carries) or by a one-time code typed on the
    trainee's device (``code_hash``: an HMAC of the code under SECRET_KEY). It is open
    until used (signed or returned), revoked (a newer request, the case edited or
    withdrawn) or expired; at most one is open per case."""

    class Channel(models.TextChoices):
        LINK = "link", _("Emailed link")
        CODE = "code", _("Code on the trainee's device")

    class Outcome(models.TextChoices):
        SIGNED = "signed", _("Signed")
        RETURNED = "returned", _("Returned to the trainee")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A withdrawn draft is deleted; its requests stay, so its link can say so.
    session = models.ForeignKey(
        "courses.InjectionSession", on_delete=models.SET_NULL, null=True, related_name="signoff_requests"
    )
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="signoff_requests")
    channel = models.CharField(max_length=4, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    return_comment = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True, session__isnull=False),
                name="signoff_one_open_per_session",
            ),
            models.CheckConstraint(
                condition=(Q(channel="link") & Q(token_hash__isnull=False)) | (Q(channel="code") & ~Q(code_hash="")),
                name="signoff_has_secret",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(outcome__in=["signed", "returned"]),
                name="signoff_used_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off request {self.pk} ({self.get_channel_display()})"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
