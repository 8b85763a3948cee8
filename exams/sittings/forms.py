"""Forms for sittings: an administrator's sitting, booking and accommodation forms, and
the invigilator's actions (each with its reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Enrolment  # the field needs a model; its choices come from the selector
from exams.models import Accommodation, Sitting

from . import selectors

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SittingForm(forms.ModelForm):
    class Meta:
        model = Sitting
        fields = ["opens_at", "closes_at", "venue", "capacity", "invigilators"]
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME, "invigilators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invigilators"].queryset = selectors.invigilators_choices()
        self.fields["invigilators"].label_from_instance = lambda u: u.display_name
        self.fields["invigilators"].help_text = _("Examiners and administrators.")

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The sitting must close after it opens."))
        capacity = data.get("capacity")
        if self.instance.pk and capacity is not None:
            booked = self.instance.bookings.filter(status="booked").count()
            if capacity < booked:
                self.add_error("capacity", _("%(n)s candidates are booked: cancel bookings first.") % {"n": booked})
        return data


class BookForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Trainee"), queryset=Enrolment.objects.none())

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = selectors.enrolments_for_booking(course)
        self.fields["enrolment"].label_from_instance = lambda e: (
            f"{e.trainee.legal_name} ({e.trainee.email})" if e.trainee.legal_name else e.trainee.email
        )


class AccommodationForm(forms.ModelForm):
    enrolment = forms.ModelChoiceField(label=_("Trainee"), queryset=Enrolment.objects.none())

    class Meta:
        model = Accommodation
        fields = ["enrolment", "time_multiplier", "extra_attempts", "window_opens_at", "window_closes_at", "reason"]
        widgets = {
            "window_opens_at": DATETIME,
            "window_closes_at": DATETIME,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "window_opens_at": _("Optional: when this candidate may start instead of their sitting's window."),
            "reason": _("Why (kept in the audit trail, shown to invigilators)."),
        }

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = selectors.enrolments_for_booking(course)
        self.fields["enrolment"].label_from_instance = lambda e: (
            f"{e.trainee.legal_name} ({e.trainee.email})" if e.trainee.legal_name else e.trainee.email
        )
        self.fields["extra_attempts"].widget.attrs.update(min=0, max=3)

    def validate_unique(self):
        # One accommodation per candidate: saving for a candidate who has one updates it (the view).
        pass

    def clean(self):
        data = super().clean()
        opens, closes = data.get("window_opens_at"), data.get("window_closes_at")
        if bool(opens) != bool(closes):
            self.add_error("window_closes_at", _("Give both ends of the personal window, or neither."))
        elif opens and closes and closes <= opens:
            self.add_error("window_closes_at", _("The window must close after it opens."))
        if data.get("extra_attempts") is not None and data["extra_attempts"] > 3:
            self.add_error("extra_attempts", _("At most 3 extra attempts."))
        if not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason: it is kept in the audit trail."))
        return data


class CheckInForm(forms.Form):
    identity_confirmed = forms.BooleanField(label=_("Photo ID matches the verified licence name"), required=False)


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("Extra minutes"), min_value=1, max_value=240)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class IncidentForm(forms.Form):
    text = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
