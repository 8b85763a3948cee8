"""allauth's pages in the site's own words and form layout: "Sign in"/"Sign up", labels
without colons, errors tied to their fields, valid help markup, and a second-factor field
that brings up the number pad and mentions recovery codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, add_totp

PASSWORD = "correct-horse-battery"  # nosec B105 (the factories' test password)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.django_db
def test_sign_in_and_sign_up_use_the_sites_wording(client):
    login = _main(client.get(reverse("account_login")))
    assert re.search(r"<h1>\s*Sign in\s*</h1>", login)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", login)
    signup = _main(client.get(reverse("account_signup")))
    assert re.search(r"<h1>\s*Sign up\s*</h1>", signup)
    for page in (login, signup):
        assert "Sign In" not in page
        assert "Sign Up" not in page
        labels = re.findall(r"<label[^>]*>([^<]*)</label>", page)
        assert labels
        assert not [label for label in labels if label.strip().endswith(":")]


@pytest.mark.django_db
def test_sign_up_errors_are_tied_to_their_fields(client):
    page = _main(client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x", "password2": "y"}))
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email_input
    described = re.search(r'aria-describedby="([^"]+)"', email_input).group(1).split()
    assert "id_email_error" in described
    assert re.search(r'id="id_email_error"[^>]*>\s*<li>Enter a valid email address.</li>', page)
    # The password rules are a list: inside a <div>, never a <p> (a list may not be in one).
    assert not re.search(r"<p[^>]*>\s*<ul", page)
    assert re.search(r'<div class="help" id="id_password1_helptext"><ul>', page)


@pytest.mark.django_db
def test_the_second_factor_field_brings_up_the_number_pad_and_mentions_recovery_codes(client):
    user = add_totp(UserFactory(email="examiner@example.com", is_examiner=True))
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    page = _main(client.get(reverse("mfa_authenticate")))
    code = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in code
    assert 'autocomplete="one-time-code"' in code
    assert "recovery codes" in page
    assert "Two-Factor" not in page
