"""Data Integrity proofs, cryptosuite ``eddsa-rdfc-2022`` (W3C "Data Integrity EdDSA
Cryptosuites v1.0", section 3.3): sign an issued credential, and verify one.

Signing: the proof configuration (the proof without ``proofValue``, under the document's
``@context``) and the document without its proof are each canonicalised with RDFC-1.0 and
hashed with SHA-256; Ed25519 signs ``proofConfigHash + documentHash``; ``proofValue`` is the
signature in multibase base58btc.

JSON-LD here is strict: a term the contexts do not define would be dropped or land in the
VC "issuer-dependent" vocabulary, so the signature would not cover what a reader sees.
Canonicalising such a document raises ``UnsafeJsonLd`` instead.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import hashlib

from cryptography.exceptions import InvalidSignature
from django.utils import timezone
from frozendict import frozendict
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from . import did as issuer_did_module
from . import keys as issuer_keys
from .loader import document_loader
from .multibase import multibase_decode, multibase_encode

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
PURPOSE = "assertionMethod"
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"

MSG_NO_PROOF = "The credential carries no proof: anyone could have written it."
MSG_PROOF_KIND = "The proof is not a Data Integrity proof with the eddsa-rdfc-2022 cryptosuite for issuing."
MSG_OTHER_ISSUER = "The proof was made with a key of {controller}, not of the credential's issuer {issuer}."
MSG_UNKNOWN_KEY = "Signed with a key this issuer does not know ({key})."
MSG_REVOKED_KEY = "Signed with a key this issuer has revoked ({key})."
MSG_UNSAFE = "The credential was changed after issue: {detail}"
MSG_BAD_SIGNATURE = "The signature does not match: the credential was changed after issue."
MSG_NOT_YET = "The credential is not valid before {date}."
MSG_EXPIRED = "The credential expired on {date}."
MSG_BAD_DATE = "The credential's {field} is not a date and time."
MSG_VALID = "The signature matches the issuer's published key, and the credential is within its validity dates."


# The base IRI relative IRIs resolve against: only to find them (a relative @id or @type
# would otherwise vanish from the RDF, so from what the signature covers, without a word).
# Never in a valid credential, whose IRIs are all absolute.
RELATIVE_BASE = "https://relative.invalid/"


class UnsafeJsonLd(ValueError):
    """The document has terms its JSON-LD contexts do not define."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


class _ContextResolver(ContextResolver):
    """pyld's resolver keys each type-scoped context (an object inside a shipped context,
    applied at every typed node) by its canonical JSON, recomputed each time: about half
    of the signing time. The objects are the same ones every time (the processed shipped
    contexts are cached), so this keys them by identity, holding a reference so that an
    identity is never reused. Bounded, for documents that bring inline contexts."""

    _by_identity: dict = {}
    LIMIT = 1024

    def resolve(self, active_ctx, context, base, cycles=None):
        if not isinstance(context, dict | frozendict) or "@context" in context:
            return super().resolve(active_ctx, context, base, cycles)
        hit = self._by_identity.get(id(context))
        if hit is not None and hit[0] is context:
            return hit[1]
        resolved = super().resolve(active_ctx, context, base, cycles)
        if len(self._by_identity) >= self.LIMIT:
            self._by_identity.clear()
        self._by_identity[id(context)] = (context, resolved)
        return resolved


def _options(**extra) -> dict:
    return {
        "documentLoader": document_loader,
        "contextResolver": _ContextResolver(jsonld._resolved_context_cache, document_loader),
        **extra,
    }


def _dropped(name) -> None:
    raise UnsafeJsonLd(f"{name!r} is not a term of its JSON-LD contexts")


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads, in JSON-LD safe mode: a term the contexts do not
    define, or a relative IRI, raises ``UnsafeJsonLd`` instead of being dropped."""
    try:
        nquads = jsonld.JsonLdProcessor(on_property_dropped=_dropped).normalize(
            document, _options(algorithm="URDNA2015", format="application/n-quads", base=RELATIVE_BASE)
        )
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None and not isinstance(cause, UnsafeJsonLd):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from error
        raise UnsafeJsonLd(f"it cannot be read as JSON-LD ({error.args[0]})") from error
    if RELATIVE_BASE in nquads:
        iri = nquads.split(RELATIVE_BASE, 1)[1].split(">", 1)[0]
        raise UnsafeJsonLd(f"{iri!r} is not a term of its JSON-LD contexts nor an absolute IRI")
    if ISSUER_DEPENDENT in nquads:
        term = nquads.split(ISSUER_DEPENDENT, 1)[1].split(">", 1)[0]
        raise UnsafeJsonLd(f"{term!r} is not a term of its JSON-LD contexts")
    return nquads


def _hash_data(document: dict, proof_config: dict) -> bytes:
    config = {"@context": document.get("@context"), **proof_config}
    config_hash = hashlib.sha256(canonical_nquads(config).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(document).encode()).digest()
    return config_hash + document_hash


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_credential(document: dict, *, now: datetime.datetime | None = None) -> dict:
    """A copy of ``document`` with a DataIntegrityProof by the active issuing key.
    Raises ``keys.NoActiveKey`` without one, ``UnsafeJsonLd`` for undefined terms."""
    key = issuer_keys.key_active()
    unsecured = {name: value for name, value in copy.deepcopy(document).items() if name != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(now or timezone.now()),
        "verificationMethod": issuer_did_module.verification_method_id(key.id),
        "proofPurpose": PURPOSE,
    }
    signature = key.private_key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": multibase_encode(signature)}}


def _parse_time(value) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def verify_credential(document: dict, *, now: datetime.datetime | None = None) -> Verdict:
    """Our own check of a credential we issued: its proof, the key (known to this issuer
    and not revoked), the signature over the canonical form, then the validity dates.
    Status lists are not consulted here."""
    if not isinstance(document, dict):
        return Verdict(False, "This is not a credential (a JSON object).")
    proof = document.get("proof")
    if isinstance(proof, list):
        proof = next((p for p in proof if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE), None)
    if not isinstance(proof, dict) or not proof.get("proofValue"):
        return Verdict(False, MSG_NO_PROOF)
    if (proof.get("type"), proof.get("cryptosuite"), proof.get("proofPurpose")) != (PROOF_TYPE, CRYPTOSUITE, PURPOSE):
        return Verdict(False, MSG_PROOF_KIND)
    method = str(proof.get("verificationMethod", ""))
    controller, _, key_id = method.partition("#")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    ours = issuer_did_module.issuer_did()
    if controller != issuer_id or controller != ours:
        return Verdict(False, MSG_OTHER_ISSUER.format(controller=controller or "nobody", issuer=issuer_id))
    key = issuer_keys.key_get(key_id)
    if key is None:
        return Verdict(False, MSG_UNKNOWN_KEY.format(key=key_id))
    if key.status == issuer_keys.REVOKED:
        return Verdict(False, MSG_REVOKED_KEY.format(key=key_id))
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        signature = multibase_decode(str(proof["proofValue"]))
        key.public_key.verify(signature, _hash_data(unsecured, config))
    except UnsafeJsonLd as error:
        return Verdict(False, MSG_UNSAFE.format(detail=error))
    except (InvalidSignature, ValueError):
        return Verdict(False, MSG_BAD_SIGNATURE)
    moment = now or timezone.now()
    for field, message, too_early in (("validFrom", MSG_NOT_YET, True), ("validUntil", MSG_EXPIRED, False)):
        if field not in document:
            continue
        try:
            bound = _parse_time(document[field])
        except ValueError:
            return Verdict(False, MSG_BAD_DATE.format(field=field))
        if (too_early and moment < bound) or (not too_early and moment > bound):
            return Verdict(False, message.format(date=bound.date().isoformat()))
    return Verdict(True, MSG_VALID)
