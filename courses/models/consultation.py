"""The consultation before a supervised treatment and the case's photographs (issue 15):
history, the contraindication screen, goals, the risks explained, the treatment consent
taken by the treating practitioner and the model's separate consents to photographs and
to their use in teaching. The model stays anonymous: no field holds a name, a birth date
or a contact detail (courses.handson.consultation refuses them in the free text); the
photographs are the one exception, with explicit consent, kept in private storage."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import get_private_storage

from .handson import InjectionSession


class Answer(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    UNSURE = "unsure", _("Unsure")


# (field, question): the screen's questions, in the order the form asks them.
CONTRAINDICATIONS = [
    ("ci_pregnancy", _("Pregnant or breastfeeding")),
    ("ci_neuromuscular", _("Neuromuscular disorder (myasthenia gravis, Lambert-Eaton syndrome, ALS)")),
    ("ci_interacting_drugs", _("Taking aminoglycosides or other drugs that interact with botulinum toxin")),
    ("ci_site_infection", _("Infection at the injection site")),
    ("ci_allergy", _("Known allergy to the product or its excipients")),
    ("ci_recent_toxin", _("Botulinum toxin treatment within the last 3 months")),
]
CONTRAINDICATION_FIELDS = [name for name, _question in CONTRAINDICATIONS]

RISKS = [
    ("ptosis", _("Ptosis (drooping eyelid or brow)")),
    ("asymmetry", _("Asymmetry")),
    ("headache", _("Headache")),
    ("bruising", _("Bruising")),
    ("flu_like", _("Flu-like symptoms")),
    ("diplopia", _("Double vision (diplopia)")),
    ("no_result", _("Failure to achieve the result hoped for")),
]


def _answer_field(question):
    return models.CharField(question, max_length=6, choices=Answer.choices)


class Consultation(models.Model):
    """The consultation and consent of one case. Editable while the session is a draft;
    a "yes" or "unsure" answer blocks signing until an instructor resolves it with a
    note (``resolution_note``, ``resolved_by``, ``resolved_at``)."""

    session = models.OneToOneField(InjectionSession, on_delete=models.PROTECT, related_name="consultation")
    history = models.TextField(_("relevant medical history"), max_length=1000, blank=True)
    ci_pregnancy = _answer_field(CONTRAINDICATIONS[0][1])
    ci_neuromuscular = _answer_field(CONTRAINDICATIONS[1][1])
    ci_interacting_drugs = _answer_field(CONTRAINDICATIONS[2][1])
    ci_site_infection = _answer_field(CONTRAINDICATIONS[3][1])
    ci_allergy = _answer_field(CONTRAINDICATIONS[4][1])
    ci_recent_toxin = _answer_field(CONTRAINDICATIONS[5][1])
    goals = models.TextField(_("treatment goals"), max_length=1000)
    risks_explained = models.JSONField(_("risks explained"), default=list)
    treatment_consent = models.BooleanField(_("treatment consent confirmed"), default=False)
    consent_taken_by = models.CharField(_("consent taken by (practitioner and role)"), max_length=120)
    consent_taken_at = models.DateTimeField(_("consent taken at"))
    photo_consent = models.BooleanField(_("consents to photographs"), default=False)
    teaching_consent = models.BooleanField(_("consents to teaching use of the photographs"), default=False)
    resolution_note = models.TextField(_("why it was safe to proceed"), max_length=2000, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            *(
                models.CheckConstraint(condition=Q(**{f"{name}__in": ["no", "yes", "unsure"]}), name=f"consult_{name}")
                for name in CONTRAINDICATION_FIELDS
            ),
            models.CheckConstraint(condition=Q(treatment_consent=True), name="consult_treatment_consent"),
            models.CheckConstraint(
                condition=Q(teaching_consent=False) | Q(photo_consent=True), name="consult_teaching_needs_photos"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | (~Q(resolution_note="") & Q(resolved_by__isnull=False)),
                name="consult_resolution_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation for session {self.session_id}"

    @property
    def flagged(self) -> list[tuple[str, str, str]]:
        """(field, question, answer, answer label) for each "yes" or "unsure" answer."""
        labels = dict(Answer.choices)
        return [
            (name, question, getattr(self, name), labels[getattr(self, name)])
            for name, question in CONTRAINDICATIONS
            if getattr(self, name) != Answer.NO
        ]

    @property
    def is_blocking(self) -> bool:
        """A flagged answer not yet resolved: the session cannot be signed."""
        return bool(self.flagged) and self.resolved_at is None

    @property
    def answer_rows(self) -> list[tuple[str, str, str]]:
        """(question, answer code, answer label) for every question."""
        labels = dict(Answer.choices)
        return [(question, getattr(self, name), labels[getattr(self, name)]) for name, question in CONTRAINDICATIONS]

    @property
    def risk_labels(self) -> list[str]:
        labels = dict(RISKS)
        return [labels[code] for code in self.risks_explained if code in labels]


def case_photo_path(instance, filename: str) -> str:
    """A random name under handson-photos/: nothing about the model, the trainee or the
    case; only the extension of the checked content is kept."""
    return f"handson-photos/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class CasePhoto(models.Model):
    """A photograph of the treated area, taken with the model's photo consent: before
    treatment, straight after, or at the review. Re-encoded without metadata on upload
    (core.uploads), private, and deleted after the course's retention period unless the
    model consented to teaching use."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before treatment")
        AFTER = "after", _("After treatment")
        REVIEW = "review", _("At the review")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(InjectionSession, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("when it was taken"), max_length=8, choices=Kind.choices)
    file = models.FileField(storage=get_private_storage, upload_to=case_photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["uploaded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["before", "after", "review"]), name="case_photo_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} photo of session {self.session_id}"
