"""The hands-on training log (DESIGN.md §3): supervised injection sessions and the
units given at each site of the face chart."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.handson.case_types import PERFORMED_CASE_TYPES, CaseType
from courses.handson.face_sites import AREAS, ProductLabel, is_informational, warning_text

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


def _area_choices() -> list[tuple[str, str]]:
    return [(area["code"], area["name"]) for area in AREAS]


class Product(models.Model):
    """A botulinum toxin product. Units are not interchangeable between products, so each
    has its own label references per area (``ProductAreaReference``) and cumulative cap.
    Seeded from the US labels by migration; edited at /author/products/. A clinician must
    review the figures before they are relied on (README)."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("e.g. abobotulinumtoxinA"))
    generic_name = models.CharField(_("generic name"), max_length=60)
    brand_names = models.CharField(
        _("brand names"), max_length=120, help_text=_("Separated by “ / ”; the first is shown in warnings.")
    )
    unit_label = models.CharField(_("units"), max_length=60, help_text=_("e.g. Allergan units, Speywood units"))
    vial_sizes = models.JSONField(_("vial sizes (U)"), default=list, blank=True)
    # [{"vial_units": 100, "diluent_ml": "2.5"}, …]
    reconstitution_presets = models.JSONField(_("reconstitution presets"), default=list, blank=True)
    cap_units = models.PositiveIntegerField(
        _("cumulative cap (U per model in 3 months)"),
        null=True,
        blank=True,
        help_text=_("Only where the label states one; empty means no label cap."),
    )
    cap_citation = models.TextField(_("cap citation"), blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive products cannot be chosen."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "generic_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cap_units__isnull=True) | Q(cap_units__gt=0), name="product_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.generic_name})"

    @property
    def short_name(self) -> str:
        return self.brand_names.split("/")[0].strip() or self.generic_name

    @property
    def preset_rows(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(vial units, saline mL, units per 0.1 mL) for each reconstitution preset."""
        rows = []
        for preset in self.reconstitution_presets:
            vial, ml = Decimal(str(preset["vial_units"])), Decimal(str(preset["diluent_ml"]))
            rows.append((vial, ml, (vial / ml / 10).quantize(Decimal("0.01"))))
        return rows

    def clean(self):
        errors = {}
        if not isinstance(self.vial_sizes, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 1000 for v in self.vial_sizes
        ):
            errors["vial_sizes"] = _("A list of vial sizes in units, e.g. [50, 100].")
        try:
            presets_ok = isinstance(self.reconstitution_presets, list) and all(
                Decimal(str(p["vial_units"])) > 0 and Decimal(str(p["diluent_ml"])) > 0
                for p in self.reconstitution_presets
            )
        except (TypeError, KeyError, ArithmeticError, ValueError):
            presets_ok = False
        if not presets_ok:
            errors["reconstitution_presets"] = _('A list like [{"vial_units": 100, "diluent_ml": "2.5"}].')
        if errors:
            raise ValidationError(errors)

    def label(self) -> ProductLabel:
        """The product as the dose checks take it (its ``references``, prefetch them)."""
        return ProductLabel(
            code=self.code,
            name=self.short_name,
            references={
                ref.area_code: {
                    "units": ref.units,
                    "sites": ref.sites,
                    "given_with": ref.given_with or None,
                    "citation": ref.citation,
                }
                for ref in self.references.all()
            },
            cap_units=self.cap_units,
        )


class ProductAreaReference(models.Model):
    """A product's label dose for one area of the face chart, with the label cited."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="references")
    area_code = models.CharField(_("area"), max_length=40, choices=_area_choices())
    units = models.DecimalField(_("reference units"), max_digits=6, decimal_places=1)
    sites = models.PositiveSmallIntegerField(_("reference sites"))
    given_with = models.CharField(
        _("given with"),
        max_length=40,
        choices=_area_choices(),
        blank=True,
        help_text=_("An area the label says this one is treated together with."),
    )
    citation = models.TextField(_("citation"), help_text=_("e.g. BOTOX Cosmetic US PI, 2023: glabellar lines 20 U"))

    class Meta:
        ordering = ["product", "area_code"]
        constraints = [
            models.UniqueConstraint(fields=["product", "area_code"], name="product_area_reference_once"),
            models.CheckConstraint(condition=Q(units__gt=0) & Q(sites__gt=0), name="product_reference_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.short_name}: {self.get_area_code_display()} {self.units} U / {self.sites}"


class InjectionSession(models.Model):
    """One treatment of a live model, observed or performed by a trainee (``case_type``),
    recorded by an instructor.
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
    case_type = models.CharField(_("case type"), max_length=12, choices=CaseType.choices, default=CaseType.SUPERVISED)
    consent_confirmed = models.BooleanField(_("written consent obtained from the model"), default=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("product"))
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
                condition=Q(case_type__in=["observed", "supervised", "independent"]), name="session_case_type_valid"
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
    def is_performed(self) -> bool:
        """Did the trainee treat (supervised or independent), rather than watch?"""
        return self.case_type in PERFORMED_CASE_TYPES

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
        return [warning_text(w, gettext) for w in self.dose_warnings if not is_informational(w)]

    @property
    def dose_note_texts(self) -> list[str]:
        """The recorded notes (areas without a label reference for the product) as sentences."""
        return [warning_text(w, gettext) for w in self.dose_warnings if is_informational(w)]

    @property
    def has_dose_warnings(self) -> bool:
        return any(not is_informational(w) for w in self.dose_warnings)

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
