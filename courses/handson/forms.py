from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms_utils import IsoDateField
from courses.models import COMPETENCIES, CaseType, Independence, InjectionSession

from . import face_sites, selectors, services
from .case_types import EXPLANATIONS

UNIT_PREFIX = "units_"


class SessionForm(forms.Form):
    """A supervised session as the instructor records it. Units per site arrive as
    ``units_<site code>`` fields (the face chart's table), so the form works without
    JavaScript."""

    enrolment = forms.ModelChoiceField(label=_("Trainee"), queryset=None)
    performed_on = IsoDateField(label=_("Date"))
    case_type = forms.ChoiceField(
        label=_("Case type"),
        choices=list(EXPLANATIONS.items()),
        initial=CaseType.SUPERVISED,
        widget=forms.RadioSelect,
        error_messages={"required": services.MSG_CASE_TYPE, "invalid_choice": services.MSG_CASE_TYPE},
        help_text=_("For an observed case rate only what the trainee did; “Not observed” is fine for the rest."),
    )
    clinic = forms.CharField(label=_("Clinic"), max_length=200)
    model_code = forms.CharField(
        label=_("Model code"),
        max_length=20,
        help_text=_("Anonymised, e.g. M-0147. Never a name or birth date."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    consent_confirmed = forms.BooleanField(
        label=_("Written consent obtained from the model"),
        error_messages={"required": services.MSG_CONSENT},
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=None,
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": services.MSG_PRODUCT, "required": services.MSG_PRODUCT},
    )
    vial_units = forms.DecimalField(label=_("Vial size (U)"), min_value=1, max_value=500, decimal_places=1, initial=100)
    diluent_ml = forms.DecimalField(
        label=_("Saline added (mL)"),
        min_value=Decimal("0.1"),
        max_value=10,
        decimal_places=2,
        initial=Decimal("2.5"),
    )
    lot_number = forms.CharField(label=_("Lot number"), max_length=40)
    lot_expiry = IsoDateField(label=_("Lot expiry date"))
    complications = forms.CharField(label=_("Complications"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    complication_management = forms.CharField(
        label=_("Management of complications"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    overall_independence = forms.ChoiceField(
        label=_("Overall level of independence"), choices=Independence.choices, widget=forms.RadioSelect
    )
    went_well = forms.CharField(label=_("What went well"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    to_improve = forms.CharField(label=_("What to improve"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agreed_actions = forms.CharField(
        label=_("Agreed actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    acknowledge_warnings = forms.BooleanField(
        label=_("I have reviewed the dose warnings and the doses are as given"), required=False
    )

    def __init__(self, *args, enrolments=None, current_product=None, **kwargs):
        """``current_product``: the product of the session being edited or amended, still
        offered when it has since been made inactive (the session keeps what it said)."""
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.product_choices(current=current_product)
        if not self.is_bound and not self.initial.get("product"):
            first = self.fields["product"].queryset.first()
            self.initial["product"] = first.code if first else None
        if enrolments is None:
            del self.fields["enrolment"]
        else:
            self.fields["enrolment"].queryset = enrolments
            self.fields["enrolment"].label_from_instance = lambda e: e.trainee.legal_name or e.trainee.email
        for code, label in COMPETENCIES:
            self.fields[f"rating_{code}"] = forms.ChoiceField(
                label=label, choices=Independence.choices, widget=forms.RadioSelect,
                error_messages={"required": services.MSG_RATING_MISSING},
            )  # fmt: skip
        for site in face_sites.SITES:
            self.fields[f"{UNIT_PREFIX}{site['code']}"] = forms.DecimalField(
                label=site["name"], required=False, min_value=0, max_value=face_sites.MAX_UNITS_PER_SITE,
                decimal_places=1,
                error_messages={"min_value": services.MSG_UNITS_RANGE, "max_value": services.MSG_UNITS_RANGE},
            )  # fmt: skip

    @property
    def rating_fields(self):
        return [self[f"rating_{code}"] for code, _label in COMPETENCIES]

    def clean(self):
        data = super().clean()
        unknown = [
            key[len(UNIT_PREFIX) :]
            for key in self.data
            if key.startswith(UNIT_PREFIX) and key[len(UNIT_PREFIX) :] not in face_sites.SITE_BY_CODE
        ]
        for code in unknown:
            self.add_error(None, str(services.MSG_UNKNOWN_SITE).format(code=code))
        return data

    def units_by_site(self) -> dict[str, Decimal]:
        return {
            site["code"]: self.cleaned_data[f"{UNIT_PREFIX}{site['code']}"]
            for site in face_sites.SITES
            if self.cleaned_data.get(f"{UNIT_PREFIX}{site['code']}")
        }

    def typed_units(self) -> dict[str, Decimal]:
        """What the user typed per site, where it is a number, for re-showing the chart."""
        typed = {}
        for site in face_sites.SITES:
            raw = self.data.get(f"{UNIT_PREFIX}{site['code']}", "") if self.is_bound else ""
            try:
                value = face_sites.units_value(raw)
            except ValueError:
                continue
            if value:
                typed[site["code"]] = value
        return typed

    def ratings(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"rating_{code}") for code, _label in COMPETENCIES}

    def service_kwargs(self) -> dict:
        """What services.session_save_draft / session_amend take from this form."""
        return {
            "data": self.session_data(),
            "units_by_site": self.units_by_site(),
            "ratings": self.ratings(),
            "acknowledged": self.cleaned_data["acknowledge_warnings"],
        }

    def session_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.SESSION_FIELDS}

    def selected_product_code(self) -> str | None:
        """The product the chart checks against: the one posted, or the initial one."""
        if self.is_bound:
            return self.data.get("product") or None
        product = self.initial.get("product")
        return getattr(product, "code", product)

    @classmethod
    def initial_from(cls, session: InjectionSession) -> dict:
        initial = {name: getattr(session, name) for name in services.SESSION_FIELDS}
        initial["product"] = session.product.code
        initial.update({f"rating_{code}": level for code, level in session.ratings.items()})
        initial.update({f"{UNIT_PREFIX}{s.site_code}": s.units for s in session.sites.all()})
        return initial


class AmendmentForm(SessionForm):
    amendment_reason = forms.CharField(
        label=_("What does this amendment correct?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label=_("Your reflection"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you learned, what you would do differently. Your instructor and examiners can read it."),
    )
