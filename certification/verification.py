"""The public look-ups behind /verify/: by the code in the QR code, by serial number and
surname, and by an uploaded PDF's fingerprint. Each answers with the certificate the
public may be told about, or None; unknown and not-yet-issued certificates read alike,
and nothing about the holder is given beyond the name printed on the certificate."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from .models import Certificate


def certificate_for_code(code: str) -> Certificate | None:
    """One indexed query whatever the outcome, so known and unknown codes cost the same."""
    if not (16 <= len(code) <= 64):
        code = ""
    return Certificate.objects.filter(code=code).first()


def _name_tokens(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in plain).split()


def surname_matches(holder_name: str, surname: str) -> bool:
    """Does ``surname`` name this holder? Case, accents, hyphens and spacing are ignored,
    and any run of words of the name counts (family names come first in some scripts and
    some people carry two). A name written without spaces (as in Chinese) also matches
    by its beginning or end."""
    name, given = _name_tokens(holder_name), _name_tokens(surname)
    if not given or not name:
        return False
    candidate = " ".join(given)
    runs = {" ".join(name[i:j]) for i in range(len(name)) for j in range(i + 1, len(name) + 1)}
    if len(name) == 1:
        runs |= {name[0][:k] for k in range(1, len(name[0]))} | {name[0][k:] for k in range(1, len(name[0]))}
    return any(hmac.compare_digest(candidate.encode(), run.encode()) for run in runs)


def certificate_for_serial_and_surname(serial: str, surname: str) -> Certificate | None:
    """The certificate with this serial, if ``surname`` names its holder."""
    certificate = Certificate.objects.filter(serial=serial).first()
    if certificate is not None and surname_matches(certificate.holder_name, surname):
        return certificate
    return None


def certificate_for_pdf(content: bytes) -> Certificate | None:
    """The certificate whose stored PDF has exactly these bytes, if any."""
    digest = hashlib.sha256(content).hexdigest()
    return (
        Certificate.objects.filter(pdf_sha256=digest)
        .exclude(status__in=[Certificate.Status.QUEUED, Certificate.Status.RENDERING, Certificate.Status.FAILED])
        .first()
    )


def public_verdict(certificate: Certificate | None) -> tuple[Certificate | None, str | None]:
    """(certificate, public state) to show, or (None, None) when there is nothing to say:
    no such certificate, or one not issued yet."""
    state = certificate.public_state() if certificate is not None else None
    if state in (None, Certificate.PENDING):
        return None, None
    return certificate, state
