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
    On-label doses (onabotulinumtoxinA): glabellar lines 20 U over 5 sites (4 U each);
    lateral canthal lines 24 U, 12 U a side over 3 sites a side (4 U each); forehead lines
    20 U over 5 sites (4 U each), given together with the glabellar 20 U; at most 400 U
    in 3 months. Other areas are off-label and have no reference dose
    (``reference_units`` is None). A dose off the reference warns; it never blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TypedDict

VIEWBOX = (20, 0, 360, 500)  # min-x, min-y, width, height: the drawing spans x 20..380
MAX_UNITS_PER_SITE = 100
MAX_UNITS_PER_3_MONTHS = 400
MIN_SITE_SPACING = 35
# Units a tap on an empty site pre-fills when the area has no on-label dose per site.
DEFAULT_TAP_UNITS = 2

AREAS: list[dict] = [
    {
        "code": "glabella",
        "name": "Glabellar lines",
        "reference_units": 20,
        "reference_sites": 5,
        "note": "On label: 20 U over 5 sites, 4 U each.",
    },
    {
        "code": "forehead",
        "name": "Forehead lines",
        "reference_units": 20,
        "reference_sites": 5,
        "given_with": "glabella",
        "note": "On label: 20 U over 5 sites, 4 U each, given with the glabellar 20 U.",
    },
    {
        "code": "lateral_canthal",
        "name": "Lateral canthal lines (crow's feet)",
        "reference_units": 24,
        "reference_sites": 6,
        "note": "On label: 24 U over 6 sites, 12 U a side over 3 sites a side, 4 U each.",
    },
    {
        "code": "bunny_lines",
        "name": "Bunny lines (nasalis)",
        "reference_units": None,
        "reference_sites": 2,
        "note": "Off-label: 1 site a side on the upper lateral nasal wall.",
    },
    {
        "code": "perioral",
        "name": "Perioral (lip) lines",
        "reference_units": None,
        "reference_sites": 4,
        "note": "Off-label: 4 sites just outside the vermilion border.",
    },
    {
        "code": "dao",
        "name": "Depressor anguli oris (DAO)",
        "reference_units": None,
        "reference_sites": 2,
        "note": "Off-label: 1 site a side, low, near the jawline.",
    },
    {
        "code": "mentalis",
        "name": "Mentalis (chin)",
        "reference_units": None,
        "reference_sites": 1,
        "note": "Off-label: 1 central site (or 2 either side of the midline; record the total).",
    },
    {
        "code": "masseter",
        "name": "Masseter (optional)",
        "reference_units": None,
        "reference_sites": 6,
        "note": "Off-label, optional: 3 sites a side in the lower masseter.",
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


def _site(code, name, area, side, x, y, reference_units, label, label_at):
    dx, dy, anchor = _LABEL_OFFSETS[label_at]
    return {
        "code": code,
        "name": name,
        "area": area,
        "side": side,
        "x": x,
        "y": y,
        "reference_units": reference_units,
        "label": label,
        "label_dx": dx,
        "label_dy": dy,
        "label_anchor": anchor,
    }


def _pair(code, name, area, x, y, reference_units, label, label_at):
    """The patient's right site (viewer's left, at x) and its mirror image on the left."""
    return [
        _site(f"{code}_r", f"{name}, right", area, "R", x, y, reference_units, label, label_at),
        _site(
            f"{code}_l",
            f"{name}, left",
            area,
            "L",
            400 - x,
            y,
            reference_units,
            label,
            _MIRROR[label_at],
        ),
    ]


SITES: list[dict] = [
    # Glabellar complex, the label's 5 sites: procerus at the nasal root between the brow
    # heads, medial corrugators about 1 cm above the rim over the medial canthi, lateral
    # corrugators about 1 cm above the rim at the mid-pupillary lines.
    _site("procerus", "Procerus", "glabella", "C", 200, 214, 4, "P", "s"),
    *_pair("corrugator_medial", "Corrugator, medial", "glabella", 172, 186, 4, "CM", "n"),
    *_pair("corrugator_lateral", "Corrugator, lateral", "glabella", 140, 168, 4, "CL", "w"),
    # Frontalis: a row across the mid-forehead, about 3 cm above the brows (never closer
    # than 2 cm), inside the temporal fusion lines. F1 is the patient's right (viewer's left).
    _site("frontalis_1", "Frontalis F1, right lateral", "forehead", "R", 128, 128, 4, "F1", "n"),
    _site("frontalis_2", "Frontalis F2, right medial", "forehead", "R", 164, 128, 4, "F2", "n"),
    _site("frontalis_3", "Frontalis F3, central", "forehead", "C", 200, 128, 4, "F3", "n"),
    _site("frontalis_4", "Frontalis F4, left medial", "forehead", "L", 236, 128, 4, "F4", "n"),
    _site("frontalis_5", "Frontalis F5, left lateral", "forehead", "L", 272, 128, 4, "F5", "n"),
    # Lateral canthal lines: a vertical fan 1-1.5 cm lateral to the lateral orbital rim;
    # the middle point level with the lateral canthus, the others about 1.5 cm above/below.
    *_pair("lateral_canthal_upper", "Lateral canthal, upper", "lateral_canthal", 96, 203, 4, "LC1", "w"),
    *_pair("lateral_canthal_middle", "Lateral canthal, middle", "lateral_canthal", 84, 238, 4, "LC2", "w"),
    *_pair("lateral_canthal_lower", "Lateral canthal, lower", "lateral_canthal", 96, 273, 4, "LC3", "w"),
    # Off-label areas: no reference dose.
    *_pair("nasalis", "Nasalis (bunny lines)", "bunny_lines", 181, 256, None, "N", "w"),
    *_pair("perioral_upper", "Upper lip", "perioral", 180, 342, None, "Lip", "w"),
    *_pair("perioral_lower", "Lower lip", "perioral", 182, 400, None, "Lip", "w"),
    *_pair("dao", "Depressor anguli oris", "dao", 140, 414, None, "DAO", "w"),
    _site("mentalis", "Mentalis", "mentalis", "C", 200, 444, None, "Mn", "e"),
    *_pair("masseter_upper", "Masseter, upper", "masseter", 84, 318, None, "M1", "w"),
    *_pair("masseter_anterior", "Masseter, anterior", "masseter", 112, 342, None, "M2", "n"),
    *_pair("masseter_lower", "Masseter, lower", "masseter", 100, 375, None, "M3", "w"),
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


# Dose warnings ---------------------------------------------------------------------------
#
# A session stores its warnings as codes with parameters (``DoseWarning``), never as
# sentences: ``warning_text`` words them when they are shown, in the reader's language.
# The parameters are what the sentence needs as it stood when the session was recorded,
# the reference dose applied included, so that a later change of reference (per-product
# doses, say) never rewrites what an old session warned about.

AREA_OFF_REFERENCE = "area_off_reference"
AREA_WITHOUT_PARTNER = "area_without_partner"
SESSION_OVER_MAXIMUM = "session_over_maximum"
MODEL_OVER_MAXIMUM = "model_over_maximum"
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
}


def _warning(code: str, **params: str) -> DoseWarning:
    return {"code": code, "params": params}


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


def area_warning_codes(area: dict, totals: Mapping[str, Decimal]) -> list[DoseWarning]:
    """Warnings for one area, given every area's total (see ``area_totals``)."""
    total = totals[area["code"]]
    warnings: list[DoseWarning] = []
    if not total:
        return warnings
    reference = area["reference_units"]
    if reference is not None and total != reference:
        warnings.append(
            _warning(
                AREA_OFF_REFERENCE,
                area=area["code"],
                units=format_units(total),
                reference=format_units(reference),
                sites=str(area["reference_sites"]),
            )
        )
    partner_code = area.get("given_with")
    if partner_code and not totals[partner_code]:
        warnings.append(
            _warning(
                AREA_WITHOUT_PARTNER,
                area=area["code"],
                partner=partner_code,
                partner_units=format_units(AREA_BY_CODE[partner_code]["reference_units"]),
            )
        )
    return warnings


def session_warning_code(session_total: Decimal) -> DoseWarning | None:
    if session_total > MAX_UNITS_PER_3_MONTHS:
        return _warning(SESSION_OVER_MAXIMUM, units=format_units(session_total), maximum=str(MAX_UNITS_PER_3_MONTHS))
    return None


def model_warning_code(*, model_code: str, units_in_90_days: Decimal) -> DoseWarning | None:
    """One model's units over the last 90 days, this session's included, against the
    3-month maximum."""
    if units_in_90_days > MAX_UNITS_PER_3_MONTHS:
        return _warning(
            MODEL_OVER_MAXIMUM,
            model_code=model_code,
            units=format_units(units_in_90_days),
            maximum=str(MAX_UNITS_PER_3_MONTHS),
        )
    return None


def dose_warning_codes(units_by_site: Mapping[str, Decimal | float | int | None]) -> list[DoseWarning]:
    """The warnings a session records, in AREAS order, then the session total's.

    An on-label area warns when its total is neither 0 (untreated) nor its reference dose;
    forehead lines also warn when given without the glabellar lines; the session warns
    above MAX_UNITS_PER_3_MONTHS. Warnings never block saving. Raises KeyError for an
    unknown site code, ValueError for a negative or non-numeric value.

    The references are the onabotulinumtoxinA label's. Per-product references would come
    in as a keyword argument here; each warning records the reference it applied, so
    ``warning_text`` never needs the product.
    """
    totals = area_totals(units_by_site)
    warnings = [w for area in AREAS for w in area_warning_codes(area, totals)]
    over = session_warning_code(sum(totals.values(), Decimal(0)))
    if over:
        warnings.append(over)
    return warnings


def area_warnings(
    area: dict, totals: Mapping[str, Decimal], translate: Callable[[str], str] = gettext_noop
) -> list[str]:
    """``area_warning_codes`` as sentences."""
    return [warning_text(w, translate) for w in area_warning_codes(area, totals)]


def session_warning(session_total: Decimal, translate: Callable[[str], str] = gettext_noop) -> str | None:
    """``session_warning_code`` as a sentence."""
    over = session_warning_code(session_total)
    return warning_text(over, translate) if over else None


def dose_warnings(
    units_by_site: Mapping[str, Decimal | float | int | None], translate: Callable[[str], str] = gettext_noop
) -> list[str]:
    """``dose_warning_codes`` as sentences (English unless ``translate`` is given)."""
    return [warning_text(w, translate) for w in dose_warning_codes(units_by_site)]


def chart_context(
    units_by_site: Mapping[str, Decimal | float | int | None] | None = None,
    *,
    editable: bool = True,
    field_prefix: str = "units_",
    translate: Callable[[str], str] = gettext_noop,
) -> dict:
    """Everything ``courses/handson/face_chart.html`` renders, for ``{% include … %}`` or
    ``render_to_string``: ``sites`` (copies of SITES with ``units``: Decimal or None and
    ``units_display``), ``areas`` (copies of AREAS with their ``sites``, ``total``,
    ``total_display``, ``warnings``, ``has_units``), ``session_total``,
    ``session_total_display``, ``session_warning``, ``warnings``, ``editable``,
    ``field_prefix`` and the limits. Warnings are worded with ``translate`` (Django's
    ``gettext`` in a view; English by default).
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
                "reference_display": format_units(site["reference_units"])
                if site["reference_units"] is not None
                else "",
                "tap_units": site["reference_units"] or DEFAULT_TAP_UNITS,
                "colour": AREA_COLOURS[site["area"]],
            }
        )
    areas = []
    for area in AREAS:
        area_sites = [s for s in sites if s["area"] == area["code"]]
        areas.append(
            {
                **area,
                "sites": area_sites,
                "treated_sites": [s for s in area_sites if s["units"]],
                "total": totals[area["code"]],
                "total_display": format_units(totals[area["code"]]),
                "has_units": bool(totals[area["code"]]),
                "warnings": area_warnings(area, totals, translate),
                "given_with_name": AREA_BY_CODE[area["given_with"]]["name"] if area.get("given_with") else "",
                "given_with_units": AREA_BY_CODE[area["given_with"]]["reference_units"]
                if area.get("given_with")
                else "",
            }
        )
    session_total = sum(totals.values(), Decimal(0))
    return {
        "sites": sites,
        "areas": areas,
        "session_total": session_total,
        "session_total_display": format_units(session_total),
        "session_warning": session_warning(session_total, translate),
        "warnings": dose_warnings(units_by_site, translate),
        "editable": editable,
        "field_prefix": field_prefix,
        "max_units_per_site": MAX_UNITS_PER_SITE,
        "max_units_per_3_months": MAX_UNITS_PER_3_MONTHS,
    }
