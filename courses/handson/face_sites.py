"""Injection-site catalogue for the hands-on training log's face chart (DESIGN.md §3).

Pure data and arithmetic: no Django imports, no models, no database. The chart template
(``courses/templates/courses/handson/face_chart.html``) draws these sites on a front view
of a face; the training-log form stores units per site code.

Sides
    ``"R"`` and ``"L"`` are the PATIENT's right and left, as in every clinical record.
    The chart is a front view, as the instructor faces the model, so the patient's right
    is on the viewer's LEFT (x < 200) and the patient's left on the viewer's right
    (x > 200). ``"C"`` is a midline site.

Coordinates
    ``x``/``y`` are centres in the chart's SVG coordinates: x 0..400 with the midline at
    x = 200, y 0..500; the chart shows the viewBox ``20 0 360 500`` (``VIEWBOX``). The
    drawing is about 20 units to the centimetre (eye fissure 56 units, about 3 cm).
    Neighbouring sites are at least ``MIN_SITE_SPACING`` apart; each has a 50-unit touch
    target (44 px once the chart is 317 px wide), and a tap goes to the nearest dot.

Reference doses
    Per product (``ProductLabel``): botulinum toxin units are not interchangeable between
    products, so every check takes the session's product, built from the database's
    ``Product`` and ``ProductAreaReference`` rows (``courses.models.handson``), which cite
    the labels. An area the product's label gives no dose for is "no label reference for
    <product>" (an informational note, never a warning on another product's number); a
    product's cumulative cap applies only where its label states one. A dose off the
    reference warns; it never blocks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypedDict

VIEWBOX = (20, 0, 360, 500)  # min-x, min-y, width, height: the drawing spans x 20..380
MAX_UNITS_PER_SITE = 100
MIN_SITE_SPACING = 35
# Units a tap on an empty site pre-fills when the product's label gives the area no dose.
DEFAULT_TAP_UNITS = 2

AREAS: list[dict] = [
    {
        "code": "glabella",
        "name": "Glabellar lines",
        "reference_sites": 5,
        "note": "5 sites: the procerus and the medial and lateral corrugators.",
    },
    {
        "code": "forehead",
        "name": "Forehead lines",
        "reference_sites": 5,
        "note": "5 sites across the mid-forehead, at least 2 cm above the brows.",
    },
    {
        "code": "lateral_canthal",
        "name": "Lateral canthal lines (crow's feet)",
        "reference_sites": 6,
        "note": "3 sites a side, lateral to the orbital rim.",
    },
    {
        "code": "bunny_lines",
        "name": "Bunny lines (nasalis)",
        "reference_sites": 2,
        "note": "1 site a side on the upper lateral nasal wall.",
    },
    {
        "code": "perioral",
        "name": "Perioral (lip) lines",
        "reference_sites": 4,
        "note": "4 sites just outside the vermilion border.",
    },
    {
        "code": "dao",
        "name": "Depressor anguli oris (DAO)",
        "reference_sites": 2,
        "note": "1 site a side, low, near the jawline.",
    },
    {
        "code": "mentalis",
        "name": "Mentalis (chin)",
        "reference_sites": 1,
        "note": "1 central site (or 2 either side of the midline; record the total).",
    },
    {
        "code": "masseter",
        "name": "Masseter (optional)",
        "reference_sites": 6,
        "note": "Optional: 3 sites a side in the lower masseter.",
    },
]

# Where a site's short label sits relative to its dot: n(orth), s, e(ast = viewer's right), w.
_LABEL_OFFSETS = {
    "n": (0, -17, "middle"),
    "s": (0, 25, "middle"),
    "e": (16, 4, "start"),
    "w": (-16, 4, "end"),
}
_MIRROR = {"e": "w", "w": "e", "n": "n", "s": "s"}


def _site(code, name, area, side, x, y, label, label_at):
    dx, dy, anchor = _LABEL_OFFSETS[label_at]
    return {
        "code": code,
        "name": name,
        "area": area,
        "side": side,
        "x": x,
        "y": y,
        "label": label,
        "label_dx": dx,
        "label_dy": dy,
        "label_anchor": anchor,
    }


def _pair(code, name, area, x, y, label, label_at):
    """The patient's right site (viewer's left, at x) and its mirror image on the left."""
    return [
        _site(f"{code}_r", f"{name}, right", area, "R", x, y, label, label_at),
        _site(
            f"{code}_l",
            f"{name}, left",
            area,
            "L",
            400 - x,
            y,
            label,
            _MIRROR[label_at],
        ),
    ]


SITES: list[dict] = [
    # Glabellar complex, the label's 5 sites: procerus at the nasal root between the brow
    # heads, medial corrugators about 1 cm above the rim over the medial canthi, lateral
    # corrugators about 1 cm above the rim at the mid-pupillary lines.
    _site("procerus", "Procerus", "glabella", "C", 200, 214, "P", "s"),
    *_pair("corrugator_medial", "Corrugator, medial", "glabella", 172, 186, "CM", "n"),
    *_pair("corrugator_lateral", "Corrugator, lateral", "glabella", 140, 168, "CL", "w"),
    # Frontalis: a row across the mid-forehead, about 3 cm above the brows (never closer
    # than 2 cm), inside the temporal fusion lines. F1 is the patient's right (viewer's left).
    _site("frontalis_1", "Frontalis F1, right lateral", "forehead", "R", 128, 128, "F1", "n"),
    _site("frontalis_2", "Frontalis F2, right medial", "forehead", "R", 164, 128, "F2", "n"),
    _site("frontalis_3", "Frontalis F3, central", "forehead", "C", 200, 128, "F3", "n"),
    _site("frontalis_4", "Frontalis F4, left medial", "forehead", "L", 236, 128, "F4", "n"),
    _site("frontalis_5", "Frontalis F5, left lateral", "forehead", "L", 272, 128, "F5", "n"),
    # Lateral canthal lines: a vertical fan 1-1.5 cm lateral to the lateral orbital rim;
    # the middle point level with the lateral canthus, the others about 1.5 cm above/below.
    *_pair("lateral_canthal_upper", "Lateral canthal, upper", "lateral_canthal", 96, 203, "LC1", "w"),
    *_pair("lateral_canthal_middle", "Lateral canthal, middle", "lateral_canthal", 84, 238, "LC2", "w"),
    *_pair("lateral_canthal_lower", "Lateral canthal, lower", "lateral_canthal", 96, 273, "LC3", "w"),
    # Areas no label in the catalogue gives a dose for.
    *_pair("nasalis", "Nasalis (bunny lines)", "bunny_lines", 181, 256, "N", "w"),
    *_pair("perioral_upper", "Upper lip", "perioral", 180, 342, "Lip", "w"),
    *_pair("perioral_lower", "Lower lip", "perioral", 182, 400, "Lip", "w"),
    *_pair("dao", "Depressor anguli oris", "dao", 140, 414, "DAO", "w"),
    _site("mentalis", "Mentalis", "mentalis", "C", 200, 444, "Mn", "e"),
    *_pair("masseter_upper", "Masseter, upper", "masseter", 84, 318, "M1", "w"),
    *_pair("masseter_anterior", "Masseter, anterior", "masseter", 112, 342, "M2", "n"),
    *_pair("masseter_lower", "Masseter, lower", "masseter", 100, 375, "M3", "w"),
]

AREA_BY_CODE: dict[str, dict] = {area["code"]: area for area in AREAS}
# The chart's area colours (facechart.css defines the same); repeated here as SVG
# presentation attributes so that renderers without the stylesheet (the PDF logbook) agree.
AREA_COLOURS = {
    "glabella": "#7b2d8e",
    "forehead": "#1f5fa8",
    "lateral_canthal": "#1d6b3a",
    "bunny_lines": "#a0401a",
    "perioral": "#b0195a",
    "dao": "#6a5d00",
    "mentalis": "#3d4b5c",
    "masseter": "#00676e",
}
SITE_BY_CODE: dict[str, dict] = {site["code"]: site for site in SITES}

for _s in SITES:
    _s["area_name"] = AREA_BY_CODE[_s["area"]]["name"]
del _s

_CENT = Decimal("0.01")


def units_value(value) -> Decimal:
    """One site's units as a Decimal; None or "" (an empty field) is 0.

    Floats go through their shortest repr, so 0.1 is 0.1, not 0.1000000000000000055….
    Raises ValueError for negative, infinite or non-numeric values.
    """
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(f"Not a number of units: {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Not a number of units: {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"Units must be a number of at least 0, not {value!r}")
    return number


def format_units(value: Decimal | float | int) -> str:
    """20 -> "20", 22.5 -> "22.5", 0.25 -> "0.25": no exponent, no trailing zeros."""
    number = units_value(value)
    try:
        number = number.quantize(_CENT)
    except InvalidOperation:  # too many digits for cents (a typed 1E26): shown whole
        number = number.to_integral_value()
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_codes(units_by_site: Mapping) -> None:
    for code in units_by_site:
        if code not in SITE_BY_CODE:
            raise KeyError(f"Unknown injection site: {code!r}")


def area_totals(units_by_site: Mapping[str, Decimal | float | int | None]) -> dict[str, Decimal]:
    """Units per area code, for every area in AREAS order (0 for an untreated area).

    Raises KeyError for a site code that is not in SITES.
    """
    _check_codes(units_by_site)
    totals = {area["code"]: Decimal(0) for area in AREAS}
    for code, value in units_by_site.items():
        totals[SITE_BY_CODE[code]["area"]] += units_value(value)
    return totals


# Products ------------------------------------------------------------------------------


class AreaReference(TypedDict):
    units: Decimal
    sites: int
    given_with: str | None  # an area the label says this one is treated together with
    citation: str


@dataclass(frozen=True)
class ProductLabel:
    """What the dose checks need of a product: its name as the warnings show it, its
    label's reference doses by area code and its cumulative cap (None where the label
    states none). ``courses.models.Product.label()`` builds one from the database."""

    code: str
    name: str
    references: Mapping[str, AreaReference] = field(default_factory=dict)
    cap_units: int | None = None

    def tap_units(self, area_code: str) -> Decimal:
        """Units a tap on an empty site of the area pre-fills: the label's dose per site."""
        reference = self.references.get(area_code)
        if reference is None or not reference["sites"]:
            return Decimal(DEFAULT_TAP_UNITS)
        return Decimal(reference["units"]) / reference["sites"]

    def chart_data(self) -> dict:
        """JSON-ready references for the face chart's live warnings (static/js/facechart.js)."""
        return {
            "name": self.name,
            "cap": self.cap_units,
            "areas": {
                code: {
                    "units": format_units(ref["units"]),
                    "sites": ref["sites"],
                    "per_site": format_units(self.tap_units(code)),
                    "given_with": ref["given_with"] or "",
                    "given_with_units": format_units(self.references[ref["given_with"]]["units"])
                    if ref["given_with"] in self.references
                    else "",
                }
                for code, ref in self.references.items()
            },
        }


# Dose warnings ---------------------------------------------------------------------------
#
# A session stores its warnings as codes with parameters (``DoseWarning``), never as
# sentences: ``warning_text`` words them when they are shown, in the reader's language.
# The parameters are what the sentence needs as it stood when the session was recorded,
# the reference dose and the product's name included, so that a later change of reference
# never rewrites what an old session warned about.

AREA_OFF_REFERENCE = "area_off_reference"
AREA_WITHOUT_PARTNER = "area_without_partner"
SESSION_OVER_MAXIMUM = "session_over_maximum"
# Before per-product caps: units of every product added together. Kept to word old sessions.
MODEL_OVER_MAXIMUM = "model_over_maximum"
MODEL_OVER_PRODUCT_MAXIMUM = "model_over_product_maximum"
MODEL_MIXED_PRODUCTS = "model_mixed_products"
# Informational: the product's label gives this area no dose, so nothing is checked.
AREA_NO_REFERENCE = "area_no_reference"
INFORMATIONAL = frozenset({AREA_NO_REFERENCE})
# A sentence stored before warnings had codes, that the data migration could not read:
# {"code": "legacy", "params": {"text": "…"}}, shown as it was.
LEGACY = "legacy"


class DoseWarning(TypedDict):
    code: str
    params: dict[str, str]


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages`` (which looks for this name) and returns it
    untranslated: this module imports no Django, so ``warning_text`` is handed the
    translation function by its caller."""
    return message


WARNING_TEXTS: dict[str, str] = {
    AREA_OFF_REFERENCE: gettext_noop(
        "%(area)s: %(units)s U given; the on-label dose is %(reference)s U over %(sites)s sites."
    ),
    AREA_WITHOUT_PARTNER: gettext_noop(
        "%(area)s: given without the %(partner)s; on label they are treated together "
        "(%(partner_units)s U to the %(partner)s)."
    ),
    SESSION_OVER_MAXIMUM: gettext_noop("Session total: %(units)s U given; the maximum is %(maximum)s U in 3 months."),
    MODEL_OVER_MAXIMUM: gettext_noop(
        "Model %(model_code)s: %(units)s U in 90 days including earlier sessions; "
        "the maximum is %(maximum)s U in 3 months."
    ),
    MODEL_OVER_PRODUCT_MAXIMUM: gettext_noop(
        "Model %(model_code)s: %(units)s U of %(product)s in 90 days including earlier sessions; "
        "the label maximum is %(maximum)s U in 3 months."
    ),
    MODEL_MIXED_PRODUCTS: gettext_noop(
        "Model %(model_code)s received %(other_product)s on %(other_date)s and %(product)s now; "
        "units of different products are not interchangeable."
    ),
    AREA_NO_REFERENCE: gettext_noop("%(area)s: no label reference for %(product)s; the dose is not checked."),
}


def _warning(code: str, **params: str) -> DoseWarning:
    return {"code": code, "params": params}


def is_informational(warning: Mapping) -> bool:
    """A note (no label reference) rather than a warning: it needs no acknowledging."""
    return warning.get("code") in INFORMATIONAL


def warning_text(warning: Mapping, translate: Callable[[str], str] = gettext_noop) -> str:
    """The sentence for a stored warning. ``translate`` is Django's ``gettext`` where the
    text is shown (the default leaves it in English). Area codes in the parameters are
    shown by their names; a legacy or unknown warning shows its stored text."""
    code = warning.get("code")
    params = dict(warning.get("params") or {})
    if code not in WARNING_TEXTS:
        return str(params.get("text", code))
    if "area" in params:
        params["area"] = AREA_BY_CODE[params["area"]]["name"]
    if "partner" in params:
        params["partner"] = AREA_BY_CODE[params["partner"]]["name"].lower()
    return translate(WARNING_TEXTS[code]) % params


def area_warning_codes(area: dict, totals: Mapping[str, Decimal], product: ProductLabel) -> list[DoseWarning]:
    """Warnings (and the no-reference note) for one treated area against the product's
    label, given every area's total (see ``area_totals``)."""
    total = totals[area["code"]]
    warnings: list[DoseWarning] = []
    if not total:
        return warnings
    reference = product.references.get(area["code"])
    if reference is None:
        return [_warning(AREA_NO_REFERENCE, area=area["code"], product=product.name)]
    if total != reference["units"]:
        warnings.append(
            _warning(
                AREA_OFF_REFERENCE,
                area=area["code"],
                units=format_units(total),
                reference=format_units(reference["units"]),
                sites=str(reference["sites"]),
            )
        )
    partner_code = reference["given_with"]
    if partner_code and not totals[partner_code]:
        partner = product.references.get(partner_code)
        warnings.append(
            _warning(
                AREA_WITHOUT_PARTNER,
                area=area["code"],
                partner=partner_code,
                partner_units=format_units(partner["units"]) if partner else "",
            )
        )
    return warnings


def session_warning_code(session_total: Decimal, product: ProductLabel) -> DoseWarning | None:
    """The session's total against the product's cap (no cap on the label: no warning)."""
    if product.cap_units is not None and session_total > product.cap_units:
        return _warning(SESSION_OVER_MAXIMUM, units=format_units(session_total), maximum=str(product.cap_units))
    return None


def model_warning_code(*, model_code: str, units_in_90_days: Decimal, product: ProductLabel) -> DoseWarning | None:
    """One model's units OF THIS PRODUCT over the last 90 days, this session's included,
    against the product's 3-month cap (units of other products are not added: they are
    not interchangeable)."""
    if product.cap_units is not None and units_in_90_days > product.cap_units:
        return _warning(
            MODEL_OVER_PRODUCT_MAXIMUM,
            model_code=model_code,
            units=format_units(units_in_90_days),
            product=product.name,
            maximum=str(product.cap_units),
        )
    return None


def mixed_product_warning_code(
    *, model_code: str, product: ProductLabel, other_product: str, other_date: str
) -> DoseWarning:
    """The model had another product (``other_product``, by name) on ``other_date`` (ISO)
    within the 90 days."""
    return _warning(
        MODEL_MIXED_PRODUCTS,
        model_code=model_code,
        other_product=other_product,
        other_date=other_date,
        product=product.name,
    )


def dose_warning_codes(
    units_by_site: Mapping[str, Decimal | float | int | None], product: ProductLabel
) -> list[DoseWarning]:
    """The warnings a session records against ``product``'s label, in AREAS order, then
    the session total's.

    An area with a label reference warns when its total is neither 0 (untreated) nor the
    reference; an area given without the area its label pairs it with warns; an area the
    label gives no dose for gets the informational ``AREA_NO_REFERENCE``; the session
    warns above the product's cap, if its label states one. Warnings never block saving.
    Raises KeyError for an unknown site code, ValueError for a negative or non-numeric value.
    """
    totals = area_totals(units_by_site)
    warnings = [w for area in AREAS for w in area_warning_codes(area, totals, product)]
    over = session_warning_code(sum(totals.values(), Decimal(0)), product)
    if over:
        warnings.append(over)
    return warnings


def dose_warnings(
    units_by_site: Mapping[str, Decimal | float | int | None],
    product: ProductLabel,
    translate: Callable[[str], str] = gettext_noop,
) -> list[str]:
    """The warnings of ``dose_warning_codes`` as sentences (English unless ``translate``
    is given), without the informational notes (see ``dose_notes``)."""
    return [warning_text(w, translate) for w in dose_warning_codes(units_by_site, product) if not is_informational(w)]


def dose_notes(
    units_by_site: Mapping[str, Decimal | float | int | None],
    product: ProductLabel,
    translate: Callable[[str], str] = gettext_noop,
) -> list[str]:
    """The informational notes of ``dose_warning_codes`` as sentences."""
    return [warning_text(w, translate) for w in dose_warning_codes(units_by_site, product) if is_informational(w)]


def chart_context(
    units_by_site: Mapping[str, Decimal | float | int | None] | None = None,
    *,
    product: ProductLabel,
    products: list[ProductLabel] | None = None,
    editable: bool = True,
    field_prefix: str = "units_",
    translate: Callable[[str], str] = gettext_noop,
) -> dict:
    """Everything ``courses/handson/face_chart.html`` renders, for ``{% include … %}`` or
    ``render_to_string``: ``sites`` (copies of SITES with ``units``: Decimal or None,
    ``units_display`` and the product's ``tap_units``), ``areas`` (copies of AREAS with
    their ``sites``, ``total``, ``total_display``, ``reference`` (the product's, or None),
    ``warnings``, ``notes``, ``has_units``), ``session_total``, ``session_total_display``,
    ``session_warning``, ``warnings``, ``product`` and ``products_json`` (every selectable
    product's references, for the live warnings when the product select changes),
    ``editable``, ``field_prefix`` and the limits. Warnings are worded with ``translate``
    (Django's ``gettext`` in a view; English by default).
    """
    units_by_site = dict(units_by_site or {})
    totals = area_totals(units_by_site)
    sites = []
    for site in SITES:
        units = units_value(units_by_site.get(site["code"]))
        sites.append(
            {
                **site,
                "units": units if units else None,
                "units_display": format_units(units) if units else "",
                "tap_units": format_units(product.tap_units(site["area"])),
                "colour": AREA_COLOURS[site["area"]],
            }
        )
    areas = []
    for area in AREAS:
        area_sites = [s for s in sites if s["area"] == area["code"]]
        codes = area_warning_codes(area, totals, product)
        reference = product.references.get(area["code"])
        areas.append(
            {
                **area,
                "sites": area_sites,
                "treated_sites": [s for s in area_sites if s["units"]],
                "total": totals[area["code"]],
                "total_display": format_units(totals[area["code"]]),
                "has_units": bool(totals[area["code"]]),
                "reference": reference,
                "reference_display": format_units(reference["units"]) if reference else "",
                "warnings": [warning_text(w, translate) for w in codes if not is_informational(w)],
                "notes": [warning_text(w, translate) for w in codes if is_informational(w)],
            }
        )
    session_total = sum(totals.values(), Decimal(0))
    over = session_warning_code(session_total, product)
    return {
        "sites": sites,
        "areas": areas,
        "session_total": session_total,
        "session_total_display": format_units(session_total),
        "session_warning": warning_text(over, translate) if over else None,
        "warnings": dose_warnings(units_by_site, product, translate),
        "product": product,
        "products_json": json.dumps({p.code: p.chart_data() for p in (products or [product])}),
        "editable": editable,
        "field_prefix": field_prefix,
        "max_units_per_site": MAX_UNITS_PER_SITE,
    }
