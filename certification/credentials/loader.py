"""A JSON-LD document loader that never touches the network.

It serves the contexts shipped in ``contexts/`` (README there: their sources) and raises
for every other URL, so that neither signing nor verifying depends on, or can be steered
by, a server we do not control.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

from pyld.jsonld import JsonLdError

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXTS = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}


class DocumentRefused(JsonLdError):
    """A URL that is not one of the shipped contexts."""


@functools.cache
def _context(url: str) -> dict:
    return json.loads((CONTEXT_DIR / CONTEXTS[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's loader interface: a RemoteDocument for a shipped context, else raise."""
    if url not in CONTEXTS:
        raise DocumentRefused(
            f"Refused to load {url!r}: only the JSON-LD contexts shipped with Glabella are used.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(_context(url)),
        # "static": pyld keeps the processed context in its module-level cache (per
        # process) instead of processing it again for every document (about a third of
        # the signing time).
        "tag": "static",
    }
