"""How a run's dates read: ``{{ run|run_dates }}`` → “12–14 March 2027”."""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


def date_span(start: datetime.date, end: datetime.date) -> str:
    """“12 March 2027”, “12–14 March 2027”, “28 February – 2 March 2027” or
    “30 December 2026 – 2 January 2027”: each part said once, months in words (never an
    ambiguous 03/04)."""
    if start == end:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


@register.filter
def run_dates(run) -> str:
    return date_span(run.starts_on, run.ends_on)


@register.filter
def dates_to(start: datetime.date, end: datetime.date) -> str:
    """``{{ start|dates_to:end }}``, for dates not held by a run object."""
    return date_span(start, end)
