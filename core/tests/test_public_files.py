"""What browsers, crawlers, researchers and lost visitors meet: robots.txt, favicon.ico,
security.txt, branded error pages with a way back, and a way to the verification page
from every page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_private_pages_but_not_certificate_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    assert {"/accounts/", "/admin/", "/staff/", "/me/"} <= disallowed
    assert not any("/verify" in path for path in disallowed)  # link previews read them


@pytest.mark.django_db
def test_favicon_ico_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]


@pytest.mark.django_db
@override_settings(SITE_URL="https://certify.example.org", SECURITY_CONTACT="mailto:sec@example.org")
def test_security_txt_follows_rfc_9116(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines() if line)
    assert fields["Contact"] == "mailto:sec@example.org"
    assert fields["Canonical"] == "https://certify.example.org/.well-known/security.txt"
    expires = datetime.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert timezone.now() < expires < timezone.now() + datetime.timedelta(days=365)


@pytest.mark.django_db
def test_a_missing_page_is_branded_with_ways_back(client, trainee):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert 'href="/verify/"' in page
    assert 'href="/accounts/login/"' in page
    client.force_login(trainee)
    page = client.get("/no-such-page/").content.decode()
    assert 'href="/dashboard/"' in page


@pytest.mark.django_db
def test_a_forbidden_page_is_branded(client, trainee):
    client.force_login(trainee)
    response = client.get("/staff/audit/")
    assert response.status_code == 403
    assert "You cannot do that with this account" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_says_nothing_changed(trainee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "This page expired before you sent it" in response.content.decode()


def test_the_server_error_page_needs_no_request_and_offers_a_way_back():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert 'href="/verify/"' in page


@pytest.mark.django_db
def test_every_page_links_to_certificate_verification(client):
    page = client.get("/").content.decode()
    assert '<a href="/verify/">Verify a certificate</a>' in page
