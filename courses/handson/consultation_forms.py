"""Forms for a case's consultation, the resolution of a flagged contraindication and its
photographs. The rules are in courses.handson.consultation and .photos; these forms only
parse what was posted."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import PDF, check_document, sniff
from courses.models import CONTRAINDICATIONS, RISKS, Answer, CasePhoto, Consultation

from . import consultation as rules
from . import photos

NO_IDENTITY = _("No names or dates of birth.")


class ConsultationForm(forms.Form):
    history = forms.CharField(
        label=_("Relevant medical history"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conditions, medicines, previous treatments. No names or dates of birth."),
    )
    goals = forms.CharField(
        label=_("Treatment goals"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the model hopes to achieve, in their words. No names or dates of birth."),
        error_messages={"required": rules.MSG_GOALS},
    )
    risks_explained = forms.MultipleChoiceField(
        label=_("Risks explained to the model"),
        choices=RISKS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": rules.MSG_RISKS},
    )
    treatment_consent = forms.BooleanField(
        label=_("The treating practitioner took the model's informed consent to this treatment"),
        error_messages={"required": rules.MSG_TREATMENT_CONSENT},
    )
    consent_taken_by = forms.CharField(
        label=_("Consent taken by"),
        max_length=120,
        help_text=_("The treating practitioner and their role, e.g. “A. Trainee, nurse prescriber”."),
        error_messages={"required": rules.MSG_CONSENT_BY},
    )
    consent_taken_at = forms.DateTimeField(
        label=_("Consent taken at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    photo_consent = forms.BooleanField(
        label=_("The model consents to photographs of the treated area (optional)"), required=False
    )
    teaching_consent = forms.BooleanField(
        label=_("The model consents to the photographs being used in teaching (optional)"),
        required=False,
        help_text=_("Without it the photographs are deleted automatically after the course's retention period."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The screen's questions come first, each with an explicit answer.
        screen = {
            name: forms.ChoiceField(
                label=question,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": rules.MSG_ANSWER},
            )  # fmt: skip
            for name, question in CONTRAINDICATIONS
        }
        self.fields = {"history": self.fields.pop("history"), **screen, **self.fields}

    @property
    def screen_fields(self):
        return [self[name] for name, _question in CONTRAINDICATIONS]

    @classmethod
    def initial_from(cls, consultation: Consultation | None) -> dict:
        if consultation is None:
            return {"consent_taken_at": timezone.localtime().replace(second=0, microsecond=0)}
        names = ["history", "goals", "risks_explained", "treatment_consent", "consent_taken_by", "photo_consent",
                 "teaching_consent"] + [name for name, _q in CONTRAINDICATIONS]  # fmt: skip
        initial = {name: getattr(consultation, name) for name in names}
        initial["consent_taken_at"] = timezone.localtime(consultation.consent_taken_at)
        return initial


class ResolutionForm(forms.Form):
    resolution_note = forms.CharField(
        label=_("Why it was safe to proceed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Who decided and on what grounds (e.g. the prescriber reviewed the medicine and found no interaction). "
            "No names or dates of birth of the model."
        ),
        error_messages={"required": rules.MSG_NOTE},
    )


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Taken"), choices=CasePhoto.Kind.choices, initial=CasePhoto.Kind.BEFORE,
        error_messages={"required": photos.MSG_KIND},
    )  # fmt: skip
    photo = forms.FileField(
        label=_("Photograph"),
        help_text=_("JPEG or PNG, up to 10 MB. Only the treated area; its metadata (place, time, camera) is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request  # the upload counts against this request's user

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        upload.seek(0)
        if sniff(upload.read(1024)) == PDF:
            raise ValidationError(photos.MSG_NOT_A_PHOTO)
        return check_document(upload, request=self.request)
