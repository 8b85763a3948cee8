"""Signed credentials: the proof verifies, any change to any field makes it fail with a
reason, keys rotate and revoke as an operator expects, JSON-LD is loaded offline and
processed strictly, and the render task signs before drawing the PDF."""

import copy
import json
import socket

import pytest
from django.core.management import call_command
from django.urls import reverse
from pyld import jsonld

from certification.credentials import keys, signing
from certification.credentials.did import issuer_did
from certification.credentials.loader import CONTEXTS, document_loader
from certification.credentials.openbadge import credential_issue, open_badge
from certification.models import Award, Certificate
from certification.services import issuing
from certification.tests.factories import qualified
from core.models import AuditEvent
from tests.support.certificates import make_certificate
from tests.support.credentials import key_store_new

pytestmark = pytest.mark.django_db


def leaves(value, path=()):
    """Every (path, leaf) of a JSON document, lists and objects alike."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}x"


def with_leaf(document, path, value):
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def test_an_issued_certificate_carries_a_credential_that_verifies():
    certificate = make_certificate()
    credential = json.loads(json.dumps(certificate.credential))  # as a holder stores it
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"{issuer_did()}#{keys.key_active().id}"
    assert proof["proofValue"].startswith("z")
    assert credential["issuer"] == {
        "id": "did:web:127.0.0.1%3A8000",
        "type": ["Profile"],
        "name": "Glabella",
        "url": "http://127.0.0.1:8000",
    }
    assert credential["credentialSubject"]["achievement"]["otherIdentifier"][0]["identifier"].endswith(
        certificate.accreditation_number
    )
    assert signing.verify_credential(credential) == signing.Verdict(True, signing.MSG_VALID)


def test_changing_any_field_of_the_credential_makes_it_invalid_with_a_reason():
    credential = make_certificate().credential
    paths = list(leaves(credential))
    assert len(paths) > 40  # every leaf, the proof's included
    for path, value in paths:
        verdict = signing.verify_credential(with_leaf(credential, path, changed(value)))
        assert not verdict.ok, f"changing {path} went unnoticed"
        assert verdict.reason
        assert verdict.reason != signing.MSG_VALID
    # What a verifier reads for the usual tampering: an edited name or date.
    renamed = with_leaf(credential, ("credentialSubject", "identifier", 1, "identityHash"), "Someone Else")
    assert signing.verify_credential(renamed).reason == signing.MSG_BAD_SIGNATURE
    later = with_leaf(credential, ("validUntil",), "2099-01-01T00:00:00Z")
    assert signing.verify_credential(later).reason == signing.MSG_BAD_SIGNATURE
    # An added field and a removed one.
    added = {**credential, "description": "Also certified in surgery"}
    assert signing.verify_credential(added).reason == signing.MSG_BAD_SIGNATURE
    removed = {name: value for name, value in credential.items() if name != "evidence"}
    assert signing.verify_credential(removed).reason == signing.MSG_BAD_SIGNATURE
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    assert signing.verify_credential(unsigned).reason == signing.MSG_NO_PROOF
    undefined = {**credential, "favouriteColour": "blue"}
    assert signing.verify_credential(undefined).reason == signing.MSG_UNSAFE.format(
        detail="'favouriteColour' is not a term of its JSON-LD contexts"
    )


def test_expired_and_not_yet_valid_credentials_fail_on_their_dates():
    import datetime

    certificate = make_certificate()
    after = datetime.datetime.combine(certificate.expires_on, datetime.time(1), tzinfo=datetime.UTC)
    verdict = signing.verify_credential(certificate.credential, now=after)
    assert verdict == signing.Verdict(False, signing.MSG_EXPIRED.format(date=certificate.expires_on.isoformat()))
    before = datetime.datetime.combine(certificate.issued_on, datetime.time(0), tzinfo=datetime.UTC)
    before -= datetime.timedelta(seconds=1)
    assert signing.verify_credential(certificate.credential, now=before).reason == signing.MSG_NOT_YET.format(
        date=certificate.issued_on.isoformat()
    )


def test_a_rotated_out_key_still_verifies_and_a_revoked_one_does_not(settings, tmp_path):
    (first,) = key_store_new(settings, tmp_path)
    old = make_certificate()
    # when the operator rotates
    call_command("credential_keys", "rotate")
    new = make_certificate(email="second@example.com")
    (retired, active) = keys.key_list()
    assert (retired.id, retired.status, retired.secret_multibase) == (first.id, keys.RETIRED, "")
    assert active.status == keys.ACTIVE
    assert new.credential["proof"]["verificationMethod"].endswith(f"#{active.id}")
    assert signing.verify_credential(old.credential).ok
    assert signing.verify_credential(new.credential).ok
    published = [method["id"] for method in did_document_from_site()["verificationMethod"]]
    assert published == [f"{issuer_did()}#{first.id}", f"{issuer_did()}#{active.id}"]
    # when the operator revokes the old key
    call_command("credential_keys", "revoke", first.id)
    assert signing.verify_credential(old.credential) == signing.Verdict(
        False, signing.MSG_REVOKED_KEY.format(key=first.id)
    )
    assert signing.verify_credential(new.credential).ok
    assert [m["id"] for m in did_document_from_site()["verificationMethod"]] == [f"{issuer_did()}#{active.id}"]
    events = AuditEvent.objects.filter(action__startswith="credential_key.").order_by("id")
    assert [(e.action, e.object_id, e.actor_id) for e in events] == [
        ("credential_key.rotated", active.id, None),
        ("credential_key.revoked", first.id, None),
    ]
    assert events[0].details["retired"] == [first.id]
    assert events[1].details["command"] == f"manage.py credential_keys revoke {first.id}"


def test_a_key_the_issuer_does_not_know_fails(settings, tmp_path):
    certificate = make_certificate()
    key_id = certificate.credential["proof"]["verificationMethod"].split("#")[1]
    key_store_new(settings, tmp_path)  # another key store: the signing key is unknown to it
    assert signing.verify_credential(certificate.credential) == signing.Verdict(
        False, signing.MSG_UNKNOWN_KEY.format(key=key_id)
    )
    # and a credential naming another issuer's key
    foreign = copy.deepcopy(certificate.credential)
    foreign["proof"]["verificationMethod"] = "did:web:elsewhere.example#key-1"
    assert not signing.verify_credential(foreign).ok


def test_the_key_store_refuses_what_an_operator_should_not_do(settings, tmp_path):
    settings.CREDENTIAL_KEYS_FILE = str(tmp_path / "keys.json")
    call_command("credential_keys", "generate")
    with pytest.raises(Exception, match="An active key already exists"):
        call_command("credential_keys", "generate")
    call_command("credential_keys", "generate", "--if-missing")  # make run: nothing to do
    assert len(keys.key_list()) == 1
    with pytest.raises(Exception, match="No key nope"):
        call_command("credential_keys", "revoke", "nope")
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0  # readable by its owner only
    settings.CREDENTIAL_KEYS = (tmp_path / "keys.json").read_text()
    with pytest.raises(Exception, match="CREDENTIAL_KEYS is set"):
        call_command("credential_keys", "rotate")


def did_document_from_site():
    from django.test import Client

    response = Client().get("/.well-known/did.json")
    assert response.status_code == 200
    return response.json()


def test_the_did_document_is_public_cacheable_and_holds_no_secret(client):
    response = client.get(reverse("certification:did_document"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response["Cache-Control"] == "public, max-age=300"
    document = response.json()
    key = keys.key_active()
    assert document["id"] == "did:web:127.0.0.1%3A8000"
    assert document["verificationMethod"] == [
        {
            "id": f"{document['id']}#{key.id}",
            "type": "Multikey",
            "controller": document["id"],
            "publicKeyMultibase": key.public_multibase,
        }
    ]
    assert document["assertionMethod"] == [f"{document['id']}#{key.id}"]
    assert key.public_multibase.startswith("z6Mk")
    assert key.secret_multibase not in response.content.decode()


def test_the_loader_serves_only_the_shipped_contexts_and_never_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the JSON-LD loader tried the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for url in CONTEXTS:
        assert document_loader(url)["document"]["@context"]
    with pytest.raises(jsonld.JsonLdError, match="only the JSON-LD contexts shipped"):
        document_loader("https://example.com/context.json")
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.com/evil.json"], "name": "x"}
    with pytest.raises(signing.UnsafeJsonLd, match="cannot be read as JSON-LD"):
        signing.canonical_nquads(document)


def test_the_credential_expands_in_safe_mode_without_dropping_a_term():
    certificate = make_certificate()
    dropped = []
    expanded = jsonld.expand(
        certificate.credential, {"documentLoader": document_loader}, on_property_dropped=dropped.append
    )
    assert dropped == []
    text = json.dumps(expanded)
    assert signing.ISSUER_DEPENDENT not in text  # every term is defined by a context
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#otherIdentifier" in text
    assert certificate.accreditation_number in text
    # The old misspelling is refused at signing rather than silently dropped.
    badge = open_badge(certificate)
    achievement = badge["credentialSubject"]["achievement"]
    achievement["otherIdentifiers"] = achievement.pop("otherIdentifier")
    with pytest.raises(signing.UnsafeJsonLd, match="'otherIdentifiers' is not a term"):
        signing.sign_credential(badge)
    # A type no context defines would be a relative IRI, silently left out of the RDF.
    badge = open_badge(certificate)
    badge["credentialSchema"][0]["type"] = "1EdTechJsonSchemaValidator2019"
    with pytest.raises(signing.UnsafeJsonLd, match="'1EdTechJsonSchemaValidator2019' is not a term"):
        signing.sign_credential(badge)


def test_the_render_task_signs_and_stores_the_credential_with_the_pdf(
    instructor, examiner, administrator, django_capture_on_commit_callbacks
):
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.credential["id"] == certificate.verification_url()
    assert signing.verify_credential(certificate.credential).ok


def test_without_a_key_the_render_fails_at_once_with_the_fix(
    instructor, examiner, administrator, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.CREDENTIAL_KEYS_FILE = str(tmp_path / "missing.json")
    qualified(instructor, examiner=examiner)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuing.certificate_issue(award_id=Award.objects.get().pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.last_error == "No active issuing key: run `manage.py credential_keys generate`."
    assert certificate.render_attempts == 1  # not retried until it gives up
    assert not certificate.pdf_sha256
    assert certificate.credential is None
    # The operator makes a key and retries: it issues.
    call_command("credential_keys", "generate")
    with django_capture_on_commit_callbacks(execute=True):
        from certification.services import rendering

        rendering.certificate_retry(certificate_id=certificate.pk, actor=administrator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert signing.verify_credential(certificate.credential).ok


def test_backfill_signs_certificates_issued_before_signing(client_for):
    certificate = make_certificate(signed=False)
    client = client_for(certificate.holder)
    assert client.get(reverse("certification:badge", args=[certificate.pk])).status_code == 404
    detail = client.get(reverse("certification:detail", args=[certificate.pk])).content.decode()
    assert "Export as an Open Badge" not in detail
    call_command("credential_keys", "backfill")
    certificate.refresh_from_db()
    assert signing.verify_credential(certificate.credential).ok
    assert client.get(reverse("certification:badge", args=[certificate.pk])).json() == certificate.credential
    assert AuditEvent.objects.filter(action="certificate.credential_signed", object_id=str(certificate.pk)).exists()
    call_command("credential_keys", "backfill")  # again: nothing left to sign
    assert AuditEvent.objects.filter(action="certificate.credential_signed").count() == 1


def test_signing_is_deterministic_for_the_same_document_and_time():
    import datetime

    certificate = make_certificate()
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    badge = open_badge(certificate)
    assert signing.sign_credential(badge, now=moment) == signing.sign_credential(badge, now=moment)
    assert credential_issue(certificate)["proof"]["created"].endswith("Z")
