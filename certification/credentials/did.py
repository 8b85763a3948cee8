"""The issuer's ``did:web`` identifier and DID document.

``did:web:<host>`` (a port written ``%3A<port>``) resolves to
``https://<host>/.well-known/did.json``; the document lists the active and retired keys
as Multikey verification methods usable for ``assertionMethod`` (issuing credentials).
A revoked key is left out, so what it signed no longer verifies anywhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from . import keys as issuer_keys
from .loader import DID_V1, MULTIKEY_V1


def issuer_did(site_url: str | None = None) -> str:
    parts = urlsplit(site_url or settings.SITE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += f"%3A{parts.port}"
    return f"did:web:{host}"  # SITE_URL is an origin: the document is at /.well-known/did.json


def verification_method_id(key_id: str) -> str:
    return f"{issuer_did()}#{key_id}"


def did_document() -> dict:
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{key.id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_multibase,
        }
        for key in issuer_keys.keys_published()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
