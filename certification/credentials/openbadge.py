"""Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C Verifiable
Credential 2.0), for wallets and professional profiles.

``open_badge`` builds the unsigned credential; ``credential_issue`` signs it
(``signing.sign_credential``). The issuer is our ``did:web``, whose document publishes the
keys; the ``id`` is the public verification URL.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.urls import reverse

from certification.badge_art import badge_art_url
from certification.models import Certificate

from .did import issuer_did
from .loader import OB_V3, VC_V2
from .signing import sign_credential
from .status import status_entries

CONTEXT = [VC_V2, OB_V3]
# A Verifiable Credential secured with an embedded proof (VC Data Model 2.0, section 6.3).
CREDENTIAL_CONTENT_TYPE = "application/vc+ld+json"
# The issuer's name as the certificate PDF prints it (certification/pdf/certificate.html).
ISSUER_NAME = "Glabella"
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def _timestamp(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def open_badge(certificate: Certificate) -> dict:
    url = certificate.verification_url()
    course_url = settings.SITE_URL + reverse("courses:detail", args=[certificate.course_code])
    salt = certificate.code[:16]
    email_hash = hashlib.sha256((certificate.holder.email.lower() + salt).encode()).hexdigest()
    credential = {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title} — certificate {certificate.serial}",
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": ISSUER_NAME,
            "url": settings.SITE_URL,
        },
        "validFrom": _timestamp(certificate.issued_on),
        "validUntil": _timestamp(certificate.expires_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": f"sha256${email_hash}",
                    "salt": salt,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
            ],
            "creditsEarned": float(certificate.credit_hours),
            "achievement": {
                "id": course_url,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": (
                    f"Completed the accredited course {certificate.course_title} ({certificate.course_code}), "
                    "supervised hands-on injection training, and its written and practical examinations."
                ),
                "criteria": {
                    "id": course_url,
                    "narrative": (
                        "A verified professional licence; every lesson of the course; the required signed, "
                        "supervised injection sessions; a passed written examination; a passed practical "
                        "examination judged by independent examiners."
                    ),
                },
                "creditsAvailable": float(certificate.credit_hours),
                "fieldOfStudy": "Botulinum toxin type A administration",
                "humanCode": certificate.course_code,
                "image": {
                    "id": badge_art_url(certificate.course_code),
                    "type": "Image",
                    "caption": f"{certificate.course_title} ({certificate.course_code}) badge",
                },
                "otherIdentifier": [
                    {
                        "type": "IdentifierEntry",
                        "identifierType": "identifier",
                        "identifier": f"{certificate.accrediting_body}: {certificate.accreditation_number}",
                    }
                ],
            },
        },
        "evidence": [
            {
                "id": url,
                "type": ["Evidence"],
                "name": f"Certificate {certificate.serial}",
                "description": "The public verification page of this certificate.",
            }
        ],
        # "JsonSchema" (VC 2.0): 1EdTech's own "1EdTechJsonSchemaValidator2019" is defined
        # by neither context, so JSON-LD safe mode (Digital Bazaar's verifier) refuses it.
        "credentialSchema": [{"id": SCHEMA, "type": "JsonSchema"}],
    }
    # An empty list is left out: verifiers (Digital Bazaar's vc) then ask for a status
    # check that has nothing to check.
    status = status_entries(certificate)
    if status:
        credential["credentialStatus"] = status
    return credential


def credential_issue(certificate: Certificate) -> dict:
    """The signed credential for ``certificate`` (``keys.NoActiveKey`` without a key)."""
    return sign_credential(open_badge(certificate))
