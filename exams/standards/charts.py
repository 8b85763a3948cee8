"""The Hofstee chart: the observed fail rate against the pass mark, the judges' box and
diagonal, the compromise and the Angoff cut, in the SVG coordinates of
exams/standards/exercise.html (a 400 × 260 view box: pass mark 0–100 % from x = 40 to
380, fail rate 0–100 % from y = 220 up to 20)."""

from __future__ import annotations

from typing import Any

from .angoff import HofsteeResult


def x(percent: float) -> float:
    return round(40 + float(percent) * 3.4, 2)


def y(percent: float) -> float:
    return round(220 - float(percent) * 2, 2)


def hofstee_chart(hofstee: HofsteeResult | None, *, angoff_cut: float | None) -> dict[str, Any] | None:
    """What the template draws, or None without Hofstee bounds or candidates."""
    if hofstee is None or not hofstee.candidates:
        return None
    return {
        "curve": " ".join(f"{x(c)},{y(f)}" for c, f in hofstee.curve),
        "box": (x(hofstee.min_cut), y(hofstee.max_fail), x(hofstee.max_cut) - x(hofstee.min_cut),
                y(hofstee.min_fail) - y(hofstee.max_fail)),
        "diagonal": (x(hofstee.min_cut), y(hofstee.max_fail), x(hofstee.max_cut), y(hofstee.min_fail)),
        "cross": (x(hofstee.cut), y(hofstee.fail_rate)) if hofstee.cut is not None else None,
        "angoff_x": x(angoff_cut) if angoff_cut is not None else None,
        "ticks": [(x(t), y(t), t) for t in (0, 25, 50, 75, 100)],
    }  # fmt: skip
