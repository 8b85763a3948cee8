"""API keys for organisations that verify certificates in bulk (/api/v1/): created and
revoked by administrators (both audited), checked on each request, and their use
counted per key and day.

A key reads ``glb_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the
whole key is compared in constant time. The secret has 256 random bits, so one unsalted
SHA-256 is enough (nothing to brute-force); the key itself is stored nowhere."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import ApiKey, ApiKeyUsage
from core.services import audit_record

if TYPE_CHECKING:
    from accounts.models import User

PREFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
KEY_PATTERN = re.compile(r"glb_([0-9a-z]{8})_([A-Za-z0-9_-]{43})")
# Compared against when no key has the prefix, so that an unknown key costs what a wrong
# one does.
_NO_KEY = "0" * 64

MSG_ALREADY_REVOKED = _("This key was already revoked.")


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_generate() -> str:
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
    return f"glb_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_key_create(*, organisation: str, contact_email: str, actor: User, key: str | None = None) -> tuple[ApiKey, str]:
    """A new key for ``organisation``: the row and the key, which the caller shows once.
    ``key`` is for the demo data only (a key printed with the demo passwords)."""
    raw = key or api_key_generate()
    match = KEY_PATTERN.fullmatch(raw)
    if match is None:
        raise ValueError("Not an API key: glb_<8 characters>_<43 characters>")
    api_key = ApiKey(
        organisation=organisation.strip(),
        contact_email=contact_email.strip(),
        prefix=match.group(1),
        key_sha256=api_key_hash(raw),
        created_by=actor,
    )
    api_key.full_clean()
    api_key.save()
    audit_record(
        actor=actor,
        action="api_key.created",
        obj=api_key,
        summary=f"API key {api_key.display_prefix} created for {api_key.organisation}",
        details={"organisation": api_key.organisation, "contact_email": api_key.contact_email},
    )
    return api_key, raw


@transaction.atomic
def api_key_revoke(*, key_id, actor: User) -> ApiKey:
    """Revoke a key: every request with it is refused (401) from the commit on. Locks the
    key's row, so two administrators revoking at once record one revocation."""
    api_key = ApiKey.objects.select_for_update().get(pk=key_id)
    if api_key.revoked_at is not None:
        raise ValidationError(MSG_ALREADY_REVOKED)
    api_key.revoked_at = timezone.now()
    api_key.revoked_by = actor
    api_key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="api_key.revoked",
        obj=api_key,
        summary=f"API key {api_key.display_prefix} of {api_key.organisation} revoked",
        details={"organisation": api_key.organisation},
    )
    return api_key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key ``raw`` is, or None (malformed, unknown and revoked alike). One
    query whatever the answer."""
    match = KEY_PATTERN.fullmatch(raw)
    api_key = ApiKey.objects.filter(prefix=match.group(1) if match else "").first()
    expected = api_key.key_sha256 if api_key is not None else _NO_KEY
    matches = hmac.compare_digest(api_key_hash(raw), expected)
    if not (match and matches and api_key is not None and api_key.revoked_at is None):
        return None
    return api_key


def api_key_usage_record(*, api_key: ApiKey, outcome: str) -> None:
    """Count one request of ``api_key`` in today's row (``outcome``: found, not_found,
    rate_limited or other) and note when the key was last used. Two queries (three on a
    key's first request of the day); concurrent requests add up (UPDATE … SET n = n + 1)."""
    now = timezone.now()
    counts = {"requests": F("requests") + 1}
    if outcome in ("found", "not_found", "rate_limited"):
        counts[outcome] = F(outcome) + 1
    day = now.date()
    if not ApiKeyUsage.objects.filter(key=api_key, day=day).update(**counts):
        try:
            with transaction.atomic():
                ApiKeyUsage.objects.create(
                    key=api_key, day=day, requests=1, **{name: 1 for name in counts if name != "requests"}
                )
        except IntegrityError:  # another request created today's row meanwhile
            ApiKeyUsage.objects.filter(key=api_key, day=day).update(**counts)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
