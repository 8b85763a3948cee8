"""Signing in through the real login form, and the TOTP code of the factories' secret."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.tests.factories import TOTP_SECRET

PASSWORD = "correct-horse-battery"  # what accounts.tests.factories.UserFactory sets


def current_code() -> str:
    """The TOTP code of ``TOTP_SECRET`` (accounts.tests.factories.add_totp) right now."""
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})
