"""The review visit's form: the visit, top-up units per face-chart site (``units_<site>``
fields, as on the session form) and one row per kind of adverse event."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms_utils import IsoDateField
from courses.models import AdverseEventKind, InjectionSession, Review, ReviewOutcome, ReviewSymmetry, Severity

from . import face_sites, review_services, services
from .forms import UNIT_PREFIX


class ReviewForm(forms.Form):
    reviewed_on = IsoDateField(label=_("Review date"))
    timing_note = forms.CharField(
        label=_("Why not at about two weeks?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the review is less than 10 or more than 21 days after the treatment."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": review_services.MSG_OUTCOME, "invalid_choice": review_services.MSG_OUTCOME},
    )  # fmt: skip
    symmetry = forms.ChoiceField(
        label=_("Symmetry"), choices=ReviewSymmetry.choices, widget=forms.RadioSelect,
        error_messages={"required": review_services.MSG_SYMMETRY, "invalid_choice": review_services.MSG_SYMMETRY},
    )  # fmt: skip
    lot_number = forms.CharField(
        label=_("Lot number of the top-up"),
        required=False,
        max_length=40,
        help_text=_("Prefilled with the case's lot; change it if the top-up came from another vial."),
    )
    management = forms.CharField(
        label=_("Management and advice"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    acknowledge_warnings = forms.BooleanField(
        label=_("I have reviewed the dose warnings and the doses are as given"), required=False
    )

    def __init__(self, *args, session: InjectionSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        for site in face_sites.SITES:
            self.fields[f"{UNIT_PREFIX}{site['code']}"] = forms.DecimalField(
                label=site["name"], required=False, min_value=0, max_value=face_sites.MAX_UNITS_PER_SITE,
                decimal_places=1,
                error_messages={"min_value": services.MSG_UNITS_RANGE, "max_value": services.MSG_UNITS_RANGE,
                                "invalid": services.MSG_UNITS_RANGE, "max_decimal_places": services.MSG_UNITS_RANGE,
                                "max_digits": services.MSG_UNITS_RANGE},
            )  # fmt: skip
        blank = [("", _("None"))]
        for kind, label in AdverseEventKind.choices:
            self.fields[f"event_{kind}_severity"] = forms.ChoiceField(
                label=label, required=False, choices=blank + list(Severity.choices),
                error_messages={"invalid_choice": review_services.MSG_SEVERITY},
            )  # fmt: skip
            self.fields[f"event_{kind}_onset"] = IsoDateField(
                label=_("Onset of %(event)s") % {"event": label}, required=False
            )
        self.fields["event_other_description"] = forms.CharField(
            label=_("Other event: what?"), required=False, max_length=200
        )

    @property
    def event_rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (kind, label, self[f"event_{kind}_severity"], self[f"event_{kind}_onset"])
            for kind, label in AdverseEventKind.choices
        ]

    def clean(self):
        data = super().clean()
        for key in self.data:
            if key.startswith(UNIT_PREFIX) and key[len(UNIT_PREFIX) :] not in face_sites.SITE_BY_CODE:
                self.add_error(None, str(services.MSG_UNKNOWN_SITE).format(code=key[len(UNIT_PREFIX) :]))
        return data

    def topup(self) -> dict[str, Decimal]:
        return {
            site["code"]: self.cleaned_data[f"{UNIT_PREFIX}{site['code']}"]
            for site in face_sites.SITES
            if self.cleaned_data.get(f"{UNIT_PREFIX}{site['code']}")
        }

    def typed_units(self) -> dict[str, Decimal]:
        """What the user typed per site, where it is a number, for re-showing the chart."""
        typed = {}
        for site in face_sites.SITES:
            try:
                value = face_sites.units_value(self.data.get(f"{UNIT_PREFIX}{site['code']}", ""))
            except ValueError:
                continue
            if value:
                typed[site["code"]] = value
        return typed

    def events(self) -> list[dict]:
        """The events given a severity (a row left at "None" is no event)."""
        rows = []
        for kind, _label in AdverseEventKind.choices:
            severity = self.cleaned_data.get(f"event_{kind}_severity")
            if severity:
                row = {"kind": kind, "severity": severity, "onset_on": self.cleaned_data.get(f"event_{kind}_onset")}
                if kind == AdverseEventKind.OTHER:
                    row["description"] = self.cleaned_data.get("event_other_description", "")
                rows.append(row)
        return rows

    def service_kwargs(self) -> dict:
        return {
            "data": {name: self.cleaned_data[name] for name in review_services.REVIEW_FIELDS},
            "topup": self.topup(),
            "events": self.events(),
            "acknowledged": self.cleaned_data["acknowledge_warnings"],
        }

    @classmethod
    def initial_for(cls, session: InjectionSession, review: Review | None = None) -> dict:
        if review is None:
            return {"lot_number": session.lot_number}
        initial = {name: getattr(review, name) for name in review_services.REVIEW_FIELDS}
        initial.update({f"{UNIT_PREFIX}{s.site_code}": s.units for s in review.sites.all()})
        for event in review.events.all():
            initial[f"event_{event.kind}_severity"] = event.severity
            initial[f"event_{event.kind}_onset"] = event.onset_on
            if event.kind == AdverseEventKind.OTHER:
                initial["event_other_description"] = event.description
        return initial
