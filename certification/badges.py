"""Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C Verifiable
Credential), for wallets and professional profiles.

The credential is not signed with a proof; its ``id`` is the public verification URL,
where anyone can confirm it is genuine and current.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.urls import reverse

from .badge_art import badge_art_url
from .models import Certificate

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def _timestamp(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def open_badge(certificate: Certificate) -> dict:
    url = certificate.verification_url()
    course_url = settings.SITE_URL + reverse("courses:detail", args=[certificate.course_code])
    salt = certificate.code[:16]
    email_hash = hashlib.sha256((certificate.holder.email.lower() + salt).encode()).hexdigest()
    return {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title} — certificate {certificate.serial}",
        "issuer": {
            "id": settings.SITE_URL + "/",
            "type": ["Profile"],
            "name": "Glabella",
            "url": settings.SITE_URL + "/",
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
                "otherIdentifiers": [
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
        "credentialSchema": [{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
