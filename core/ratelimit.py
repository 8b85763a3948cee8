"""A fixed-window request limit per client address or per signed-in user, and the
failed sign-in limits (per account and address, with a growing delay), counted in the
cache (Redis in production, so every web process shares the count)."""

from __future__ import annotations

import math
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import JsonResponse
from django.utils.translation import gettext as _

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _now() -> float:
    return time.time()


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" → (30, 60); "6/10m" → (6, 600): a count per (a number of) s, m, h or d."""
    count, _slash, period = rate.partition("/")
    match = re.fullmatch(r"(\d*)\s*([smhd])[a-z]*", period.strip().lower())
    if match is None:
        raise ValueError(f"Not a rate: {rate!r}")
    return int(count), int(match.group(1) or 1) * PERIODS[match.group(2)]


def client_address(request) -> str:
    # REMOTE_ADDR is what the WSGI server saw; behind a proxy it must set it (as
    # gunicorn's --forwarded-allow-ips does), never a header a client can forge.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_key(request, per: str) -> str:
    """Whom a request counts against: its address (``per="ip"``), or its signed-in user
    (``per="user"``; an anonymous request falls back to its address)."""
    if per == "user" and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if per not in ("ip", "user"):
        raise ValueError(f"per must be 'ip' or 'user', not {per!r}")
    return f"ip:{client_address(request)}"


def allow(request, *, scope: str, rate: str, per: str = "ip") -> bool:
    """Count this request against ``scope`` for its client; False once over the rate."""
    return allow_for(client_key(request, per), scope=scope, rate=rate)


def allow_for(who: str, *, scope: str, rate: str) -> bool:
    """Count one request of ``who`` (any stable name: an address, an API key's id)
    against ``scope``; False once over the rate."""
    limit, period = parse_rate(rate)
    window = int(_now() // period)
    key = f"ratelimit:{scope}:{who}:{window}"
    return _count(key, timeout=period + 1) <= limit


def _count(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` and return it. On Redis one round trip: INCR and
    EXPIRE in one MULTI/EXEC (the expiry is pushed back on each hit, which changes no
    count: the key names its window). The cache API's add then incr made three round
    trips (SET NX, EXISTS, INCRBY) and pickled: a quarter of an exam autosave's time.
    Any other cache (local memory in development) goes through the cache API."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(redis_key, write=True).pipeline()
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, timeout)
        count, _expiry_set = pipeline.execute()
        return count
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def retry_after(rate: str) -> int:
    """Seconds until the current window of ``rate`` ends (at least 1)."""
    _limit, period = parse_rate(rate)
    return max(1, int(period - _now() % period))


def rate_limited_json(*, scope: str, setting: str, default: str, per: str, message: str):
    """A view decorator: past the rate (settings.<setting>, else ``default``) the view
    is not run and the client gets a JSON 429 with the message and when to retry, in
    the body and in Retry-After. Put it under the decorators that check who is asking."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = getattr(settings, setting, default)
            if allow(request, scope=scope, rate=rate, per=per):
                return view(request, *args, **kwargs)
            wait = retry_after(rate)
            response = JsonResponse({"ok": False, "error": _(message), "retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response

        return wrapped

    return decorator


# Failed sign-ins ------------------------------------------------------------------------
#
# Two limits, neither of which locks an account's owner out from where they are:
# - per account and address (the login typed, hashed, and REMOTE_ADDR): the first
#   LOGIN_FREE_FAILURES failures cost nothing; from then on each attempt opens a gate that
#   stays shut for 2, 4, 8 … seconds, up to LOGIN_MAX_DELAY (15 minutes). The count is
#   forgotten after a day without failures, and wiped by a successful sign-in from there.
# - per address, a high ceiling on failures (LOGIN_FAILURES_PER_ADDRESS, 100 a minute):
#   against one address spraying guesses over many accounts, high enough for a clinic or
#   exam venue behind one NAT.
# Attempts are counted before the password is checked (an atomic increment and an atomic
# add of the gate), so a burst of parallel requests gets no more tries than a sequence.

LOGIN_FREE_FAILURES = 5
LOGIN_MAX_DELAY = 15 * 60
LOGIN_FAILURE_MEMORY = 24 * 3600


def _hashed(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


def _pair_keys(request, login: str) -> tuple[str, str]:
    base = f"login-backoff:{_hashed(login)}:{client_address(request)}"
    return f"{base}:failures", f"{base}:gate"


def _uncount(key: str) -> None:
    with suppress(ValueError):  # expired meanwhile: nothing to take back
        cache.decr(key)


@dataclass
class LoginAttempt:
    """One sign-in attempt, counted as failed until ``succeeded`` says otherwise.
    ``wait`` > 0: refused, the seconds until this account may try again from here."""

    wait: int = 0
    keys: tuple[str, ...] = ()

    def succeeded(self) -> None:
        """The password was right: forget this pair's failures and give the address's
        failure back (a venue's correct sign-ins never count towards its ceiling)."""
        failures, gate, address = self.keys
        cache.delete_many([failures, gate])
        _uncount(address)


def login_attempt_begin(request, login: str) -> LoginAttempt:
    """Count a sign-in attempt for ``login`` from this request's address, or refuse it
    with how long to wait."""
    failures_key, gate_key = _pair_keys(request, login)
    now = _now()
    until = cache.get(gate_key)
    if until is not None and until > now:
        return LoginAttempt(wait=max(1, math.ceil(until - now)))
    rate = getattr(settings, "LOGIN_FAILURES_PER_ADDRESS", "100/m")
    limit, period = parse_rate(rate)
    address_key = f"ratelimit:login-failed:ip:{client_address(request)}:{int(now // period)}"
    if _count(address_key, timeout=period + 1) > limit:
        _uncount(address_key)
        return LoginAttempt(wait=retry_after(rate))
    failures = _count(failures_key, timeout=LOGIN_FAILURE_MEMORY)
    if failures >= LOGIN_FREE_FAILURES:
        delay = min(2 ** (failures - LOGIN_FREE_FAILURES + 1), LOGIN_MAX_DELAY)
        if not cache.add(gate_key, now + delay, timeout=delay):
            # Another attempt for this pair holds the gate: this one is not counted.
            _uncount(failures_key)
            _uncount(address_key)
            until = cache.get(gate_key) or now + 1
            return LoginAttempt(wait=max(1, math.ceil(until - now)))
    return LoginAttempt(keys=(failures_key, gate_key, address_key))


def login_failures_forget(request, login: str) -> None:
    """Wipe this pair's failures (after a password reset from this address)."""
    cache.delete_many(list(_pair_keys(request, login)))
