"""What an outside verifier sees, with Digital Bazaar's verifier (tests/node, no code
shared with us): a revoked or suspended certificate's bit read through the published,
signed status list; reinstatement clearing it; and the PDF alone carrying a credential
that verifies."""

from __future__ import annotations

import json
import subprocess

import pytest

from accounts.tests.factories import AdministratorFactory
from certification.models import Certificate
from certification.services import lifecycle
from certification.services.rendering import certificate_render
from tests.support.certificates import make_certificate
from tests.support.node import node_verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_revocation_reads_revoked_through_the_published_list(node, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    certificate = make_certificate()
    assert [entry["statusPurpose"] for entry in certificate.credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    code, verdict = node_verify(node, certificate.credential, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (0, True), verdict
    assert {s["purpose"]: s["set"] for s in verdict["status"]} == {"revocation": False, "suspension": False}

    lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=AdministratorFactory(), reason="Fraud")
    code, verdict = node_verify(node, certificate.credential, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (1, False)
    assert "Status revocation: set" in verdict["errors"], verdict


def test_suspension_follows_the_licence(node, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    certificate = make_certificate()
    licence = certificate.holder.licences.get()
    licence.status = "expired"
    licence.save(update_fields=["status"])
    lifecycle.certificates_suspension_sync(holder=certificate.holder)
    code, verdict = node_verify(node, certificate.credential, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (1, False)
    assert "Status suspension: set" in verdict["errors"], verdict

    licence.status = "verified"
    licence.save(update_fields=["status"])
    lifecycle.certificates_suspension_sync(holder=certificate.holder)
    assert node_verify(node, certificate.credential, live_server.url, tmp_path)[1]["verified"] is True


def test_the_pdf_alone_carries_a_credential_that_verifies(node, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    issued = make_certificate()
    admin = AdministratorFactory()
    reissued = lifecycle.certificate_reissue(
        certificate_id=issued.pk, actor=admin, reason="New paper", expected_name=issued.holder.legal_name
    )
    certificate_render(certificate_id=reissued.pk)  # rendered already if the queue is eager
    reissued.refresh_from_db()
    assert reissued.status == Certificate.Status.ISSUED
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(reissued.pdf.read())
    listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "credential.json" in listing
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(tmp_path / "embedded.json"), str(pdf)], check=True)
    embedded = json.loads((tmp_path / "embedded.json").read_text())
    assert embedded == reissued.credential
    code, verdict = node_verify(node, embedded, live_server.url, tmp_path)
    assert (code, verdict["verified"]) == (0, True), verdict
    # The superseded one is revoked in the list, and says so to the same verifier.
    assert Certificate.objects.get(pk=issued.pk).status == "superseded"
    assert "Status revocation: set" in node_verify(node, issued.credential, live_server.url, tmp_path)[1]["errors"]
