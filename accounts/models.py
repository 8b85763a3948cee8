import datetime
import os
import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import get_private_storage

from .validators import validate_npi


class Profession(models.TextChoices):
    PHYSICIAN_MD = "md", _("Physician (MD)")
    PHYSICIAN_DO = "do", _("Physician (DO)")
    NURSE_PRACTITIONER = "np", _("Nurse practitioner")
    PHYSICIAN_ASSISTANT = "pa", _("Physician assistant")
    REGISTERED_NURSE = "rn", _("Registered nurse")
    DENTIST = "dds", _("Dentist")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_administrator=True, is_trainee=False)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Email is the login. Roles are flags because one person may hold several
    (an instructor who also examines); administrators are Django staff as well."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("Your full name as it should appear on certificates."),
    )
    profession = models.CharField(_("profession"), max_length=8, choices=Profession.choices, blank=True)
    is_trainee = models.BooleanField(_("trainee"), default=True)
    is_instructor = models.BooleanField(_("instructor"), default=False)
    is_examiner = models.BooleanField(_("examiner"), default=False)
    is_administrator = models.BooleanField(_("administrator"), default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Only administrators may use the Django admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False, is_superuser=False) | models.Q(is_administrator=True),
                name="user_staff_is_administrator",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.legal_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def role_names(self) -> list[str]:
        return [
            str(label)
            for flag, label in (
                (self.is_trainee, _("trainee")),
                (self.is_instructor, _("instructor")),
                (self.is_examiner, _("examiner")),
                (self.is_administrator, _("administrator")),
            )
            if flag
        ]


class Jurisdiction(models.Model):
    """A licensing authority's territory (a country, or a state/province of one) and its
    rule: which professions may be certified there, and anything else trainees must know."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 two-letter code, e.g. US."))
    region = models.CharField(
        _("state or province"),
        max_length=100,
        blank=True,
        help_text=_("Code or name of the state/province; empty for a whole country."),
    )
    name = models.CharField(_("name"), max_length=150, help_text=_("e.g. “United States — California”."))
    certifiable_professions = models.JSONField(_("professions that may be certified"), default=list, blank=True)
    requirements_note = models.TextField(
        _("local requirements"),
        blank=True,
        help_text=_("Shown to trainees licensed here, e.g. supervision or delegation rules."),
    )
    is_active = models.BooleanField(_("offered to trainees"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region"], name="jurisdiction_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, profession: str) -> bool:
        return profession in self.certifiable_professions

    @property
    def certifiable_profession_labels(self) -> list[str]:
        return [str(Profession(p).label) for p in self.certifiable_professions if p in Profession.values]


def licence_document_path(instance: "Licence", filename: str) -> str:
    # Never the uploader's file name: a random one, with the extension the service
    # derived from the checked content.
    extension = os.path.splitext(filename)[1].lower()
    return f"licences/{instance.holder_id}/{uuid.uuid4().hex}{extension}"


class Licence(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    LIVE_STATUSES = (Status.SUBMITTED, Status.VERIFIED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="licences", verbose_name=_("holder")
    )
    profession = models.CharField(_("profession"), max_length=8, choices=Profession.choices)
    number = models.CharField(_("licence number"), max_length=50)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("issuing jurisdiction"),
    )
    expires_on = models.DateField(_("expiry date"))
    npi = models.CharField(_("NPI (US only)"), max_length=10, blank=True, validators=[validate_npi])
    document = models.FileField(
        _("scan or photo of the licence"),
        storage=get_private_storage,
        upload_to=licence_document_path,
        max_length=200,
    )
    document_content_type = models.CharField(max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "expires_on"]),
            # The administrators' check for the same number from other holders.
            models.Index(fields=["jurisdiction", "profession", "number"], name="licence_number_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["submitted", "verified", "rejected", "expired", "revoked"]),
                name="licence_status_valid",
            ),
            # One live (submitted or verified) record per licence and holder. Not one per
            # number: then anyone could block the real holder by submitting their number
            # first. The same number from two holders is flagged to the administrators.
            models.UniqueConstraint(
                fields=["holder", "jurisdiction", "profession", "number"],
                condition=models.Q(status__in=["submitted", "verified"]),
                name="licence_live_number_unique_per_holder",
            ),
            # A decision always says who made it and when; a refusal always says why.
            models.CheckConstraint(
                condition=models.Q(status="submitted")
                | models.Q(status="expired", decided_at__isnull=False)
                | models.Q(decided_at__isnull=False, decided_by__isnull=False),
                name="licence_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["rejected", "revoked"]) | ~models.Q(decision_reason=""),
                name="licence_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_profession_display()} {self.number} ({self.jurisdiction})"

    def is_valid(self, today: datetime.date | None = None) -> bool:
        """Verified and not past its expiry date (a licence is expired on that date)."""
        today = today or timezone.localdate()
        return self.status == self.Status.VERIFIED and self.expires_on > today

    @property
    def is_image(self) -> bool:
        return self.document_content_type.startswith("image/")


def name_change_document_path(instance: "NameChangeRequest", filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"name-changes/{instance.user_id}/{uuid.uuid4().hex}{extension}"


class NameChangeRequest(models.Model):
    """A trainee's request to change the legal name that certificates print, once a
    licence has verified it (the name is then locked: accounts.selectors.legal_name_locked).
    An administrator decides it beside the licence document; only an approval changes
    ``User.legal_name``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Reason(models.TextChoices):
        MARRIAGE = "marriage", _("Marriage or civil partnership")
        DIVORCE = "divorce", _("Divorce or dissolution")
        CORRECTION = "correction", _("Correction of a mistake")
        LEGAL = "legal", _("Change by deed poll or court order")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="name_change_requests", verbose_name=_("trainee")
    )
    current_name = models.CharField(_("name when requested"), max_length=200)
    requested_name = models.CharField(_("requested name"), max_length=200)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    document = models.FileField(
        _("supporting document"),
        storage=get_private_storage,
        upload_to=name_change_document_path,
        max_length=200,
        blank=True,
    )
    document_content_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="namechange_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="namechange_status_valid",
            ),
            # One open request per trainee.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="namechange_one_pending_per_user"
            ),
            # A decision by an administrator says who and when; a withdrawal says when.
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | models.Q(status="withdrawn", decided_at__isnull=False)
                | models.Q(decided_at__isnull=False, decided_by__isnull=False),
                name="namechange_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(decision_reason=""),
                name="namechange_rejection_has_reason",
            ),
            models.CheckConstraint(condition=~models.Q(requested_name=""), name="namechange_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.current_name} → {self.requested_name}"

    @property
    def is_image(self) -> bool:
        return self.document_content_type.startswith("image/")

    @property
    def badge_class(self) -> str:
        """The status badge's colour, shared with the licence statuses."""
        return {"pending": "submitted", "approved": "verified", "withdrawn": "superseded"}.get(self.status, self.status)
