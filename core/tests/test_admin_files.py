"""Read-only admin pages of records with private files open (they do not try to link
a file that has no URL)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_change_pages_of_records_with_private_files_open(client_for, administrator):
    from tests.support.certificates import make_certificate

    certificate = make_certificate()
    licence = LicenceFactory()
    client = client_for(administrator)
    for url in (
        reverse("admin:certification_certificate_change", args=[certificate.pk]),
        reverse("admin:accounts_licence_change", args=[licence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert certificate.serial in response.content.decode() or licence.number in response.content.decode()
