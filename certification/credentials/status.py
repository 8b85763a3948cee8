"""W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/) as
the outside sees it: the ``credentialStatus`` entries a certificate's credential carries,
the signed BitstringStatusListCredential served for each list and purpose, and the local
check our own verifier runs against them.

A list's bitstring is GZIP-compressed and written as multibase base64url without padding
(the ``u`` prefix); bit ``i`` is the most significant bit of byte ``i // 8``. Revocation
bits are set by revocation and by supersession (re-issue); suspension bits while the
holder has no valid licence. Expiry is the credential's ``validUntil``, not a bit."""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import StatusList

from . import keys
from .signing import sign_credential

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PURPOSES = tuple(StatusList.Purpose.values)
# A verifier may cache a list for this long (HTTP max-age, and the list's ``ttl``).
MAX_AGE = 300
# How long one signed list stays valid (its ``validUntil``), and how long before then it
# is signed again: an old copy replayed after a revocation expires within a day.
VALIDITY = datetime.timedelta(hours=24)
RESIGN_BEFORE = datetime.timedelta(hours=12)
# A decoded list may not expand beyond this (a GZIP bomb is refused, not inflated).
MAX_DECODED_BYTES = 16 * 1024 * 1024

MSG_UNFETCHABLE = _("The status list cannot be fetched.")
MSG_MALFORMED = _("The credential's status entry is malformed.")
MSG_PURPOSE_MISMATCH = _("The status list's purpose does not match the status entry.")
MSG_OUT_OF_RANGE = _("The status index is outside the status list.")
MSG_LIST_EXPIRED = _("The status list is no longer valid.")
MSG_SET = {
    StatusList.Purpose.REVOCATION: _("The credential has been revoked."),
    StatusList.Purpose.SUSPENSION: _("The credential is suspended."),
}
MSG_CLEAR = {
    StatusList.Purpose.REVOCATION: _("The credential has not been revoked."),
    StatusList.Purpose.SUSPENSION: _("The credential is not suspended."),
}


# The encoding ---------------------------------------------------------------------------


def encode_bitstring(bits: bytes) -> str:
    """The spec's ``encodedList``: ``u`` + base64url (no padding) of GZIP(bits). The GZIP
    header's time is zero, so the same bits always encode alike."""
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    """The bitstring an ``encodedList`` holds; ValueError if it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("an encodedList starts with the multibase prefix u (base64url)")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except (ValueError, zlib.error) as error:
        raise ValueError(f"not base64url GZIP data: {error}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("the list is truncated or larger than a status list may be")
    return bits


def bit_at(encoded: str, index: int) -> bool:
    """Bit ``index`` of an ``encodedList`` (IndexError if the list is shorter)."""
    bits = decode_bitstring(encoded)
    if not 0 <= index < len(bits) * 8:
        raise IndexError(index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# Where the lists are ----------------------------------------------------------------------


def issuer_id() -> str:
    """The issuer of the lists: the same did:web as the certificates' credentials."""
    from .did import issuer_did

    return issuer_did()


def status_list_url(number: int, purpose: str) -> str:
    return settings.SITE_URL + reverse("certification:status_list", args=[number, purpose])


def status_entries(certificate) -> list[dict]:
    """The certificate credential's ``credentialStatus``: a BitstringStatusListEntry for
    revocation and one for suspension, at the certificate's position. No query when the
    certificate's list is loaded or only its number is needed (``status_list__number``
    selected); one otherwise."""
    number = certificate.status_list.number
    index = str(certificate.status_index)
    return [
        {
            "id": f"{status_list_url(number, purpose)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": index,
            "statusListCredential": status_list_url(number, purpose),
        }
        for purpose in PURPOSES
    ]


# The served lists -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignedList:
    """A list credential as served: its JSON bytes, ETag and ``validUntil``."""

    body: bytes
    etag: str
    valid_until: datetime.datetime

    @property
    def document(self) -> dict:
        return json.loads(self.body)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_credential_build(status_list: StatusList, purpose: str, *, now: datetime.datetime) -> dict:
    """The unsigned BitstringStatusListCredential of one list and purpose."""
    url = status_list_url(status_list.number, purpose)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _iso(now),
        "validUntil": _iso(now + VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(status_list.bitstring(purpose)),
            "ttl": MAX_AGE * 1000,
        },
    }


def signed_status_list(number: int, purpose: str, *, now: datetime.datetime | None = None) -> SignedList | None:
    """The signed list credential, or None if there is no such list. One query (the
    list's bitstring and version); it is signed once per list version and half-day (its
    validity), the signed bytes kept in the cache under that version and the bits' digest."""
    if purpose not in PURPOSES:
        return None
    now = now or timezone.now()
    status_list = StatusList.objects.only("number", purpose, f"{purpose}_version").filter(number=number).first()
    if status_list is None:
        return None
    # The version names the list's state; the digest of the bits makes sure a version
    # seen inside a transaction that was then rolled back cannot stand for another; the
    # signing key's id makes a rotation (or a revoked key) sign the list again at once,
    # or every credential's status check would fail with the old key's signature.
    bits = status_list.bitstring(purpose)
    digest = hashlib.sha256(bits).hexdigest()[:16]
    signer = keys.key_active().id
    key = f"status-list:{status_list.pk}:{number}:{purpose}:{status_list.version(purpose)}:{digest}:{signer}"
    cached = cache.get(key)
    if cached is not None and cached.valid_until - now > RESIGN_BEFORE:
        return cached
    document = sign_credential(status_list_credential_build(status_list, purpose, now=now))
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    signed = SignedList(
        body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"', valid_until=now.replace(microsecond=0) + VALIDITY
    )
    cache.set(key, signed, timeout=int((VALIDITY - RESIGN_BEFORE).total_seconds()))
    return signed


# Our verifier's check -------------------------------------------------------------------


def _our_list(url: str) -> tuple[int, str] | None:
    """(number, purpose) if ``url`` is one of our status list URLs."""
    prefix = settings.SITE_URL + "/"
    if not isinstance(url, str) or not url.startswith(prefix) or "#" in url or "?" in url:
        return None
    try:
        match = resolve(url[len(settings.SITE_URL) :])
    except Resolver404:
        return None
    if match.view_name != "certification:status_list":
        return None
    return match.kwargs["number"], match.kwargs["purpose"]


def status_for_entry(entry, *, now: datetime.datetime | None = None) -> tuple[bool | None, str]:
    """(bit, reason) for one ``credentialStatus`` entry, as an outside verifier would find
    it, but resolving our own list URLs from the database (no HTTP). The bit is None when
    the status cannot be known (the credential then verifies as invalid): a malformed
    entry, a URL that is not one of our lists, a list that does not exist or has expired."""
    now = now or timezone.now()
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None, str(MSG_MALFORMED)
    purpose, index = entry.get("statusPurpose"), entry.get("statusListIndex")
    if purpose not in PURPOSES or not isinstance(index, str) or not index.isdigit() or not index.isascii():
        return None, str(MSG_MALFORMED)
    where = _our_list(entry.get("statusListCredential"))
    signed = signed_status_list(*where, now=now) if where else None
    if signed is None:
        return None, str(MSG_UNFETCHABLE)
    subject = signed.document.get("credentialSubject", {})
    if where[1] != purpose or subject.get("statusPurpose") != purpose:
        return None, str(MSG_PURPOSE_MISMATCH)
    if signed.valid_until <= now:
        return None, str(MSG_LIST_EXPIRED)
    try:
        bit = bit_at(subject.get("encodedList"), int(index))
    except IndexError:
        return None, str(MSG_OUT_OF_RANGE)
    except ValueError:
        return None, str(MSG_UNFETCHABLE)
    return bit, str(MSG_SET[purpose] if bit else MSG_CLEAR[purpose])
