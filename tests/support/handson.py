"""Hands-on sessions recorded through the real services, and the session form's data."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from courses.handson import services as handson
from courses.models import COMPETENCIES, InjectionSession

from .products import product

# The five glabellar sites at their reference dose: 20 U, on label.
GLABELLA = {
    "procerus": Decimal(4),
    "corrugator_medial_r": Decimal(4),
    "corrugator_medial_l": Decimal(4),
    "corrugator_lateral_r": Decimal(4),
    "corrugator_lateral_l": Decimal(4),
}
RATINGS = {code: "competent" for code, _label in COMPETENCIES}


def data(**overrides):
    """Valid session details (what the form's cleaned data holds), with ``overrides``;
    ``product`` is a product code (Botox by default)."""
    today = timezone.localdate()
    values = {
        "performed_on": today,
        "case_type": "supervised",
        "clinic": "Riverside Clinic",
        "model_code": "M-0147",
        "consent_confirmed": True,
        "product": "onabotulinumtoxinA",
        "vial_units": Decimal(100),
        "diluent_ml": Decimal("2.5"),
        "lot_number": "C1234A",
        "lot_expiry": today + datetime.timedelta(days=100),
        "complications": "",
        "complication_management": "",
        "overall_independence": "competent",
        "went_well": "",
        "to_improve": "",
        "agreed_actions": "",
    }
    values.update(overrides)
    values["product"] = product(values["product"])
    return values


def record(enrolment, instructor, units=None, sign=True, **overrides):
    """A session saved (and unless ``sign=False`` signed) by ``instructor`` through the
    services, as the session form does it."""
    session = handson.session_save_draft(
        enrolment=enrolment, instructor=instructor, data=data(**overrides), units_by_site=units or GLABELLA,
        ratings=RATINGS, acknowledged=True,
    )  # fmt: skip
    if sign:
        handson.session_sign(session_id=session.pk, instructor=instructor)
    return InjectionSession.objects.get(pk=session.pk)


def post_data(enrolment=None, **overrides):
    """What the session form posts for a valid session (``None`` drops a field)."""
    values = {key: value for key, value in data().items()}
    values["product"] = values["product"].code
    values.update({f"rating_{code}": level for code, level in RATINGS.items()})
    values.update({f"units_{code}": str(units) for code, units in GLABELLA.items()})
    values["consent_confirmed"] = "on"
    if enrolment is not None:
        values["enrolment"] = enrolment.pk
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}
