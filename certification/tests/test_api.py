"""The verification API answers what the verification page says, as JSON: per state,
by code and by serial and family name; 404 for unknown and unissued certificates, 400
naming the bad parameter, CORS for any site, never cached."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from tests.support.api import api_get
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db


def test_a_valid_certificate_by_code_gives_the_public_facts_and_nothing_private(client, settings):
    certificate = make_certificate()
    response = api_get(client, certificate.code)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "valid"
    assert body["holder"] == {"name": "Dr Léa Fontaine-Nakamura"}
    assert body["course"] == {"code": certificate.course_code, "title": certificate.course_title}
    assert body["accreditation"] == {
        "body": certificate.accrediting_body,
        "number": certificate.accreditation_number,
    }
    assert body["credit_hours"] == float(certificate.credit_hours)
    assert body["serial"] == certificate.serial
    assert body["issued_on"] == certificate.issued_on.isoformat()
    assert body["certified_on"] == certificate.certified_on.isoformat()
    assert body["expires_on"] == certificate.expires_on.isoformat()
    assert body["verification_url"] == f"{settings.SITE_URL}/verify/{certificate.code}/"
    assert body["credential_url"] == f"{settings.SITE_URL}/verify/{certificate.code}/credential.json"
    assert body["replaced_by"] is None
    assert body["revoked_on"] is None
    raw = response.content.decode()
    for private in ("lea@example.com", "LIC-SECRET", "Physician"):
        assert private not in raw


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"status": "revoked", "revocation_reason": "Fraudulent licence", "revoked_at": timezone.now()}, "revoked"),
        ({"status": "expired"}, "expired"),
        ({"suspended_at": timezone.now()}, "suspended"),
        ({"status": "superseded"}, "superseded"),
    ],
)
def test_each_state_reads_as_on_the_page(client, change, status):
    certificate = make_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(**change)
    body = api_get(client, certificate.code).json()
    assert body["status"] == status
    assert "Fraudulent" not in str(body)  # the reason is the holder's business
    page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert f"{status.capitalize()} certificate" in page  # the page says the same
    if status == "revoked":
        assert body["revoked_on"] == timezone.localdate().isoformat()


def test_a_certificate_past_its_date_reads_expired_before_the_nightly_job(client):
    certificate = make_certificate()
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        certified_on=today - datetime.timedelta(days=730), issued_on=today - datetime.timedelta(days=730),
        expires_on=today,
    )  # fmt: skip
    assert api_get(client, certificate.code).json()["status"] == "expired"


def test_a_superseded_certificate_names_its_issued_replacement_on_the_api_and_the_page(client):
    old = make_certificate()
    new = make_certificate(email="other@example.com", name="Dr Léa Fontaine-Nakamura")
    Certificate.objects.filter(pk=old.pk).update(status="superseded")
    Certificate.objects.filter(pk=new.pk).update(replaces=old)
    body = api_get(client, old.code).json()
    assert body["replaced_by"] == {"serial": new.serial, "verification_url": new.verification_url()}
    page = client.get(reverse("certification:verify", args=[old.code])).content.decode()
    assert f'href="/verify/{new.code}/"' in page
    # A replacement still rendering is not named yet.
    Certificate.objects.filter(pk=new.pk).update(status="rendering")
    assert api_get(client, old.code).json()["replaced_by"] is None


def test_unknown_and_unissued_certificates_are_both_404_not_found(client):
    queued = make_certificate()
    Certificate.objects.filter(pk=queued.pk).update(status="queued")
    unknown = api_get(client, "x" * 32)
    unissued = api_get(client, queued.code)
    assert unknown.status_code == unissued.status_code == 404
    assert unknown.json() == unissued.json()
    assert unknown.json()["error"] == "not_found"


def test_by_serial_and_family_name(client):
    certificate = make_certificate()
    found = api_get(client, serial=certificate.serial.lower(), family_name="nakamura")
    assert found.status_code == 200
    assert found.json()["serial"] == certificate.serial
    wrong = api_get(client, serial=certificate.serial, family_name="Léa")  # a given name is not a family name
    assert wrong.status_code == 404
    assert wrong.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"serial", "family_name"}),
        ({"serial": "GLA-2026-AAAA-BBBB"}, {"family_name"}),
        ({"family_name": "Nakamura"}, {"serial"}),
        ({"serial": "G" * 30, "family_name": "Nakamura"}, {"serial"}),
    ],
)
def test_missing_or_invalid_parameters_are_400_naming_the_field(client, params, fields):
    response = api_get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert set(body["fields"]) == fields


def test_a_malformed_code_is_400_naming_the_code(client):
    response = api_get(client, "short")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"code"}


def test_answers_are_never_cached_and_any_site_may_read_them(client):
    certificate = make_certificate()
    for response in (api_get(client, certificate.code), api_get(client, "x" * 32), api_get(client, "bad")):
        assert response["Cache-Control"] == "no-store"
        assert response["Access-Control-Allow-Origin"] == "*"


def test_only_get_is_allowed_and_no_csrf_token_is_needed(client):
    certificate = make_certificate()
    for method in (client.post, client.put, client.delete, client.options):
        response = method(reverse("api:verify", args=[certificate.code]))
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert response.json()["error"] == "method_not_allowed"


def test_anonymous_callers_over_the_limit_get_429_with_retry_after(client, settings):
    settings.VERIFY_API_RATE_LIMIT = "3/m"
    certificate = make_certificate()
    for _ in range(3):
        assert api_get(client, certificate.code).status_code == 200
    response = api_get(client, certificate.code)
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json()["error"] == "rate_limited"
    assert response.json()["retry_after"] == wait
    # Another address has its own count.
    assert client.get(reverse("api:verify", args=[certificate.code]), REMOTE_ADDR="10.9.8.7").status_code == 200
