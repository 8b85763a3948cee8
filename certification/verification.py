"""The public look-ups behind /verify/: by the code in the QR code, by serial number and
surname, and by an uploaded PDF's fingerprint. Each answers with the certificate the
public may be told about, or None; unknown and not-yet-issued certificates read alike,
and nothing about the holder is given beyond the name printed on the certificate."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Certificate


# The replacement of a superseded certificate comes in the same query (a reverse one-to-one).
def _public():
    """Certificates with their replacement joined (a superseded one's page names it)."""
    return Certificate.objects.select_related("replaced_by")


def certificate_for_code(code: str) -> Certificate | None:
    """One indexed query whatever the outcome, so known and unknown codes cost the same."""
    if not (16 <= len(code) <= 64):
        code = ""
    return _public().filter(code=code).first()


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_tokens(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in _plain(text)).split()


def _name_words(text: str) -> list[list[str]]:
    """The name's words (split at spaces), each as its tokens (split at hyphens and other
    punctuation): "Léa Fontaine-Nakamura" → [["lea"], ["fontaine", "nakamura"]]."""
    return [tokens for word in _plain(text).split() if (tokens := _name_tokens(word))]


_FAMILY_FIRST_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _family_name_first(tokens: list[str]) -> bool:
    letters = [c for token in tokens for c in token if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith(_FAMILY_FIRST_SCRIPTS) for c in letters)


def _family_names(holder_name: str) -> set[str]:
    """What may be typed as the holder's surname, as space-joined tokens."""
    words = _name_words(holder_name)
    tokens = [token for word in words for token in word]
    if not tokens:
        return set()
    if len(tokens) == 1:
        word = tokens[0]
        return {word} | {word[:k] for k in range(1, len(word))} | {word[k:] for k in range(1, len(word))}
    if _family_name_first(tokens):
        return {" ".join(t for word in words[:j] for t in word) for j in range(1, len(words) + 1)}
    runs = {" ".join(t for word in words[i:] for t in word) for i in range(len(words))}
    last = words[-1]  # a double-barrelled family name: either part, or both
    runs |= {" ".join(last[a:b]) for a in range(len(last)) for b in range(a + 1, len(last) + 1)}
    return runs


def surname_matches(holder_name: str, surname: str) -> bool:
    """Does ``surname`` name this holder's family? Case, accents, hyphens and spacing are
    ignored. The family name is the end of the printed name: its last word or either part
    of it if hyphenated ("Fontaine-Nakamura"), or its last few words ("van der Berg", "de
    la Cruz"), never a given name or a particle alone. A name in a script that puts the
    family name first (Chinese, Japanese, Korean) matches by its first word or words
    instead, and one written without spaces by its beginning or end."""
    given = _name_tokens(surname)
    if not given:
        return False
    candidate = " ".join(given)
    return any(hmac.compare_digest(candidate.encode(), run.encode()) for run in _family_names(holder_name))


def certificate_for_serial_and_surname(serial: str, surname: str) -> Certificate | None:
    """The certificate with this serial, if ``surname`` names its holder."""
    certificate = _public().filter(serial=serial).first()
    if certificate is not None and surname_matches(certificate.holder_name, surname):
        return certificate
    return None


def certificate_for_pdf(content: bytes) -> Certificate | None:
    """The certificate whose stored PDF has exactly these bytes, if any."""
    digest = hashlib.sha256(content).hexdigest()
    return (
        _public()
        .filter(pdf_sha256=digest)
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


def replacement_for(certificate: Certificate) -> Certificate | None:
    """The certificate that superseded this one, once the public may see it (a
    replacement still rendering is not named yet). No query after the look-ups above."""
    try:
        newer = certificate.replaced_by
    except Certificate.DoesNotExist:
        return None
    return newer if newer.public_state() != Certificate.PENDING else None


def public_record(certificate: Certificate, state: str) -> dict:
    """What the verification API answers for a certificate the public may be told about
    (``public_verdict``): the facts the verification page shows, as JSON."""
    newer = replacement_for(certificate) if state == Certificate.SUPERSEDED else None
    return {
        "status": state,
        "serial": certificate.serial,
        "holder": {"name": certificate.holder_name},
        "course": {"code": certificate.course_code, "title": certificate.course_title},
        "accreditation": {"body": certificate.accrediting_body, "number": certificate.accreditation_number},
        "credit_hours": float(certificate.credit_hours),
        "certified_on": certificate.certified_on.isoformat(),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "revoked_on": (
            timezone.localdate(certificate.revoked_at).isoformat()
            if state == Certificate.REVOKED and certificate.revoked_at
            else None
        ),
        "verification_url": certificate.verification_url(),
        "credential_url": credential_url(certificate),
        "replaced_by": (
            {"serial": newer.serial, "verification_url": newer.verification_url()} if newer is not None else None
        ),
        "checked_at": timezone.now().isoformat(timespec="seconds"),
    }


def credential_url(certificate: Certificate) -> str:
    """Where the credential JSON is, whatever the client's Accept header."""
    return settings.SITE_URL + reverse("certification:credential", args=[certificate.code])


def credential_for_public(certificate: Certificate | None) -> dict | None:
    """The credential anyone may fetch for this certificate (content negotiation on its
    id, the credential URL), or None when the public may not be told about it. The one
    place that decides which credential is public."""
    certificate, _state = public_verdict(certificate)
    return certificate.credential if certificate is not None else None
