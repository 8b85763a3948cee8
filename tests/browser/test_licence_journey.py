"""A trainee signs up, confirms the emailed link, submits a licence; an administrator
signs in with TOTP and verifies it; the trainee's dashboard shows it verified."""

import datetime
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import (
    TOTP_SECRET,
    AdministratorFactory,
    JurisdictionFactory,
    add_totp,
    png_bytes,
)

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_signup_licence_submission_and_verification(page, live_server):
    JurisdictionFactory()
    admin = add_totp(AdministratorFactory(email="verifier@example.com"))

    # A newcomer signs up and is asked to confirm the address.
    page.goto("/")
    page.get_by_role("link", name="Create your account").click()
    page.get_by_label("Email").fill("dr.new@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # The emailed link confirms it and signs them in.
    (message,) = [m for m in mail.outbox if m.to == ["dr.new@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    # Profile, then a licence with a scan.
    page.get_by_role("link", name="Complete your profile").click()
    page.get_by_label("Legal name").fill("Dr Nia Adeyemi")
    page.get_by_label("Profession").select_option(label="Physician (MD)")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_role("link", name="Submit a licence").first.click()
    page.get_by_label("Profession").select_option(label="Physician (MD)")
    page.get_by_label("Licence number").fill("G98765")
    page.get_by_label("Issuing jurisdiction").select_option(label="United States — California")
    expires = timezone.localdate() + datetime.timedelta(days=400)
    page.get_by_label("Expiry date").fill(expires.isoformat())
    page.get_by_label("NPI (US only, optional)").fill("1234567890")
    page.get_by_label("Scan or photo of the licence").set_input_files(
        {"name": "licence.png", "mimeType": "image/png", "buffer": png_bytes(size=(300, 200))}
    )
    page.get_by_role("button", name="Submit for verification").click()
    # A wrong NPI check digit is caught at its field; the number typed is kept.
    expect(page.get_by_text("This NPI's check digit is wrong; please check the number.")).to_be_visible()
    expect(page.get_by_label("Licence number")).to_have_value("G98765")
    page.get_by_label("NPI (US only, optional)").fill("1234567893")
    page.get_by_label("Scan or photo of the licence").set_input_files(
        {"name": "licence.png", "mimeType": "image/png", "buffer": png_bytes(size=(300, 200))}
    )
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.get_by_text("Awaiting verification")).to_be_visible()
    sign_out(page)

    # The administrator signs in with a second factor and works the queue.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    page.get_by_role("link", name="Licence queue").click()
    page.get_by_role("link", name="Start with the oldest").click()
    image = page.get_by_role("img", name="Scan of the licence document")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 300
    page.get_by_label("Verify: the document matches the details").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The queue is empty.")).to_be_visible()
    sign_out(page)

    # The trainee sees the licence verified.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("dr.new@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Dr Nia Adeyemi")).to_be_visible()
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    assert any(m.subject == "[Glabella] Your licence is verified" for m in mail.outbox)
