"""A fixed-window request limit per client address, counted in the cache (Redis in
production, so every web process shares the count)."""

from __future__ import annotations

import time

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" → (30, 60)."""
    count, _slash, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip().lower()[0]]


def client_address(request) -> str:
    # REMOTE_ADDR is what the WSGI server saw; behind a proxy it must set it (as
    # gunicorn's --forwarded-allow-ips does), never a header a client can forge.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, *, scope: str, rate: str) -> bool:
    """Count this request against ``scope`` for its client; False once over the rate."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count <= limit
