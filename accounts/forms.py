from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms_utils import IsoDateField
from core.uploads import check_document

from .models import Jurisdiction, NameChangeRequest, Profession, User
from .services import MSG_REASON_REQUIRED


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, taking as long for a registered address as for a new one:
    a new account hashes its password (about 200 ms with the production hasher), so the
    password is hashed, and thrown away, for a registered address too. Both then answer
    alike ("check your email"), allauth's ACCOUNT_PREVENT_ENUMERATION."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ProfileForm(forms.ModelForm):
    """The profile. With ``name_locked`` (a licence has verified the name) the form has no
    legal name field, so whatever a request sends for it is ignored (the page shows the
    name as text); the service refuses a change as well."""

    class Meta:
        model = User
        fields = ["legal_name", "profession"]

    def __init__(self, *args, name_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_locked = name_locked
        self.fields["legal_name"].required = True
        self.fields["profession"].required = True
        self.fields["legal_name"].widget.attrs["autocomplete"] = "name"
        if name_locked:
            del self.fields["legal_name"]

    def clean_legal_name(self):
        from .validators import validate_printed_name

        legal_name = self.cleaned_data["legal_name"]
        validate_printed_name(legal_name)
        return legal_name


class LicenceForm(forms.Form):
    profession = forms.ChoiceField(label=_("Profession"), choices=[("", "—")] + Profession.choices)
    number = forms.CharField(label=_("Licence number"), max_length=50)
    jurisdiction = forms.ModelChoiceField(
        label=_("Issuing jurisdiction"),
        queryset=Jurisdiction.objects.filter(is_active=True),
        help_text=_("The country and state or province whose authority issued the licence."),
    )
    expires_on = IsoDateField(label=_("Expiry date"))
    npi = forms.CharField(
        label=_("NPI (US only, optional)"),
        required=False,
        max_length=10,
        min_length=10,
        help_text=_("Your 10-digit National Provider Identifier."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    document = forms.FileField(
        label=_("Scan or photo of the licence"),
        help_text=_("JPEG, PNG or PDF, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request  # the upload counts against this request's user

    def clean_number(self):
        from .validators import validate_printed_number

        number = self.cleaned_data["number"]
        validate_printed_number(number)
        return number

    def clean_npi(self):
        from .validators import validate_npi

        npi = self.cleaned_data["npi"].strip()
        if npi:
            validate_npi(npi)
        return npi

    def clean_expires_on(self):
        from .services import MSG_EXPIRY_NOT_FUTURE

        expires_on = self.cleaned_data["expires_on"]
        if expires_on <= timezone.localdate():
            raise ValidationError(MSG_EXPIRY_NOT_FUTURE)
        return expires_on

    def clean_document(self):
        return check_document(self.cleaned_data["document"], request=self.request)


class DecisionForm(forms.Form):
    """An administrator's decision on a trainee's submission (a licence, a name change):
    a ``decision`` the subclass defines, and a reason the trainee reads, required to reject."""

    REJECT = "reject"
    reason = forms.CharField(
        label=_("Reason (the trainee reads this)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", MSG_REASON_REQUIRED)
        return data


class LicenceDecisionForm(DecisionForm):
    VERIFY = "verify"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(VERIFY, _("Verify: the document matches the details")), (DecisionForm.REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )


class LicenceRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the holder reads this)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JurisdictionForm(forms.ModelForm):
    country = forms.CharField(label=_("Country"), max_length=10, help_text=_("ISO 3166-1 two-letter code, e.g. US."))
    certifiable_professions = forms.MultipleChoiceField(
        label=_("Professions that may be certified"),
        choices=Profession.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Jurisdiction
        fields = [
            "name",
            "country",
            "region",
            "certifiable_professions",
            "requirements_note",
            "is_active",
        ]
        widgets = {"requirements_note": forms.Textarea(attrs={"rows": 3})}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(_("Use the two-letter ISO country code, e.g. US or GB."))
        return country


# allauth's second-factor forms: the code field asks phones for the number pad (TOTP
# and recovery codes are both digits) and says what it takes.
def _numeric_code(field: forms.Field, *, help_text: str) -> None:
    field.widget.attrs.update(inputmode="numeric", pattern="[0-9]*", autocomplete="one-time-code")
    field.widget.attrs.pop("placeholder", None)
    field.help_text = help_text


MSG_CODE_HELP = _("The 6-digit code from your authenticator app, or one of your 8-digit recovery codes.")


class MFAAuthenticateForm(AllauthAuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric_code(self.fields["code"], help_text=MSG_CODE_HELP)


class MFAReauthenticateForm(AllauthReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric_code(self.fields["code"], help_text=MSG_CODE_HELP)


class ActivateTOTPForm(AllauthActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric_code(self.fields["code"], help_text=_("The 6-digit code your authenticator app shows now."))


class NameChangeRequestForm(forms.Form):
    requested_name = forms.CharField(
        label=_("New legal name"),
        max_length=200,
        help_text=_("Exactly as it should print on certificates, and as it appears on your documents."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—")] + NameChangeRequest.Reason.choices)
    explanation = forms.CharField(
        label=_("Explanation (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        help_text=_(
            "For example a marriage certificate, deed poll or a licence showing the new name. JPEG, PNG or PDF, "
            "up to 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request  # the upload counts against this request's user

    def clean_requested_name(self):
        from .validators import validate_printed_name

        name = self.cleaned_data["requested_name"]
        validate_printed_name(name)
        return name

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document:
            return None
        return check_document(document, request=self.request)


class NameChangeDecisionForm(DecisionForm):
    APPROVE = "approve"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: the documents support the new name")), (DecisionForm.REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
