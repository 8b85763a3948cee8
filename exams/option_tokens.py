"""Per-attempt option identifiers: what the exam page, its form posts and autosave call an
option, instead of the bank's Option primary key.

An attempt's snapshot keeps the bank's keys (grading, item analysis and the bank's
history need them); the browser only ever sees ``option_token(attempt, key)``, an HMAC of
the attempt's id and the key under the project's secret. The same option has a different
token in every attempt, so nothing on one candidate's page names an option on another's,
and a token cannot be made up or carried over from another attempt. Mapping back
recomputes the tokens of the item's few options (a few microseconds), so nothing extra is
stored or read.

Tokens are made under ``SECRET_KEY`` and also read under ``SECRET_KEY_FALLBACKS``, as
Django's own signatures are: a key rotated during a sitting (the old one kept as a
fallback, as Django's documentation asks) leaves the pages already open working."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "exams.option-token"
# 12 hex digits (48 bits): unique among an item's options and unguessable in a sitting.
_LENGTH = 12


def option_token(attempt_id, key: str, *, secret: str | None = None) -> str:
    """The browser's name for the option ``key`` (the snapshot's) in this attempt, under
    ``secret`` (default: ``SECRET_KEY``)."""
    if not isinstance(attempt_id, uuid.UUID):
        attempt_id = uuid.UUID(str(attempt_id))  # one spelling of the id, however it came
    return salted_hmac(_SALT, f"{attempt_id}:{key}", secret=secret, algorithm="sha256").hexdigest()[:_LENGTH]


def option_keys_for(attempt_id, options: Iterable[dict], tokens: Iterable[str]) -> list[str] | None:
    """The snapshot keys these tokens name among ``options`` (the item's snapshot), or
    None if any token is not one of them."""
    options = list(options)
    by_token = {option_token(attempt_id, option["key"]): option["key"] for option in options}
    for fallback in settings.SECRET_KEY_FALLBACKS:  # pages drawn before a key rotation
        by_token |= {option_token(attempt_id, option["key"], secret=fallback): option["key"] for option in options}
    keys = []
    for token in tokens:
        key = by_token.get(token)
        if key is None:
            return None
        keys.append(key)
    return keys
