"""The independent verifier: Digital Bazaar's @digitalbazaar/vc with the Data Integrity
eddsa-rdfc-2022 cryptosuite (tests/node/verify-credential.mjs, no code shared with the
issuer) verifies our credentials against the live test server's did:web document."""

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from certification.credentials import keys
from conftest import require
from tests.support.certificates import make_certificate
from tests.support.credentials import key_store_new

ROOT = Path(django_settings.BASE_DIR)
SCRIPT = ROOT / "tests" / "node" / "verify-credential.mjs"


@pytest.fixture
def node():
    path = shutil.which("node")
    require(path is not None, "needs Node.js (apt-get install nodejs)")
    require(
        (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
        "needs the npm packages: make node_modules/.installed",
    )
    return path


def node_verify(node, credential: dict, base_url: str, tmp_path) -> tuple[int, dict]:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    done = subprocess.run(
        [node, str(SCRIPT), str(path), base_url], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.django_db(transaction=True)
def test_the_node_verifier_accepts_ours_and_rejects_tampered_and_revoked(node, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url  # the issuer's did:web is the live server's host and port
    (first,) = key_store_new(settings, tmp_path)
    certificate = make_certificate()

    code, verdict = node_verify(node, certificate.credential, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (0, True), verdict
    assert verdict["verificationMethod"] == f"did:web:{live_server.url.split('//')[1].replace(':', '%3A')}#{first.id}"

    tampered = copy.deepcopy(certificate.credential)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    code, verdict = node_verify(node, tampered, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (1, False)
    assert "Invalid signature." in verdict["errors"]

    later = {**copy.deepcopy(certificate.credential), "validUntil": "2099-01-01T00:00:00Z"}
    assert node_verify(node, later, live_server.url, tmp_path)[1]["verified"] is False

    # Rotation keeps the old credential verifying; revoking its key ends that.
    call_command("credential_keys", "rotate")
    assert node_verify(node, certificate.credential, live_server.url, tmp_path)[1]["verified"] is True
    newer = make_certificate(email="second@example.com")
    assert node_verify(node, newer.credential, live_server.url, tmp_path)[1]["verified"] is True
    call_command("credential_keys", "revoke", first.id)
    assert keys.key_get(first.id).status == keys.REVOKED
    code, verdict = node_verify(node, certificate.credential, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (1, False)
    assert any("does not publish the key" in error for error in verdict["errors"]), verdict
    assert node_verify(node, newer.credential, live_server.url, tmp_path)[1]["verified"] is True
