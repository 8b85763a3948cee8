"""Product labels as the pure dose checks take them (courses.handson.face_sites), built
by hand from the US labels' figures: the expectations of tests that need no database."""

from __future__ import annotations

from decimal import Decimal

from courses.handson.face_sites import ProductLabel


def _ref(units, sites, given_with=None):
    return {"units": Decimal(units), "sites": sites, "given_with": given_with, "citation": ""}


BOTOX = ProductLabel(
    code="onabotulinumtoxinA",
    name="Botox",
    references={
        "glabella": _ref(20, 5),
        "forehead": _ref(20, 5, "glabella"),
        "lateral_canthal": _ref(24, 6),
    },
    cap_units=400,
)
DYSPORT = ProductLabel(code="abobotulinumtoxinA", name="Dysport", references={"glabella": _ref(50, 5)})
