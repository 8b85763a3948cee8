"""Sharing a certificate: LinkedIn's add-to-profile link for its holder, and the Open
Graph / Twitter card tags of its public verification page (what a link preview shows)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.translation import gettext as _

from .badge_art import SIZES, badge_art_url
from .models import Certificate

# The issuer as the PDF and the Open Badge name it.
ISSUER_NAME = "Glabella"
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate: Certificate) -> str | None:
    """LinkedIn's "Add licence or certification" form, filled in; only for a valid
    certificate (an expired, suspended or withdrawn one is not offered)."""
    if certificate.public_state() != Certificate.VALID:
        return None
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": ISSUER_NAME,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "expirationYear": certificate.expires_on.year,
        "expirationMonth": certificate.expires_on.month,
        "certUrl": certificate.verification_url(),
        "certId": certificate.serial,
    }
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def _state_title(state: str) -> str:
    return {
        Certificate.VALID: _("Valid certificate"),
        Certificate.EXPIRED: _("Expired certificate"),
        Certificate.SUSPENDED: _("Suspended certificate"),
        Certificate.REVOKED: _("Revoked certificate"),
        Certificate.SUPERSEDED: _("Superseded certificate"),
    }[state]


def open_graph(certificate: Certificate, state: str) -> dict[str, str | int]:
    """The link preview of a verification page, for a certificate the public may be told
    about (certification.verification.public_verdict): the same facts the page shows."""
    width, height = SIZES["card"]
    return {
        "title": f"{_state_title(state)}: {certificate.course_title}",
        "description": _("%(holder)s · %(serial)s · issued %(issued)s, expires %(expires)s · verified by Glabella")
        % {
            "holder": certificate.holder_name,
            "serial": certificate.serial,
            "issued": certificate.issued_on.isoformat(),
            "expires": certificate.expires_on.isoformat(),
        },
        "url": certificate.verification_url(),
        "image": badge_art_url(certificate.course_code, "card.png"),
        "image_width": width,
        "image_height": height,
        "image_alt": _("Badge of the course %(title)s (%(code)s)")
        % {"title": certificate.course_title, "code": certificate.course_code},
    }
