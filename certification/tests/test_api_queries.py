"""The verification API costs the same queries with 10 and with 200 certificates in the
register: anonymous, one (the certificate, its replacement joined); with a key, the key,
today's usage row, its last use and the certificate."""

import pytest

from certification.services import api_keys
from tests.support.api import api_get
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db

ANONYMOUS_QUERIES = 1
# The key by its prefix; UPDATE today's usage row; UPDATE the key's last use; the certificate.
KEYED_QUERIES = 4


def test_the_api_costs_the_same_with_10_and_200_certificates(client, administrator, django_assert_num_queries):
    _api_key, secret = api_keys.api_key_create(
        organisation="Bulk Verifier", contact_email="bulk@example.com", actor=administrator
    )
    api_get(client, "w" * 32, key=secret)  # today's usage row exists from here on
    certificates = []
    for total in (10, 200):
        while len(certificates) < total:
            n = len(certificates)
            certificates.append(make_certificate(name=f"Dr Sam{n:03d} Holder", email=f"holder{n}@example.com"))
        for certificate in (certificates[0], certificates[-1]):
            with django_assert_num_queries(ANONYMOUS_QUERIES):
                response = api_get(client, certificate.code)
            assert response.json()["serial"] == certificate.serial
            with django_assert_num_queries(ANONYMOUS_QUERIES):
                response = api_get(client, serial=certificate.serial, family_name="Holder")
            assert response.json()["holder"]["name"] == certificate.holder_name
            with django_assert_num_queries(KEYED_QUERIES):
                response = api_get(client, certificate.code, key=secret)
            assert response.json()["status"] == "valid"
        with django_assert_num_queries(ANONYMOUS_QUERIES):
            assert api_get(client, "x" * 43).status_code == 404
        with django_assert_num_queries(KEYED_QUERIES):
            assert api_get(client, "x" * 43, key=secret).status_code == 404
