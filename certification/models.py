"""Awards and certificates.

An Award is the fact that a trainee met every requirement of a course: a passed written
attempt, a passed practical and a valid licence. There is exactly one per trainee and
course. A Certificate is the document issued for an award; re-issuing supersedes it with
a new one, so an award has at most one certificate that is not superseded.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import get_private_storage

# Crockford's base32 without I, L, O and U: easy to read aloud and to type.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def serial_new(today: datetime.date | None = None) -> str:
    """A serial such as GLA-2026-7K3M-9QXD: the year, then 40 random bits."""
    year = (today or timezone.localdate()).year
    body = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(8))
    return f"GLA-{year}-{body[:4]}-{body[4:]}"


def verification_code_new() -> str:
    """192 random bits, URL-safe: the code in the QR code and the share link."""
    return secrets.token_urlsafe(24)


# A status list holds at least 131,072 entries (16 KiB per bitstring): the W3C Bitstring
# Status List's minimum, so one credential's bit hides among many (herd privacy).
STATUS_LIST_SIZE = 131_072


def _bitstring_empty() -> bytes:
    return bytes(STATUS_LIST_SIZE // 8)


class StatusList(models.Model):
    """One W3C Bitstring Status List pair: the revocation and the suspension bitstrings
    of the same certificates, served at /credentials/status/<number>/<purpose>. Each
    certificate holds one position in one list (the same index in both bitstrings). Bit
    ``i`` is the most significant bit of byte ``i // 8``, as the spec orders them. Every
    write to a bitstring holds this row's lock and bumps that purpose's version, which
    keys the signed credential's cache (certification.credentials.status)."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    number = models.PositiveIntegerField(unique=True)
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    allocated = models.PositiveIntegerField(default=0)
    revocation = models.BinaryField(default=_bitstring_empty)
    suspension = models.BinaryField(default=_bitstring_empty)
    revocation_version = models.PositiveIntegerField(default=1)
    suspension_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="status_list_number_positive"),
            models.CheckConstraint(condition=Q(size__gte=STATUS_LIST_SIZE), name="status_list_size_minimum"),
            models.CheckConstraint(condition=Q(allocated__lte=models.F("size")), name="status_list_not_overfull"),
        ]

    def __str__(self) -> str:
        return f"status list {self.number}"

    def bitstring(self, purpose: str) -> bytes:
        return bytes(getattr(self, self.Purpose(purpose).value))

    def version(self, purpose: str) -> int:
        return getattr(self, f"{self.Purpose(purpose).value}_version")

    def bit(self, purpose: str, index: int) -> bool:
        return bool(self.bitstring(purpose)[index // 8] & (0x80 >> (index % 8)))


class Award(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="awards")
    enrolment = models.OneToOneField("courses.Enrolment", on_delete=models.PROTECT, related_name="award")
    # The evidence, as it stood when the award was made.
    licence = models.ForeignKey("accounts.Licence", on_delete=models.PROTECT, related_name="+")
    written_attempt = models.ForeignKey("exams.Attempt", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey("exams.Assessment", on_delete=models.PROTECT, related_name="+")
    handson_sessions = models.PositiveSmallIntegerField(_("signed hands-on sessions"))
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["awarded_at"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "course"], name="award_one_per_trainee_course"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} award"


class Certificate(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class Paper(models.TextChoices):
        A4 = "a4", _("A4")
        LETTER = "letter", _("US Letter")

    # What the public verification page says.
    VALID, EXPIRED, SUSPENDED, REVOKED, SUPERSEDED, PENDING = (
        "valid",
        "expired",
        "suspended",
        "revoked",
        "superseded",
        "pending",
    )
    # A filter of the administrators' list: issued, but the email to the holder failed.
    EMAIL_FAILED = "email_failed"
    # What an administrator can do with a certificate (see allowed_actions).
    ACTIONS = ("revoke", "reissue", "retry_render", "resend_email")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="certificates")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    serial = models.CharField(_("serial number"), max_length=24, unique=True, default=serial_new)
    code = models.CharField(max_length=64, unique=True, default=verification_code_new, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # As printed: the holder and the course as they stood at issue.
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_profession = models.CharField(_("profession"), max_length=100)
    course_code = models.CharField(max_length=30)
    course_title = models.CharField(max_length=200)
    accrediting_body = models.CharField(max_length=200)
    accreditation_number = models.CharField(max_length=100)
    credit_hours = models.DecimalField(max_digits=5, decimal_places=2)
    director_name = models.CharField(max_length=200, blank=True)
    director_title = models.CharField(max_length=200, blank=True)
    paper = models.CharField(max_length=6, choices=Paper.choices, default=Paper.A4)
    certified_on = models.DateField(_("first certified on"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    # The rendered document.
    pdf = models.FileField(storage=get_private_storage, upload_to="certificates/", max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The signed Open Badges 3.0 credential exactly as issued (certification.credentials),
    # stored with the PDF: what the holder downloads and a verifier checks.
    credential = models.JSONField(null=True, blank=True, editable=False)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set when the worker gave up emailing the PDF (SMTP kept failing through every retry);
    # administrators see it and can send the email again.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    # Later events.
    suspended_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When its render was last handed to a worker (issue, retry, the stalled sweep): the
    # sweep measures how long a certificate has waited from this, not from created_at.
    queued_at = models.DateTimeField(null=True, blank=True)
    # Its position in the status lists (certification.services.status_lists), drawn at
    # random when it is created; the same index in the revocation and suspension lists.
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="certificates")
    status_index = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="certificate_status_position_unique"),
            models.UniqueConstraint(
                fields=["award"],
                condition=~Q(status="superseded"),
                name="certificate_one_current_per_award",
            ),
            models.UniqueConstraint(
                fields=["pdf_sha256"], condition=~Q(pdf_sha256=""), name="certificate_pdf_hash_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "rendering", "issued", "failed", "expired", "revoked", "superseded"]),
                name="certificate_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(certified_on__lte=models.F("issued_on")) & Q(issued_on__lt=models.F("expires_on")),
                name="certificate_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (~Q(revocation_reason="") & Q(revoked_at__isnull=False)),
                name="certificate_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "rendering", "failed"]) | Q(pdf_sha256__regex=r"^[0-9a-f]{64}$"),
                name="certificate_issued_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="certificate_status_expiry")]

    def __str__(self) -> str:
        return self.serial

    # What an administrator may do with the certificate in its present state. The
    # services check these before they act, and the staff page offers only these.
    @property
    def can_revoke(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.EXPIRED)

    @property
    def can_reissue(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def can_retry_render(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def can_resend_email(self) -> bool:
        """Issued, and the worker gave up emailing it (an email that went is not resent)."""
        return self.status == self.Status.ISSUED and self.email_failed_at is not None and self.emailed_at is None

    @property
    def allowed_actions(self) -> frozenset[str]:
        """The names of the ``can_*`` properties that hold: revoke, reissue, retry_render,
        resend_email."""
        return frozenset(action for action in self.ACTIONS if getattr(self, f"can_{action}"))

    @property
    def is_document_ready(self) -> bool:
        return bool(self.pdf_sha256) and self.status not in (self.Status.QUEUED, self.Status.RENDERING)

    def public_state(self, today: datetime.date | None = None) -> str:
        """valid, expired, suspended, revoked, superseded, or pending (not yet issued: the
        public sees nothing)."""
        today = today or timezone.localdate()
        if self.status == self.Status.REVOKED:
            return self.REVOKED
        if self.status == self.Status.SUPERSEDED:
            return self.SUPERSEDED
        if self.status not in (self.Status.ISSUED, self.Status.EXPIRED):
            return self.PENDING
        if self.status == self.Status.EXPIRED or self.expires_on <= today:
            return self.EXPIRED
        if self.suspended_at is not None:
            return self.SUSPENDED
        return self.VALID

    def verification_url(self) -> str:
        from django.urls import reverse

        return settings.SITE_URL + reverse("certification:verify", args=[self.code])


class ApiKey(models.Model):
    """A key an organisation (an employer, an insurer, a regulator) uses to verify
    certificates in bulk through /api/v1/, with a higher rate limit than anonymous callers.

    The key is ``glb_<prefix>_<secret>``. Only the prefix (to find the row and to show
    administrators which key is which) and the SHA-256 of the whole key are stored: the
    key is shown once, when it is created, and cannot be recovered. A key is never
    deleted; revoking it refuses it from then on and keeps its history."""

    # Random, as every id in a URL (the administrators' key pages).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.CharField(_("organisation"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(key_sha256__regex=r"^[0-9a-f]{64}$"), name="api_key_hash_hex"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False), name="api_key_revoked_by_whom"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"glb_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiKeyUsage(models.Model):
    """How often a key was used on one day (UTC): every request it authenticated, and
    how many of them found a certificate. One row per key and day, counted up in place."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="api_key_usage_one_per_day")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.requests}"
