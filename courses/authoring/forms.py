"""Forms for the authoring pages, one per role: ``CourseForm`` (administrators: every
setting) and ``CourseContentForm`` (a course's instructors: its summary and description
only; the fields they may not change are not on the form, so a post that carries them
changes nothing)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession, User
from core.forms_utils import IsoDateField
from core.uploads import check_document
from courses.handson.case_types import CaseType
from courses.handson.face_sites import AREAS
from courses.models import Course, CourseRun, Lesson, Module

LESSON_HTML_HELP = _(
    "Headings, bold, italic, lists, links (https or mailto) and this course's uploaded images are kept; "
    "anything else (scripts, styles, other sites' images) is removed when saved."
)


TYPE_MINIMUM, AREA_MINIMUM = "type_minimum_", "area_minimum_"


class CourseForm(forms.ModelForm):
    """Everything about a course, for administrators."""

    accreditation_valid_from = IsoDateField(label=_("Accreditation valid from"), help_text=_("e.g. 2026-12-07"))
    accreditation_valid_until = IsoDateField(label=_("Accreditation valid until"), help_text=_("e.g. 2028-12-07"))
    eligible_professions = forms.MultipleChoiceField(
        label=_("Eligible professions"), choices=Profession.choices, widget=forms.CheckboxSelectMultiple
    )
    instructors = forms.ModelMultipleChoiceField(
        label=_("Instructors"),
        queryset=User.objects.filter(is_instructor=True).order_by("legal_name", "email"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Course
        fields = [
            "code", "title", "summary", "description", "status", "accrediting_body", "accreditation_number",
            "credit_hours", "accreditation_valid_from", "accreditation_valid_until", "eligible_professions",
            "instructors", "capacity", "certificate_validity_months", "certificate_auto_issue", "director_name",
            "director_title", "director_signature", "handson_min_sessions", "handson_recent_competent",
            "handson_mentor_cases_count", "handson_reviews_required",
        ]  # fmt: skip
        help_texts = {"capacity": _("Trainees the course takes while it has no open run; each run has its own places.")}
        widgets = {
            # A private file: no link to it (the clearable widget would print one).
            "director_signature": forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["instructors"].label_from_instance = lambda u: f"{u.legal_name or u.email} ({u.email})"
        # JSON fields render a hidden "initial-" copy that inherits aria-describedby, which
        # HTML forbids on a hidden input (the Nu checker's error); the form does not need it.
        for field in self.fields.values():
            field.show_hidden_initial = False
        # The requirement's two mappings (case type → cases, area → cases) as one number
        # field each, after the performed cases in all, instead of JSON to type.
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "handson_min_sessions":
                fields |= self._minimum_fields()
        self.fields = fields

    def _minimum_fields(self) -> dict[str, forms.IntegerField]:
        types, areas = self.instance.handson_type_minimums or {}, self.instance.handson_area_minimums or {}
        fields = {}
        for value, label in CaseType.choices:
            fields[TYPE_MINIMUM + value] = forms.IntegerField(
                label=_("%(type)s cases required") % {"type": label},
                help_text=_("Signed cases of this type; 0: no minimum."),
                min_value=0, max_value=500, required=False, initial=types.get(value, 0),
            )  # fmt: skip
        for area in AREAS:
            name = area["name"][0].lower() + area["name"][1:]
            fields[AREA_MINIMUM + area["code"]] = forms.IntegerField(
                label=_("Performed cases including %(area)s") % {"area": name},
                min_value=0, max_value=500, required=False, initial=areas.get(area["code"], 0),
            )  # fmt: skip
        return fields

    def minimums(self, prefix: str) -> dict[str, int]:
        """The non-zero minimums the form was sent, by case type or area code."""
        return {
            name.removeprefix(prefix): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("accreditation_valid_from"), cleaned.get("accreditation_valid_until")
        if start and end and end <= start:
            self.add_error(
                "accreditation_valid_until",
                _("The accreditation must end after it starts (%(start)s).") % {"start": start.strftime("%-d %b %Y")},
            )
        # Not model fields of the form: set on the course here, checked by its validators.
        self.instance.handson_type_minimums = self.minimums(TYPE_MINIMUM)
        self.instance.handson_area_minimums = self.minimums(AREA_MINIMUM)
        return cleaned

    def clean_director_signature(self):
        """A new signature is checked by content and stored re-encoded (as in the admin)."""
        upload = self.cleaned_data.get("director_signature")
        if not isinstance(upload, UploadedFile):
            return upload
        checked = check_document(upload, request=self.request)
        if not checked.content_type.startswith("image/"):
            raise ValidationError(_("The signature must be a PNG or JPEG image."))
        return ContentFile(checked.content, name=f"signature{checked.extension}")


class CourseContentForm(forms.ModelForm):
    """What a course's instructor may change."""

    class Meta:
        model = Course
        fields = ["summary", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "summary"]


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["title", "minutes", "body_html"]
        labels = {"body_html": _("Lesson text")}
        help_texts = {"body_html": LESSON_HTML_HELP}
        widgets = {"body_html": forms.Textarea(attrs={"rows": 18, "data-rich-editor": ""})}


class LessonImageForm(forms.Form):
    upload = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG or PNG, up to 10 MB. Checked by content and stored without its metadata."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    alt_text = forms.CharField(
        label=_("Description for screen readers"),
        max_length=300,
        help_text=_("What the image shows, e.g. “Procerus and corrugator muscles, front view”."),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_upload(self):
        checked = check_document(self.cleaned_data["upload"], request=self.request)
        if not checked.content_type.startswith("image/"):
            raise ValidationError(_("Lesson images must be JPEG or PNG."))
        return checked


class CourseRunForm(forms.ModelForm):
    """A run of a course, for administrators. The course comes from the page, never the
    post; cancelling is its own action (with a confirmation), so it is not a status here
    unless the run already is cancelled."""

    starts_on = IsoDateField(label=_("First day"))
    ends_on = IsoDateField(label=_("Last day"))
    enrolment_closes_on = IsoDateField(
        label=_("Enrolment closes on"),
        required=False,
        help_text=_("The last day trainees may enrol. Empty: until the run's last day."),
    )

    class Meta:
        model = CourseRun
        fields = ["code", "title", "starts_on", "ends_on", "enrolment_closes_on", "places", "location", "status"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status != CourseRun.Status.CANCELLED:
            self.fields["status"].choices = [
                choice for choice in CourseRun.Status.choices if choice[0] != CourseRun.Status.CANCELLED
            ]

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = CourseRun.objects.filter(course=self.instance.course, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This course already has a run with the code “%(code)s”.") % {"code": code})
        return code
