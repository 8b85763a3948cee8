"""The certificate as a document: its HTML (with the QR code and the director's
signature inlined as data: URIs) and the PDF WeasyPrint makes of it."""

from __future__ import annotations

import base64
import functools
import logging

import segno
from django.template.loader import render_to_string
from weasyprint import CSS

from core.pdf import render_pdf, stylesheet

from .models import Certificate

logger = logging.getLogger(__name__)

SIGNATURE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def qr_data_uri(url: str) -> str:
    """The verification URL as a QR code (error correction M), an SVG data: URI, dark on
    white with the standard quiet zone of four modules, so that it scans from paper
    whatever the page prints around it."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4, dark="#1b2430", light="#fff")


def signature_data_uri(certificate: Certificate) -> str:
    """The course's signature image, or "" if none is on file (or it cannot be read:
    the certificate still renders, with the director's name on the line)."""
    signature = certificate.award.course.director_signature
    if not signature:
        return ""
    try:
        with signature.open("rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("Signature file %s of %s is missing", signature.name, certificate.course_code)
        return ""
    kind = next((t for magic, t in SIGNATURE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def certificate_html(certificate: Certificate) -> str:
    url = certificate.verification_url()
    return render_to_string(
        "certification/pdf/certificate.html",
        {
            "certificate": certificate,
            "verification_url": url,
            "qr": qr_data_uri(url),
            "signature": signature_data_uri(certificate),
        },
    )


@functools.cache
def certificate_stylesheet() -> CSS:
    """certificate.css, parsed once per process: its rules and the decoration's SVG in data:
    URIs took about a tenth of a render to parse. It holds no certificate's data."""
    return stylesheet(render_to_string("certification/pdf/certificate.css"))


def pdf_from_html(html: str) -> bytes:
    """The certificate's HTML (``certificate_html``) as a PDF, with its stylesheet."""
    return render_pdf(html, stylesheets=(certificate_stylesheet(),))


def certificate_pdf(certificate: Certificate) -> bytes:
    return pdf_from_html(certificate_html(certificate))
