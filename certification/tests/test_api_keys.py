"""API keys: created by administrators (the key shown once, only its SHA-256 kept),
checked on each request (malformed, unknown and revoked read alike: 401), limited per
key apart from anonymous callers, their use counted per day and their creation and
revocation audited."""

import pytest
from django.db import connection
from django.urls import reverse

from certification.models import ApiKey, ApiKeyUsage
from certification.services import api_keys
from core.models import AuditEvent
from tests.support.api import api_get
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_key(administrator):
    api_key, secret = api_keys.api_key_create(
        organisation="Northbridge Clinics", contact_email="it@northbridge.example", actor=administrator
    )
    return api_key, secret


def _all_text_in_database() -> str:
    """Every value of every table, as text (SQLite: the whole database)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_key_is_kept_only_as_its_hash(issued_key):
    api_key, secret = issued_key
    assert secret.startswith(f"glb_{api_key.prefix}_")
    assert len(api_key.key_sha256) == 64
    text = _all_text_in_database()
    assert secret not in text
    assert secret.rsplit("_", 1)[1] not in text  # nor its secret part


def test_a_valid_key_is_answered_and_its_use_counted(client, issued_key):
    api_key, secret = issued_key
    certificate = make_certificate()
    assert api_get(client, certificate.code, key=secret).status_code == 200
    assert api_get(client, "x" * 32, key=secret).status_code == 404
    assert api_get(client, serial=certificate.serial, family_name="Nakamura", key=secret).status_code == 200
    usage = ApiKeyUsage.objects.get(key=api_key)
    assert (usage.requests, usage.found, usage.not_found) == (3, 2, 1)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer glb_notakey",  # malformed
        "Bearer glb_abcdefgh_" + "A" * 43,  # well formed, unknown
        "Basic dXNlcjpwYXNz",  # not a bearer token
        "Bearer ",
    ],
)
def test_malformed_and_unknown_keys_get_the_same_401(client, issued_key, header):
    certificate = make_certificate()
    _api_key, secret = issued_key
    reference = client.get(
        reverse("api:verify", args=[certificate.code]), headers={"Authorization": f"Bearer {secret[:-1]}x"}
    )
    response = client.get(reverse("api:verify", args=[certificate.code]), headers={"Authorization": header})
    assert response.status_code == reference.status_code == 401
    assert response.content == reference.content  # nothing tells a wrong key from a malformed one
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert certificate.holder_name not in response.content.decode()


def test_a_revoked_key_is_refused_like_an_unknown_one(client, administrator, issued_key):
    api_key, secret = issued_key
    certificate = make_certificate()
    assert api_get(client, certificate.code, key=secret).status_code == 200
    api_keys.api_key_revoke(key_id=api_key.pk, actor=administrator)
    revoked = api_get(client, certificate.code, key=secret)
    unknown = api_get(client, certificate.code, key="glb_abcdefgh_" + "A" * 43)
    assert revoked.status_code == 401
    assert revoked.content == unknown.content
    assert ApiKeyUsage.objects.get(key=api_key).requests == 1  # refused requests are not the key's use


def test_keyed_and_anonymous_limits_are_counted_apart(client, settings, issued_key):
    settings.VERIFY_API_RATE_LIMIT = "2/m"
    settings.VERIFY_API_KEY_RATE_LIMIT = "4/m"
    api_key, secret = issued_key
    certificate = make_certificate()
    assert [api_get(client, certificate.code).status_code for _ in range(3)] == [200, 200, 429]
    # The same address with a key: the key's own, higher limit.
    keyed = [api_get(client, certificate.code, key=secret) for _ in range(5)]
    assert [r.status_code for r in keyed] == [200, 200, 200, 200, 429]
    assert 1 <= int(keyed[-1]["Retry-After"]) <= 60
    assert keyed[-1].json()["error"] == "rate_limited"
    usage = ApiKeyUsage.objects.get(key=api_key)
    assert (usage.requests, usage.found, usage.rate_limited) == (5, 4, 1)


def test_creating_and_revoking_are_audited(administrator, issued_key):
    api_key, secret = issued_key
    api_keys.api_key_revoke(key_id=api_key.pk, actor=administrator)
    events = list(AuditEvent.objects.filter(object_type="certification.apikey", object_id=str(api_key.pk)))
    assert [(e.action, e.actor) for e in reversed(events)] == [
        ("api_key.created", administrator),
        ("api_key.revoked", administrator),
    ]
    assert secret not in str([(e.summary, e.details) for e in events])


def test_a_key_cannot_be_revoked_twice(administrator, issued_key):
    from django.core.exceptions import ValidationError

    api_key, _secret = issued_key
    api_keys.api_key_revoke(key_id=api_key.pk, actor=administrator)
    with pytest.raises(ValidationError, match="already revoked"):
        api_keys.api_key_revoke(key_id=api_key.pk, actor=administrator)
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


# The administrators' pages ------------------------------------------------------------------


def test_an_administrator_creates_a_key_and_sees_it_once(client_for, administrator):
    client = client_for(administrator)
    response = client.post(
        reverse("certification:api_key_create"),
        {"organisation": "Mercy Insurance", "contact_email": "verify@mercy.example"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    api_key = ApiKey.objects.get(organisation="Mercy Insurance")
    secret = response.context["secret"]
    page = response.content.decode()
    assert f'value="{secret}"' in page
    assert 'data-copy="api-key"' in page
    assert "shown only this once" in page
    # It works, and no page shows it again.
    certificate = make_certificate()
    assert api_get(client, certificate.code, key=secret).status_code == 200
    for url in (
        reverse("certification:api_key_list"),
        reverse("certification:api_key_detail", args=[api_key.pk]),
    ):
        again = client.get(url).content.decode()
        assert secret not in again
        assert api_key.display_prefix in again


def test_a_bad_form_says_which_field(client_for, administrator):
    client = client_for(administrator)
    response = client.post(reverse("certification:api_key_create"), {"organisation": "", "contact_email": "nope"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"organisation", "contact_email"}
    assert not ApiKey.objects.exists()


def test_the_key_page_shows_last_use_and_totals(client_for, administrator, issued_key):
    api_key, secret = issued_key
    certificate = make_certificate()
    api_get(client_for(None), certificate.code, key=secret)
    api_get(client_for(None), "y" * 32, key=secret)
    page = client_for(administrator).get(reverse("certification:api_key_detail", args=[api_key.pk]))
    assert page.context["totals"] == {"requests": 2, "found": 1, "not_found": 1, "rate_limited": 0}
    text = page.content.decode()
    assert "Not used yet" not in text
    assert page.context["key"].last_used_at is not None
    listing = client_for(administrator).get(reverse("certification:api_key_list"))
    assert [k.total_requests for k in listing.context["keys"]] == [2]


def test_revoking_asks_for_confirmation_stating_the_consequence(client_for, administrator, issued_key):
    api_key, secret = issued_key
    client = client_for(administrator)
    confirm = client.get(reverse("certification:api_key_revoke", args=[api_key.pk]))
    text = confirm.content.decode()
    assert "every request with this key is refused (401)" in text
    assert "This cannot be undone." in text
    api_key.refresh_from_db()
    assert api_key.is_active  # looking is not revoking
    done = client.post(reverse("certification:api_key_revoke", args=[api_key.pk]))
    assert done.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_by == administrator
    assert api_get(client_for(None), make_certificate().code, key=secret).status_code == 401


def test_only_administrators_reach_the_key_pages(client_for, issued_key):
    from accounts.tests.factories import TraineeFactory

    api_key, _secret = issued_key
    client = client_for(TraineeFactory())
    for url in (
        reverse("certification:api_key_list"),
        reverse("certification:api_key_detail", args=[api_key.pk]),
        reverse("certification:api_key_revoke", args=[api_key.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("certification:api_key_revoke", args=[api_key.pk])).status_code == 403
    assert (
        client.post(
            reverse("certification:api_key_create"), {"organisation": "X", "contact_email": "x@example.com"}
        ).status_code
        == 403
    )
    assert ApiKey.objects.count() == 1


def test_the_administration_links_to_the_key_pages(client_for, administrator):
    page = client_for(administrator).get(reverse("accounts:admin_dashboard")).content.decode()
    assert page.count(f'href="{reverse("certification:api_key_list")}"') >= 2  # navigation and tools
