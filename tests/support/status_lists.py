"""Reading a certificate's status bit the way an outside verifier does: through the
served BitstringStatusListCredential, decoded."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from certification.credentials.status import bit_at


def served_list(client, certificate, purpose: str) -> dict:
    """The list credential a verifier fetches for the certificate's ``purpose`` entry."""
    from certification.credentials.status import status_entries

    entry = next(e for e in status_entries(certificate) if e["statusPurpose"] == purpose)
    response = client.get(urlsplit(entry["statusListCredential"]).path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vc+ld+json"
    return json.loads(response.content)


def served_bit(client, certificate, purpose: str) -> bool:
    """The certificate's bit in the served ``purpose`` list."""
    document = served_list(client, certificate, purpose)
    assert document["credentialSubject"]["statusPurpose"] == purpose
    return bit_at(document["credentialSubject"]["encodedList"], certificate.status_index)
