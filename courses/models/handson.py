"""The hands-on training log (DESIGN.md §3): supervised injection sessions and the
units given at each site of the face chart."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.handson.face_sites import warning_text

from .catalogue import Enrolment


class Independence(models.TextChoices):
    """DOPS-style scale, used per competency and for the overall level."""

    DIRECT = "direct", _("Needs direct supervision")
    LIMITED = "limited", _("Needs limited supervision")
    COMPETENT = "competent", _("Competent unsupervised")
    NOT_OBSERVED = "not_observed", _("Not observed")


COMPETENCIES = [
    ("consultation", _("Consultation and consent")),
    ("reconstitution", _("Reconstitution")),
    ("landmarking", _("Landmarking")),
    ("technique", _("Injection technique")),
    ("asepsis", _("Asepsis")),
    ("aftercare", _("Aftercare")),
    ("complications", _("Complication awareness")),
]


class Product(models.TextChoices):
    ONA = "onabotulinumtoxinA", _("onabotulinumtoxinA (Botox Cosmetic)")
    ABO = "abobotulinumtoxinA", _("abobotulinumtoxinA (Dysport)")
    INCO = "incobotulinumtoxinA", _("incobotulinumtoxinA (Xeomin)")
    PRA = "prabotulinumtoxinA", _("prabotulinumtoxinA (Jeuveau)")
    DAXI = "daxibotulinumtoxinA", _("daxibotulinumtoxinA (Daxxify)")


class InjectionSession(models.Model):
    """One supervised treatment of a live model by a trainee, recorded by an instructor.
    Signing locks it; a correction is a new signed session that ``amends`` this one,
    which is then marked superseded and kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Superseded by an amendment")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="sessions")
    # The supervisor: a course instructor, or (null instructor) the trainee's own verified
    # mentor, who signs through courses.handson.mentor_services.
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions_supervised"
    )
    mentor = models.ForeignKey(
        "courses.Mentor", on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    performed_on = models.DateField(_("date"))
    clinic = models.CharField(_("clinic"), max_length=200)
    model_code = models.CharField(
        _("model code"),
        max_length=20,
        help_text=_("An anonymised code for the model, e.g. M-0147. Never a name or a birth date."),
    )
    consent_confirmed = models.BooleanField(_("written consent obtained from the model"), default=False)
    product = models.CharField(_("product"), max_length=30, choices=Product.choices, default=Product.ONA)
    vial_units = models.DecimalField(_("vial size (U)"), max_digits=5, decimal_places=1, default=100)
    diluent_ml = models.DecimalField(_("saline added (mL)"), max_digits=4, decimal_places=2, default=Decimal("2.5"))
    lot_number = models.CharField(_("lot number"), max_length=40)
    lot_expiry = models.DateField(_("lot expiry date"))
    complications = models.TextField(_("complications"), blank=True)
    complication_management = models.TextField(_("management of complications"), blank=True)
    ratings = models.JSONField(_("ratings per competency"), default=dict)
    overall_independence = models.CharField(
        _("overall level of independence"), max_length=15, choices=Independence.choices
    )
    went_well = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what to improve"), blank=True)
    agreed_actions = models.TextField(_("agreed actions"), blank=True)
    # [{"code": …, "params": {…}}, …]: see face_sites.DoseWarning; shown as dose_warning_texts.
    dose_warnings = models.JSONField(default=list, blank=True)
    dose_warnings_acknowledged = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    amends = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendment")
    amendment_reason = models.TextField(blank=True)
    reflection = models.TextField(_("your reflection"), blank=True)
    reflection_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_on", "-created_at"]
        indexes = [
            models.Index(fields=["enrolment", "status"]),
            models.Index(fields=["model_code", "performed_on"]),
        ]
        # Status values are spelled out in the constraints: Meta cannot see the Status class.
        constraints = [
            models.CheckConstraint(condition=Q(consent_confirmed=True), name="session_consent_required"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed", "superseded"]), name="session_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False), name="session_signed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(vial_units__gt=0) & Q(diluent_ml__gt=0), name="session_dilution_positive"
            ),
            models.CheckConstraint(
                condition=(Q(instructor__isnull=False) & Q(mentor__isnull=True))
                | (Q(instructor__isnull=True) & Q(mentor__isnull=False)),
                name="session_one_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="session_amendment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.performed_on} {self.model_code} ({self.get_status_display()})"

    @property
    def units_per_01ml(self) -> Decimal:
        return (self.vial_units / self.diluent_ml / 10).quantize(Decimal("0.01"))

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_signed(self) -> bool:
        """Signed and current (an amended original is superseded instead)."""
        return self.status == self.Status.SIGNED

    @property
    def is_mentor_case(self) -> bool:
        return self.mentor_id is not None

    @property
    def supervisor_name(self) -> str:
        return self.mentor.full_name if self.mentor_id else self.instructor.display_name

    @property
    def is_superseded(self) -> bool:
        return self.status == self.Status.SUPERSEDED

    @property
    def dose_warning_texts(self) -> list[str]:
        """The recorded dose warnings as sentences in the current language."""
        return [warning_text(warning, gettext) for warning in self.dose_warnings]

    @property
    def rating_rows(self) -> list[tuple[str, str, str]]:
        """(competency, level code, level label) in the scale's order of competencies."""
        labels = dict(Independence.choices)
        return [
            (label, self.ratings.get(code, ""), labels.get(self.ratings.get(code), "—")) for code, label in COMPETENCIES
        ]


class SessionSite(models.Model):
    """Units injected at one named site of the face chart (courses.handson.face_sites)."""

    session = models.ForeignKey(InjectionSession, on_delete=models.CASCADE, related_name="sites")
    site_code = models.CharField(max_length=40)
    units = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "site_code"], name="session_site_once"),
            models.CheckConstraint(condition=Q(units__gt=0) & Q(units__lte=100), name="session_site_units_range"),
        ]

    def __str__(self) -> str:
        return f"{self.site_code}: {self.units} U"
