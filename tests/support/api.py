"""Calling the verification API (/api/v1/) the way an organisation's system does."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def api_get(client, code=None, *, key: str | None = None, **params):
    """GET /api/v1/verify/<code>, or /api/v1/verify?<params> without a code; with
    ``Authorization: Bearer <key>`` when a key is given."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    if code is not None:
        return client.get(reverse("api:verify", args=[code]), headers=headers)
    return client.get(f"{reverse('api:verify_lookup')}?{urlencode(params)}", headers=headers)
