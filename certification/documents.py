"""The certificate as a document: its HTML (with the QR code and the director's
signature inlined as data: URIs) and the PDF WeasyPrint makes of it.

The PDF is PDF/A-3b and tagged: XMP metadata (title, the issuer as author, the course as
subject, the render time as creation date), the document language, an sRGB output intent,
every font embedded. The certificate's credential (its Open Badges 3.0 JSON) travels inside
it as an associated file, ``credential.json``, listed in the catalogue's /AF with the
relationship Data, so that the PDF alone is enough for a verifier."""

from __future__ import annotations

import base64
import datetime
import functools
import io
import json
import logging

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from weasyprint import CSS

from core.pdf import attachment, render_pdf, stylesheet
from core.pdf_signing import pdf_sign

from .models import Certificate

logger = logging.getLogger(__name__)

SIGNATURE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}

PDF_VARIANT = "pdf/a-3b"
# The embedded credential: its file name in the PDF, MIME type and PDF/A-3 relationship
# (Data: the data the page presents, as for e-invoices' embedded XML).
CREDENTIAL_FILE_NAME = "credential.json"
CREDENTIAL_MEDIA_TYPE = "application/vc+ld+json"
CREDENTIAL_RELATIONSHIP = "Data"


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


def _w3c(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def certificate_html(certificate: Certificate, *, created: datetime.datetime | None = None) -> str:
    """The certificate's HTML; ``created`` (the render time) becomes the PDF's creation date."""
    url = certificate.verification_url()
    return render_to_string(
        "certification/pdf/certificate.html",
        {
            "certificate": certificate,
            "verification_url": url,
            "qr": qr_data_uri(url),
            "signature": signature_data_uri(certificate),
            "created": _w3c(created or timezone.now()),
        },
    )


@functools.cache
def certificate_stylesheet() -> CSS:
    """certificate.css, parsed once per process: its rules and the decoration's SVG in data:
    URIs took about a tenth of a render to parse. It holds no certificate's data."""
    return stylesheet(render_to_string("certification/pdf/certificate.css"))


def pdf_from_html(
    html: str, *, credential: dict | None = None, created: datetime.datetime | None = None, serial: str = ""
) -> bytes:
    """The certificate's HTML (``certificate_html``) as a tagged PDF/A-3b with its stylesheet,
    carrying ``json.dumps(credential)`` as ``credential.json`` when a credential is given."""
    attachments = ()
    if credential is not None:
        moment = created or timezone.now()
        attachments = (
            attachment(
                json.dumps(credential).encode(),
                name=CREDENTIAL_FILE_NAME,
                media_type=CREDENTIAL_MEDIA_TYPE,
                description=f"Open Badges 3.0 credential of certificate {serial}".strip(),
                relationship=CREDENTIAL_RELATIONSHIP,
                created=moment,
                modified=moment,
            ),
        )
    return render_pdf(
        html,
        stylesheets=(certificate_stylesheet(),),
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=attachments,
    )


def certificate_pdf(certificate: Certificate, *, credential: dict | None = None) -> bytes:
    """The certificate as a PDF/A-3b created now, with ``credential`` (its Open Badges
    credential) embedded when given, and signed (PAdES) when a signing key is configured
    (core.pdf_signing). These are the final bytes: the ones to store and hash."""
    created = timezone.now().replace(microsecond=0)
    html = certificate_html(certificate, created=created)
    content = pdf_from_html(html, credential=credential, created=created, serial=certificate.serial)
    return pdf_sign(content, reason=f"Certificate {certificate.serial} issued by Glabella", location=settings.SITE_URL)


def credential_in_pdf(content: bytes) -> bytes | None:
    """The credential a certificate PDF carries (``credential.json``, as embedded), or None.
    Only for a PDF this site made (one whose hash matched an issued certificate): it reads the
    file's embedded-files name tree with pypdf."""
    try:
        files = PdfReader(io.BytesIO(content)).attachments.get(CREDENTIAL_FILE_NAME) or []
    except (PyPdfError, ValueError, KeyError):
        logger.warning("Could not read the embedded files of an issued PDF")
        return None
    return files[0] if files else None
