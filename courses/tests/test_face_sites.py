"""The face chart's site catalogue and dose arithmetic. Pure Python: no database."""

import math
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest

from courses.handson import face_sites
from courses.handson.face_sites import (
    AREA_BY_CODE,
    AREAS,
    MIN_SITE_SPACING,
    SITE_BY_CODE,
    SITES,
    VIEWBOX,
    area_totals,
    chart_context,
    dose_notes,
    format_units,
)
from courses.handson.face_sites import dose_warnings as product_dose_warnings
from tests.support.labels import BOTOX, DYSPORT


# The root conftest's autouse fixtures reset Django's cache and private media. Nothing here
# touches either, so they are switched off for this module: it also runs with -p no:django.
@pytest.fixture(autouse=True)
def _isolated_cache():
    return None


@pytest.fixture(autouse=True)
def _private_media():
    return None


ON_LABEL = {"glabella": (20, 5), "lateral_canthal": (24, 6), "forehead": (20, 5)}
MAX_UNITS_PER_3_MONTHS = 400


def dose_warnings(units, product=BOTOX):
    """The checks against Botox's label unless another product is given (issue 15: they
    used to take no product and applied Botox's figures to every product)."""
    return product_dose_warnings(units, product)


def reference_units(*area_codes: str, product=BOTOX) -> dict[str, Decimal]:
    return {s["code"]: product.tap_units(s["area"]) for s in SITES if s["area"] in area_codes}


def test_module_imports_no_django():
    source = Path(face_sites.__file__).read_text(encoding="utf-8")
    assert "import django" not in source
    assert "from django" not in source


@pytest.mark.parametrize(("area_code", "expected"), ON_LABEL.items())
def test_on_label_reference_sites_add_up_to_the_label_dose(area_code, expected):
    units, n_sites = expected
    reference = BOTOX.references[area_code]
    assert (reference["units"], reference["sites"]) == (units, n_sites)
    sites = [s for s in SITES if s["area"] == area_code]
    assert len(sites) == n_sites == AREA_BY_CODE[area_code]["reference_sites"]
    assert BOTOX.tap_units(area_code) == 4
    assert sum(reference_units(area_code).values()) == units


def test_lateral_canthal_is_12_units_a_side_over_3_sites_a_side():
    for side in ("R", "L"):
        sites = [s for s in SITES if s["area"] == "lateral_canthal" and s["side"] == side]
        assert len(sites) == 3
        assert sum(BOTOX.tap_units(s["area"]) for s in sites) == 12


def test_the_site_catalogue_holds_no_products_doses():
    # Reference doses are per product (ProductLabel), never in the catalogue.
    assert all("reference_units" not in a and "given_with" not in a for a in AREAS)
    assert all("reference_units" not in s for s in SITES)
    assert set(BOTOX.references) == set(ON_LABEL)
    for area in AREAS:
        if area["code"] not in ON_LABEL:
            assert BOTOX.tap_units(area["code"]) == face_sites.DEFAULT_TAP_UNITS


def test_codes_are_unique():
    site_codes = [s["code"] for s in SITES]
    area_codes = [a["code"] for a in AREAS]
    assert len(site_codes) == len(set(site_codes))
    assert len(area_codes) == len(set(area_codes))
    assert set(SITE_BY_CODE) == set(site_codes)
    assert set(AREA_BY_CODE) == set(area_codes)


def test_every_site_has_an_existing_area_and_a_side():
    for site in SITES:
        assert site["area"] in AREA_BY_CODE, site["code"]
        assert site["side"] in {"R", "L", "C"}, site["code"]
        assert site["area_name"] == AREA_BY_CODE[site["area"]]["name"]


def test_every_area_has_its_reference_number_of_sites():
    for area in AREAS:
        assert len([s for s in SITES if s["area"] == area["code"]]) == area["reference_sites"]


def test_every_site_lies_inside_the_viewbox():
    min_x, min_y, width, height = VIEWBOX
    margin = 12  # the visible dot's radius plus its ring
    for site in SITES:
        assert min_x + margin <= site["x"] <= min_x + width - margin, site["code"]
        assert min_y + margin <= site["y"] <= min_y + height - margin, site["code"]


def test_sites_are_far_enough_apart_for_their_touch_targets():
    for a, b in combinations(SITES, 2):
        distance = math.dist((a["x"], a["y"]), (b["x"], b["y"]))
        assert distance >= MIN_SITE_SPACING, (a["code"], b["code"], round(distance, 1))


def test_right_is_the_patients_right_on_the_viewers_left():
    for site in SITES:
        if site["side"] == "R":
            assert site["x"] < 200, site["code"]
        elif site["side"] == "L":
            assert site["x"] > 200, site["code"]
        else:
            assert site["x"] == 200 or site["area"] == "forehead", site["code"]


def test_bilateral_sites_are_mirror_images():
    for site in SITES:
        if site["code"].endswith("_r"):
            twin = SITE_BY_CODE[site["code"][:-2] + "_l"]
            assert (twin["x"], twin["y"]) == (400 - site["x"], site["y"])
            assert twin["area"] == site["area"]


def test_anatomical_landmarks_are_in_order_top_to_bottom():
    y = {code: SITE_BY_CODE[code]["y"] for code in SITE_BY_CODE}
    brow_heads = y["procerus"]
    # Frontalis well above the corrugators (at least 2 cm, about 40 units, above the brows).
    assert max(y[f"frontalis_{n}"] for n in range(1, 6)) <= y["corrugator_lateral_r"] - 35
    assert y["corrugator_lateral_r"] < y["corrugator_medial_r"] < brow_heads
    assert y["lateral_canthal_upper_r"] < y["lateral_canthal_middle_r"] < y["lateral_canthal_lower_r"]
    assert y["nasalis_r"] < y["perioral_upper_r"] < y["perioral_lower_r"] < y["mentalis"]
    # Lateral canthal points lie lateral to the corrugators and the nasalis.
    assert SITE_BY_CODE["lateral_canthal_middle_r"]["x"] < SITE_BY_CODE["corrugator_lateral_r"]["x"]


def test_area_totals_sum_per_area_for_every_area():
    units = {"procerus": 4, "corrugator_medial_r": Decimal("4.5"), "frontalis_3": 2.5, "mentalis": None}
    totals = area_totals(units)
    assert list(totals) == [a["code"] for a in AREAS]
    assert totals["glabella"] == Decimal("8.5")
    assert totals["forehead"] == Decimal("2.5")
    assert totals["mentalis"] == 0
    assert all(isinstance(v, Decimal) for v in totals.values())


def test_float_units_keep_their_decimal_value():
    assert area_totals({"procerus": 0.1, "corrugator_medial_r": 0.2})["glabella"] == Decimal("0.3")


def test_unknown_site_code_raises_key_error():
    with pytest.raises(KeyError, match="nose_tip"):
        area_totals({"nose_tip": 4})
    with pytest.raises(KeyError):
        dose_warnings({"procerus": 4, "nose_tip": 4})


@pytest.mark.parametrize("bad", [-1, "four", float("inf"), True])
def test_negative_or_non_numeric_units_raise_value_error(bad):
    with pytest.raises(ValueError, match="units|Units"):
        area_totals({"procerus": bad})


def test_no_warning_for_nothing_given():
    assert dose_warnings({}) == []
    assert dose_warnings({"procerus": 0, "frontalis_1": None}) == []


@pytest.mark.parametrize("area_codes", [("glabella",), ("lateral_canthal",), ("glabella", "forehead"), tuple(ON_LABEL)])
def test_no_warning_at_the_reference_dose(area_codes):
    assert dose_warnings(reference_units(*area_codes)) == []


def test_no_warning_at_the_reference_dose_spread_differently():
    # 20 U over the glabella as 6 + 6 + 4 + 2 + 2: the area total is what the label sets.
    units = dict(zip(reference_units("glabella"), [6, 6, 4, 2, 2], strict=True))
    assert dose_warnings(units) == []


def test_warns_when_an_on_label_area_is_over_its_dose():
    units = reference_units("glabella") | {"procerus": 14}
    assert dose_warnings(units) == ["Glabellar lines: 30 U given; the on-label dose is 20 U over 5 sites."]


def test_warns_when_an_on_label_area_is_under_its_dose():
    units = {"lateral_canthal_upper_r": 4, "lateral_canthal_middle_r": 4, "lateral_canthal_lower_r": 4}
    assert dose_warnings(units) == [
        "Lateral canthal lines (crow's feet): 12 U given; the on-label dose is 24 U over 6 sites."
    ]


def test_half_units_are_shown_without_trailing_zeros():
    units = reference_units("glabella") | {"procerus": Decimal("6.50")}
    assert dose_warnings(units) == ["Glabellar lines: 22.5 U given; the on-label dose is 20 U over 5 sites."]


def test_forehead_without_glabella_warns():
    warnings = dose_warnings(reference_units("forehead"))
    assert len(warnings) == 1
    assert warnings[0].startswith("Forehead lines: given without the glabellar lines")


def test_off_label_areas_never_warn_about_their_dose():
    units = {"masseter_upper_r": 25, "masseter_upper_l": 25, "mentalis": 8}
    assert dose_warnings(units) == []
    assert dose_notes(units, BOTOX) == [
        "Mentalis (chin): no label reference for Botox; the dose is not checked.",
        "Masseter (optional): no label reference for Botox; the dose is not checked.",
    ]


def test_warns_above_400_units_per_session():
    units = {f"masseter_{p}_{s}": 70 for p in ("upper", "anterior", "lower") for s in "rl"}
    assert sum(units.values()) == 420
    assert dose_warnings(units) == [
        f"Session total: 420 U given; the maximum is {MAX_UNITS_PER_3_MONTHS} U in 3 months."
    ]


def test_exactly_400_units_does_not_warn():
    units = {f"masseter_{p}_{s}": 66 for p in ("upper", "anterior", "lower") for s in "rl"}
    units["mentalis"] = 4
    assert sum(units.values()) == 400
    assert dose_warnings(units) == []


def test_format_units():
    assert format_units(Decimal("20.00")) == "20"
    assert format_units(Decimal("22.50")) == "22.5"
    assert format_units(0.25) == "0.25"
    assert format_units(100) == "100"


def test_chart_context_for_the_template():
    ctx = chart_context({"procerus": 4, "frontalis_3": "2.5"}, product=BOTOX, editable=False, field_prefix="u_")
    assert ctx["editable"] is False
    assert ctx["field_prefix"] == "u_"
    assert [s["code"] for s in ctx["sites"]] == [s["code"] for s in SITES]
    by_code = {s["code"]: s for s in ctx["sites"]}
    assert by_code["procerus"]["units"] == 4
    assert by_code["procerus"]["units_display"] == "4"
    assert by_code["frontalis_1"]["units"] is None
    assert by_code["mentalis"]["tap_units"] == str(face_sites.DEFAULT_TAP_UNITS)
    assert by_code["procerus"]["tap_units"] == "4"
    assert chart_context({}, product=DYSPORT)["sites"][0]["tap_units"] == "10"
    glabella = ctx["areas"][0]
    assert glabella["total"] == 4
    assert glabella["warnings"] == ["Glabellar lines: 4 U given; the on-label dose is 20 U over 5 sites."]
    assert ctx["session_total_display"] == "6.5"
    assert len(ctx["warnings"]) == 2
    assert "units" not in SITES[0]  # the catalogue itself is never mutated
