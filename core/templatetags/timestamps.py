"""``<time datetime>`` values to the second: Django's ``date:"c"`` prints microseconds,
which HTML refuses (a fraction of a second has at most three digits)."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attr(value) -> str:
    """``2026-12-07T13:55:12+00:00``: the value in the current time zone, to the second."""
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
