"""Forms for mentors and external sign-off: the trainee's mentor and case forms, the
staff decision, and the mentor's ratings (by link, or on the trainee's device with a code)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import COMPETENCIES, Independence, Mentor, SignOffRequest

from . import mentor_services, services
from .forms import SessionForm

MSG_REGISTER_OTHER = _("Name the regulator.")


class MentorForm(forms.ModelForm):
    years_injecting = forms.IntegerField(label=_("Years injecting botulinum toxin"), min_value=0, max_value=70)

    class Meta:
        model = Mentor
        fields = [
            "full_name", "email", "profession", "register", "register_other", "registration_number",
            "independent_prescriber", "years_injecting",
        ]  # fmt: skip
        labels = {
            "full_name": _("Mentor's full name"),
            "email": _("Mentor's email"),
            "register": _("Regulator's register"),
            "register_other": _("Other regulator (if not listed)"),
            "registration_number": _("Registration number"),
            "independent_prescriber": _("The mentor is an independent prescriber"),
        }
        help_texts = {
            "email": _("Sign-off links and codes are sent here; the mentor needs no account."),
            "registration_number": _("As on the public register, e.g. GMC 7654321 or NMC 12A3456E."),
        }
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def clean(self):
        data = super().clean()
        if data.get("register") == Mentor.Register.OTHER and not data.get("register_other", "").strip():
            self.add_error("register_other", MSG_REGISTER_OTHER)
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MentorDecisionForm(forms.Form):
    VERIFY, REJECT = "verify", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(VERIFY, _("Verify: the public register matches the details")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the trainee reads this)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if verified:  # a verified mentor can only lose its verification
            self.fields["decision"].choices = [(self.REJECT, _("Withdraw the verification"))]

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", mentor_services.MSG_REASON_REQUIRED)
        return data


class MentorCaseForm(SessionForm):
    """The session form as the trainee fills it for a case with their mentor: the same
    fields without the ratings and feedback, which are the mentor's to give."""

    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Mentor.objects.none(), empty_label=None)

    def __init__(self, *args, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _label in COMPETENCIES:
            del self.fields[f"rating_{code}"]
        for name in mentor_services.MENTOR_FIELDS:
            del self.fields[name]
        self.fields["mentor"].queryset = mentors if mentors is not None else Mentor.objects.none()
        self.order_fields(["mentor"])

    @property
    def rating_fields(self):
        return []

    def ratings(self) -> dict[str, str]:
        return {}

    def session_data(self) -> dict:
        return {
            name: self.cleaned_data.get(name, "")
            for name in services.SESSION_FIELDS
            if name not in mentor_services.MENTOR_FIELDS
        }

    def service_kwargs(self) -> dict:
        """What mentor_services.mentor_case_save_draft takes from this form."""
        return {
            "mentor": self.cleaned_data["mentor"],
            "data": self.session_data(),
            "units_by_site": self.units_by_site(),
            "acknowledged": self.cleaned_data["acknowledge_warnings"],
        }

    @classmethod
    def initial_from(cls, session):
        initial = super().initial_from(session)
        initial["mentor"] = session.mentor_id
        return initial


class MentorSignOffForm(forms.Form):
    """The mentor's ratings (DOPS) and decision: sign, or return with a comment."""

    overall_independence = forms.ChoiceField(
        label=_("Overall level of independence"), choices=Independence.choices, widget=forms.RadioSelect,
        required=False,
    )  # fmt: skip
    went_well = forms.CharField(
        label=_("What went well"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    to_improve = forms.CharField(
        label=_("What to improve"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    agreed_actions = forms.CharField(
        label=_("Agreed actions"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (SignOffRequest.Outcome.SIGNED, _("Sign: I supervised this case and it is recorded correctly")),
            (SignOffRequest.Outcome.RETURNED, _("Return it to the trainee to correct")),
        ],
        widget=forms.RadioSelect,
    )
    return_comment = forms.CharField(
        label=_("What should the trainee change? (when returning)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I confirm I supervised this case; my ratings are my own. Signing cannot be undone."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ratings = {}
        for code, label in COMPETENCIES:
            ratings[f"rating_{code}"] = forms.ChoiceField(
                label=label, choices=Independence.choices, widget=forms.RadioSelect, required=False
            )
        # The ratings come first, as on the instructor's form.
        self.fields = {**ratings, **self.fields}

    @property
    def rating_fields(self):
        return [self[f"rating_{code}"] for code, _label in COMPETENCIES]

    def clean(self):
        data = super().clean()
        if data.get("decision") == SignOffRequest.Outcome.SIGNED and not data.get("confirm"):
            self.add_error("confirm", mentor_services.MSG_CONFIRM)
        return data

    def service_kwargs(self) -> dict:
        return {
            "decision": self.cleaned_data["decision"],
            "ratings": {code: self.cleaned_data.get(f"rating_{code}") for code, _label in COMPETENCIES},
            "feedback": {name: self.cleaned_data.get(name, "") for name in mentor_services.MENTOR_FIELDS},
            "comment": self.cleaned_data.get("return_comment", ""),
        }


class MentorCodeSignOffForm(MentorSignOffForm):
    code = forms.CharField(
        label=_("The mentor's 6-digit sign-off code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
    )  # fmt: skip
