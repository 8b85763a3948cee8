"""The standard-setting scatter: each result as a dot (global grade across, checklist
total up), the regression line, the current and suggested pass marks, in the SVG
coordinates of exams/practical/standard_setting.html (a 400 × 250 view box: grades 0–4
from x = 40 to 360, totals 0–maximum from y = 220 up to 20)."""

from __future__ import annotations

from typing import Any

from exams.models import GlobalGrade, RubricVersion

from .standard_setting import Regression


def regression_chart(regression: Regression | None, *, current: RubricVersion, maximum: int) -> dict[str, Any] | None:
    """What the template draws, or None without a regression (too few results)."""
    if regression is None:
        return None

    def x(grade):
        return 40 + grade * 80

    def y(total):
        return 220 - (float(total) / maximum * 200 if maximum else 0)

    return {
        "dots": [(x(g), y(t)) for g, t in regression.points],
        "line": (x(0), y(regression.intercept), x(4), y(regression.intercept + 4 * regression.slope)),
        "current_y": y(current.pass_mark),
        "suggested_y": y(regression.suggested_pass_mark),
        "grades": [(x(g.value), g.label) for g in GlobalGrade],
        "maximum": maximum,
    }
