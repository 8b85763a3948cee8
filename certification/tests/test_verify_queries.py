"""The public verification page (what a certificate's QR code opens) costs one query,
however many certificates the register holds."""

import pytest
from django.urls import reverse

from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db

# The certificate by its verification code. Anonymous: no session, no user; the rate
# limit is counted in the cache.
VERIFY_QUERIES = 1


def test_the_verification_page_costs_the_same_queries_with_10_and_200_certificates(client, django_assert_num_queries):
    certificates = []
    for total in (10, 200):
        while len(certificates) < total:
            n = len(certificates)
            certificates.append(make_certificate(name=f"Dr Holder {n:03d}", email=f"holder{n}@example.com"))
        for certificate in (certificates[0], certificates[-1]):
            with django_assert_num_queries(VERIFY_QUERIES):
                response = client.get(reverse("certification:verify", args=[certificate.code]))
            page = response.content.decode()
            assert response.status_code == 200
            assert "Valid certificate" in page
            assert certificate.holder_name in page
            assert certificate.serial in page
        with django_assert_num_queries(VERIFY_QUERIES):
            unknown = client.get(reverse("certification:verify", args=["x" * 43]))
        assert unknown.status_code == 404
