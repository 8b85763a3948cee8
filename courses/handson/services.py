"""The hands-on training log's writes: record a draft, sign it, amend a signed session,
the trainee's reflection. The requirement check and the other reads are in
``courses.handson.selectors``.

Sign-off locks a session. A correction is an amendment: a new signed session that
points at the original, which is kept and marked superseded. Every sign-off and
amendment writes an audit event.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import licence_valid_for
from core.services import audit_record
from courses.models import COMPETENCIES, CaseType, Enrolment, Independence, InjectionSession, Product, SessionSite
from courses.selectors import course_is_taught_by

from . import face_sites
from .consultation import consultation_carry_over, consultation_sign_blocker
from .selectors import other_products_for_model, recent_units_for_model

MSG_FUTURE_DATE = _("The session date cannot be in the future.")
MSG_LOT_EXPIRED = _("This lot had expired on the session date; expired product must not be used.")
MSG_CONSENT = _("Confirm that the model gave written consent.")
MSG_MODEL_CODE = _("Use an anonymised code of letters, digits and hyphens with at least two digits, e.g. M-0147.")
MSG_MODEL_CODE_DATE = _("This looks like a date. Never record a model's birth date: use an anonymised code.")
MSG_UNITS_RANGE = _("Enter between 0 and 100 units.")
MSG_UNKNOWN_SITE = _("There is no injection site called “{code}”.")
MSG_NO_SITES = _("Record the units given at one site at least.")
MSG_ACKNOWLEDGE = _("These doses differ from the on-label reference: confirm you have reviewed them to save.")
MSG_PRODUCT = _("Choose one of the products in the list; this one is unknown or no longer in use.")
MSG_NOT_INSTRUCTOR = _("Only the course's instructors can record or sign its sessions.")
MSG_MENTOR_CASE = _("This case is supervised by the trainee's mentor, who signs it.")
MSG_LOCKED = _("This session is signed and locked; record a correction as an amendment.")
MSG_NOT_SIGNED = _("Only a signed session can be amended.")
MSG_REASON = _("Say what the amendment corrects.")
MSG_TRAINEE_LICENCE = _(
    "The trainee has no valid verified licence; new hands-on sessions are paused until one is verified."
)
MSG_TRAINEE_NOT_ENROLLED = _("The trainee is not enrolled in this course.")
MSG_CASE_TYPE = _("Choose whether the trainee observed, was supervised or treated independently under oversight.")
MSG_RATING_MISSING = _("Rate this competency (or choose “Not observed”).")
MSG_REFLECT_SIGNED = _("You can add a reflection once your instructor has signed the session.")

MODEL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$")
DATE_LIKE = re.compile(r"(\d{1,2}[-./]\d{1,2}[-./]\d{2,4})|(\d{4}[-./]?\d{2}[-./]?\d{2})|(^\d{6}$)|(^\d{8}$)")
# The fields an instructor fills; used for drafts and for amendments alike.
SESSION_FIELDS = (
    "performed_on", "case_type", "clinic", "model_code", "consent_confirmed", "product", "vial_units", "diluent_ml",
    "lot_number", "lot_expiry", "complications", "complication_management", "overall_independence",
    "went_well", "to_improve", "agreed_actions",
)  # fmt: skip


def model_code_errors(code: str) -> list[str]:
    if DATE_LIKE.search(code):
        return [MSG_MODEL_CODE_DATE]
    if not MODEL_CODE.match(code) or sum(ch.isdigit() for ch in code) < 2:
        return [MSG_MODEL_CODE]
    return []


def units_per_01ml(vial_units: Decimal, diluent_ml: Decimal) -> Decimal:
    """Concentration after reconstitution: 100 U in 2.5 mL gives 4 U per 0.1 mL."""
    return (Decimal(vial_units) / Decimal(diluent_ml) / 10).quantize(Decimal("0.01"))


def session_dose_warnings(
    *, units_by_site: dict[str, Decimal], model_code: str, performed_on: datetime.date, product: Product, exclude=()
) -> list[face_sites.DoseWarning]:
    """The warnings a session records, as codes with parameters (face_sites.warning_text
    words them when shown), against the session's product's label: the face chart's; the
    model's units of this product over 90 days when earlier signed sessions take them above
    the product's cap (only where its label states one); and one warning per other product
    the model received within the 90 days (units are not interchangeable)."""
    label = product.label()
    warnings = face_sites.dose_warning_codes(units_by_site, label)
    earlier = recent_units_for_model(model_code=model_code, performed_on=performed_on, product=product, exclude=exclude)
    if earlier:
        total = earlier + sum(units_by_site.values(), Decimal(0))
        over = face_sites.model_warning_code(model_code=model_code, units_in_90_days=total, product=label)
        if over:
            warnings.append(over)
    others = other_products_for_model(
        model_code=model_code, performed_on=performed_on, product=product, exclude=exclude
    )
    for other, day in others:
        warnings.append(
            face_sites.mixed_product_warning_code(
                model_code=model_code, product=label, other_product=other.short_name, other_date=day.isoformat()
            )
        )
    return warnings


def _check(
    *, enrolment: Enrolment, instructor: User | None, data: dict, units_by_site: dict, ratings: dict | None,
    acknowledged: bool, exclude=(),
) -> list[face_sites.DoseWarning]:  # fmt: skip
    """Validate a session as a whole; returns the dose warnings. Raises ValidationError by field.
    A mentor case (courses.handson.mentor_services) passes no instructor, and no ratings
    while it is the trainee's draft: the mentor rates when signing."""
    errors: dict[str, list[str]] = defaultdict(list)
    if instructor is not None and not course_is_taught_by(enrolment.course, instructor):
        raise ValidationError(MSG_NOT_INSTRUCTOR)
    if enrolment.status != Enrolment.Status.ACTIVE:
        errors["__all__"].append(MSG_TRAINEE_NOT_ENROLLED)
    if not licence_valid_for(user=enrolment.trainee).exists():
        errors["__all__"].append(MSG_TRAINEE_LICENCE)
    today = timezone.localdate()
    if data["performed_on"] > today:
        errors["performed_on"].append(MSG_FUTURE_DATE)
    if data["lot_expiry"] < data["performed_on"]:
        errors["lot_expiry"].append(MSG_LOT_EXPIRED)
    if data["case_type"] not in CaseType.values:
        errors["case_type"].append(MSG_CASE_TYPE)
    if not data["consent_confirmed"]:
        errors["consent_confirmed"].append(MSG_CONSENT)
    errors["model_code"] += model_code_errors(data["model_code"])
    for code, units in units_by_site.items():
        if code not in face_sites.SITE_BY_CODE:
            errors["sites"].append(str(MSG_UNKNOWN_SITE).format(code=code))
        elif not (Decimal(0) < units <= face_sites.MAX_UNITS_PER_SITE):
            errors[f"units_{code}"].append(MSG_UNITS_RANGE)
    if not units_by_site:
        errors["sites"].append(MSG_NO_SITES)
    for code, _label in COMPETENCIES if ratings is not None else ():
        if ratings.get(code) not in Independence.values:
            errors[f"rating_{code}"].append(MSG_RATING_MISSING)
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    warnings = session_dose_warnings(
        units_by_site=units_by_site,
        model_code=data["model_code"],
        performed_on=data["performed_on"],
        product=data["product"],
        exclude=exclude,
    )
    if any(not face_sites.is_informational(w) for w in warnings) and not acknowledged:
        raise ValidationError({"acknowledge_warnings": [MSG_ACKNOWLEDGE]})
    return warnings


def _write(
    session: InjectionSession, *, data: dict, units_by_site: dict, ratings: dict, warnings: list[face_sites.DoseWarning]
) -> None:
    for name in SESSION_FIELDS:
        setattr(session, name, data[name])
    session.model_code = data["model_code"].upper()
    session.ratings = {code: ratings[code] for code, _label in COMPETENCIES if code in ratings}
    session.dose_warnings = warnings
    session.dose_warnings_acknowledged = any(not face_sites.is_informational(w) for w in warnings)
    session.save()
    session.sites.all().delete()
    SessionSite.objects.bulk_create(
        [SessionSite(session=session, site_code=code, units=units) for code, units in units_by_site.items()]
    )


@transaction.atomic
def session_save_draft(
    *, enrolment: Enrolment, instructor: User, data: dict, units_by_site: dict, ratings: dict,
    acknowledged: bool = False, session: InjectionSession | None = None,
) -> InjectionSession:  # fmt: skip
    """Create or update a draft session. Nothing is written when a rule fails."""
    if session is not None:
        session = InjectionSession.objects.select_for_update().get(pk=session.pk)
        if session.is_locked:
            raise ValidationError(MSG_LOCKED)
    warnings = _check(
        enrolment=enrolment, instructor=instructor, data=data, units_by_site=units_by_site, ratings=ratings,
        acknowledged=acknowledged, exclude=[session.pk] if session else (),
    )  # fmt: skip
    session = session or InjectionSession(enrolment=enrolment, instructor=instructor)
    _write(session, data=data, units_by_site=units_by_site, ratings=ratings, warnings=warnings)
    return session


@transaction.atomic
def session_sign(*, session_id, instructor: User) -> InjectionSession:
    """Sign a draft, which locks it. Holds a SELECT FOR UPDATE lock on the session row
    only (not on the enrolment, course or trainee joined to it)."""
    session = (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "enrolment__trainee")
        .get(pk=session_id)
    )
    if session.mentor_id is not None:
        raise ValidationError(MSG_MENTOR_CASE)
    if not course_is_taught_by(session.enrolment.course, instructor):
        raise ValidationError(MSG_NOT_INSTRUCTOR)
    if session.is_locked:
        raise ValidationError(MSG_LOCKED)
    blocker = consultation_sign_blocker(session_id=session.pk)
    if blocker:
        raise ValidationError(blocker)
    session.status = InjectionSession.Status.SIGNED
    session.signed_at = timezone.now()
    session.instructor = instructor
    session.save(update_fields=["status", "signed_at", "instructor"])
    audit_record(
        actor=instructor,
        action="session.signed",
        obj=session,
        summary=f"Signed session {session.model_code} on {session.performed_on} for {session.enrolment.trainee.email}",
        details={"dose_warnings": session.dose_warnings, "case_type": session.case_type},
    )
    return session


@transaction.atomic
def session_amend(
    *, original_id, instructor: User, data: dict, units_by_site: dict, ratings: dict, reason: str,
    acknowledged: bool = False,
) -> InjectionSession:  # fmt: skip
    """Correct a signed session: a new signed session that amends it; the original is
    kept, marked superseded. Holds a SELECT FOR UPDATE lock on the original's row only."""
    original = (
        InjectionSession.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "enrolment__trainee")
        .get(pk=original_id)
    )
    if original.status != InjectionSession.Status.SIGNED:
        raise ValidationError(MSG_NOT_SIGNED)
    if original.mentor_id is not None:
        raise ValidationError(MSG_MENTOR_CASE)
    if not reason.strip():
        raise ValidationError({"amendment_reason": [MSG_REASON]})
    warnings = _check(
        enrolment=original.enrolment, instructor=instructor, data=data, units_by_site=units_by_site, ratings=ratings,
        acknowledged=acknowledged, exclude=[original.pk],
    )  # fmt: skip
    original.status = InjectionSession.Status.SUPERSEDED
    original.save(update_fields=["status"])
    amendment = InjectionSession(
        enrolment=original.enrolment, instructor=instructor, amends=original, amendment_reason=reason.strip(),
        status=InjectionSession.Status.SIGNED, signed_at=timezone.now(), reflection=original.reflection,
        reflection_at=original.reflection_at,
    )  # fmt: skip
    _write(amendment, data=data, units_by_site=units_by_site, ratings=ratings, warnings=warnings)
    details = {"amends": str(original.pk), "reason": reason.strip()}
    if amendment.case_type != original.case_type:  # it changes what the case counts toward
        details["case_type"] = [original.case_type, amendment.case_type]
    consultation_carry_over(original=original, amendment=amendment)
    audit_record(
        actor=instructor,
        action="session.amended",
        obj=amendment,
        summary=f"Amended session {original.pk} ({original.model_code}, {original.performed_on})",
        details=details,
    )
    return amendment


def session_reflect(*, session: InjectionSession, trainee: User, text: str) -> InjectionSession:
    """The trainee's own reflection on a signed session (the signed record itself stays
    locked; the reflection is theirs to write and rewrite). Raises PermissionDenied for
    anyone else's session: views fetch it with selectors.get_own_session_for, a 404."""
    if session.enrolment.trainee_id != trainee.pk:
        raise PermissionDenied
    if session.status != InjectionSession.Status.SIGNED:
        raise ValidationError({"reflection": [MSG_REFLECT_SIGNED]})
    session.reflection = text.strip()
    session.reflection_at = timezone.now()
    session.save(update_fields=["reflection", "reflection_at"])
    return session


def product_record_change(*, product: Product, actor: User, created: bool) -> None:
    """Audit a product's creation or change in the admin, with the figures it now holds
    (its references and cap drive every later session's dose warnings)."""
    audit_record(
        actor=actor,
        action="product.created" if created else "product.changed",
        obj=product,
        summary=f"{'Added' if created else 'Changed'} product {product} ({'active' if product.active else 'inactive'})",
        details={
            "cap_units": product.cap_units,
            "references": {
                ref.area_code: {"units": str(ref.units), "sites": ref.sites, "given_with": ref.given_with}
                for ref in product.references.all()
            },
        },
    )
