"""Bar and meter widths as class names (``w-pct-0`` … ``w-pct-100`` in static/css/app.css)
instead of inline ``style`` attributes, which the Content-Security-Policy refuses."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _clamped(value) -> int:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return 0
    if not number.is_finite():
        return 0
    return int(min(max(number, Decimal(0)), Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@register.filter
def pct(value) -> int:
    """A percentage as a whole number from 0 to 100: ``{{ t.percent|pct }}``."""
    return _clamped(value)


@register.filter
def pct_of(value, total) -> int:
    """``value`` as a whole percentage of ``total`` (0 when there is no total):
    ``{{ score|pct_of:max_score }}``."""
    try:
        total = Decimal(str(total))
        if not total:
            return 0
        return _clamped(Decimal(str(value)) * 100 / total)
    except (InvalidOperation, TypeError, ValueError):
        return 0
