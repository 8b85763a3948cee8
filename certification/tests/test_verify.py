"""Public verification: by the QR code's URL, by serial and surname, by the PDF file.
It says valid / expired / suspended / revoked / superseded, the name, course and dates,
and nothing more about the person."""

import datetime
import math
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import verification
from certification.models import Certificate, serial_new, verification_code_new
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% the issued document\n"


def verify(client, certificate_or_code):
    code = getattr(certificate_or_code, "code", certificate_or_code)
    return client.get(reverse("certification:verify", args=[code]))


def test_a_valid_certificate_shows_name_course_dates_and_nothing_else(client):
    certificate = make_certificate()
    response = verify(client, certificate)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in page
    for shown in (certificate.holder_name, certificate.course_title, certificate.serial,
                  certificate.expires_on.strftime("%-d %B %Y")):  # fmt: skip
        assert shown in page
    for private in ("lea@example.com", "LIC-SECRET-lea@example.com", "Physician"):
        assert private not in page
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        ({"status": "revoked", "revocation_reason": "Fraudulent licence", "revoked_at": timezone.now()},
         "Revoked certificate"),
        ({"status": "expired"}, "Expired certificate"),
        ({"suspended_at": timezone.now()}, "Suspended certificate"),
        ({"status": "superseded"}, "Superseded certificate"),
    ],
)  # fmt: skip
def test_each_state_reads_plainly(client, change, verdict):
    certificate = make_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(**change)
    page = verify(client, certificate).content.decode()
    assert verdict in page
    assert "Fraudulent licence" not in page  # the reason is the holder's business


def test_a_certificate_past_its_date_reads_expired_before_the_nightly_job(client):
    certificate = make_certificate()
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        certified_on=today - datetime.timedelta(days=730),
        issued_on=today - datetime.timedelta(days=730),
        expires_on=today,
    )
    assert "Expired certificate" in verify(client, certificate).content.decode()


def test_unknown_and_unissued_codes_answer_alike_and_cost_the_same_as_a_revoked_one(client):
    revoked = make_certificate()
    Certificate.objects.filter(pk=revoked.pk).update(
        status="revoked", revocation_reason="Fraud", revoked_at=timezone.now()
    )
    queued = make_certificate(email="q@example.com")
    Certificate.objects.filter(pk=queued.pk).update(status="queued")
    shapes = {}
    for label, code in (("revoked", revoked.code), ("unknown", verification_code_new()),
                        ("queued", queued.code), ("short", "abc")):  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            response = verify(client, code)
        shapes[label] = (len(queries), response.templates[0].name)
        if label != "revoked":
            assert response.status_code == 404
            assert "No certificate found" in response.content.decode()
    assert len(set(shapes.values())) == 1, shapes


def test_codes_are_unguessable_and_serials_easy_to_read():
    codes = {verification_code_new() for _ in range(200)}
    assert len(codes) == 200
    alphabet = string.ascii_letters + string.digits + "-_"
    assert all(set(code) <= set(alphabet) for code in codes)
    assert min(len(code) for code in codes) * math.log2(len(alphabet)) >= 128
    serial = serial_new()
    assert serial.startswith(f"GLA-{timezone.localdate().year}-")
    assert len(serial) == 18
    assert not set(serial[9:].replace("-", "")) & set("ILOU")


@pytest.mark.parametrize(
    ("typed_serial", "surname", "found"),
    [
        ("{serial}", "Fontaine-Nakamura", True),
        ("{serial_lower}", "fontaine nakamura", True),
        ("{serial}", "NAKAMURA", True),
        ("{serial}", "Fontaine", True),
        ("{serial}", "Smith", False),
        ("GLA-2026-0000-0000", "Fontaine-Nakamura", False),
    ],
)
def test_lookup_by_serial_and_surname(client, typed_serial, surname, found):
    certificate = make_certificate()
    typed = typed_serial.format(serial=certificate.serial, serial_lower=certificate.serial.lower())
    response = client.post(
        reverse("certification:verify_lookup"), {"action": "lookup", "serial": typed, "surname": surname}
    )
    page = response.content.decode()
    if found:
        assert response.status_code == 200
        assert "Valid certificate" in page
        assert certificate.holder_name in page
    else:
        # Wrong surname and unknown serial read the same: no confirming that a serial exists.
        assert response.status_code == 400
        assert "No certificate matches that serial number and surname" in page
        assert certificate.holder_name not in page


def test_surnames_match_across_accents_and_scripts():
    assert verification.surname_matches("Dr María-José Fernández de la Cruz", "fernandez de la cruz")
    assert verification.surname_matches("山田 太郎", "山田")
    assert verification.surname_matches("王小明", "王")
    assert not verification.surname_matches("Ann Lee", "Le")
    assert not verification.surname_matches("Ann Lee", "")


def test_an_empty_lookup_says_which_field_is_missing(client):
    response = client.post(reverse("certification:verify_lookup"), {"action": "lookup", "serial": "", "surname": ""})
    assert response.status_code == 400
    assert response.context["lookup"].errors.keys() == {"serial", "surname"}


def test_a_pdf_is_genuine_only_if_unaltered(client):
    certificate = make_certificate(content=PDF)
    url = reverse("certification:verify_lookup")
    genuine = client.post(url, {"action": "file", "document": SimpleUploadedFile("c.pdf", PDF)})
    assert "has not been altered" in genuine.content.decode()
    assert certificate.serial in genuine.content.decode()
    altered = client.post(url, {"action": "file", "document": SimpleUploadedFile("c.pdf", PDF.replace(b"the", b"thE"))})
    assert "Not a genuine, unaltered certificate" in altered.content.decode()
    assert certificate.serial not in altered.content.decode()


def test_a_file_that_is_not_a_pdf_is_refused_at_the_field(client):
    response = client.post(
        reverse("certification:verify_lookup"),
        {"action": "file", "document": SimpleUploadedFile("c.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 400
    assert response.context["upload"].errors["document"] == [
        "This file is not a PDF. Upload the certificate's PDF file."
    ]


def test_lookups_are_rate_limited_per_client(client, settings, monkeypatch):
    import time

    # Mid-minute, so that the count is not cut in two by a window ending during the test.
    monkeypatch.setattr("core.ratelimit._now", lambda: (int(time.time()) // 3600) * 3600 + 30)
    settings.VERIFY_RATE_LIMIT = "5/m"
    certificate = make_certificate()
    statuses = [verify(client, certificate).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    blocked = client.post(
        reverse("certification:verify_lookup"), {"action": "lookup", "serial": certificate.serial, "surname": "x"}
    )
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert "Too many look-ups" in blocked.content.decode()
    # Another address is not held back.
    assert (
        client.get(reverse("certification:verify", args=[certificate.code]), REMOTE_ADDR="10.0.0.9").status_code == 200
    )
