"""Every email, parsed as a mail program would: the site's name, a plain-text part and an
HTML part with the same words in the branded layout, nothing fetched from elsewhere, and
the headers that tell auto-responders and threading what it is."""

from __future__ import annotations

import email
import re
from email import policy
from html.parser import HTMLParser

import pytest
from django.core import mail

from core.emails import email_queue, email_render
from tests.support.certificates import make_certificate


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "background") or (tag == "link" and name == "href"):
                self.remote.append(value or "")

    def handle_data(self, data):
        self.words.extend(data.split())


def _parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def _assert_well_formed(message, *, site_host="127.0.0.1"):
    parsed = _parsed(message)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(rf"<[^@>]+@{re.escape(site_host)}>", parsed["Message-ID"])
    assert parsed["Subject"].startswith("[Glabella] ")
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Glabella" in text
    assert "from !" not in text
    assert " on ." not in text
    reader = _Text()
    reader.feed(html)
    # The same words: every word of the text part appears, in order, in the HTML part.
    html_words = " ".join(reader.words)
    assert " ".join(text.split()) in html_words
    assert reader.remote == []  # no images, stylesheets or scripts from anywhere
    return parsed, text, html


@pytest.mark.django_db
def test_password_reset_email_names_the_site_and_has_both_parts(client, trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": trainee.email})
    assert len(mail.outbox) == 1
    _parsed, text, html = _assert_well_formed(mail.outbox[0])
    assert "reset the password of your Glabella account" in text
    assert '<a href="http://testserver/accounts/password/reset/key/' in html


@pytest.mark.django_db
def test_signup_confirmation_email_names_the_site(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"email": "new@example.com", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"},
        )
    assert len(mail.outbox) == 1
    _parsed, text, _html = _assert_well_formed(mail.outbox[0])
    assert "Confirm your email address" in mail.outbox[0].subject
    assert "signed up on 127.0.0.1" in text


@pytest.mark.django_db
def test_glabella_emails_share_the_layout_and_signature(trainee, django_capture_on_commit_callbacks, settings):
    from accounts.tests.factories import LicenceFactory

    settings.SITE_URL = "https://certify.example.org"
    licence = LicenceFactory(holder=trainee)
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to=trainee.email,
            template="accounts/email/licence_expiry_reminder",
            context={"user": trainee, "licence": licence, "days_left": 30},
        )
    parsed, text, html = _assert_well_formed(mail.outbox[0], site_host="certify.example.org")
    assert text.rstrip().endswith("https://certify.example.org/")
    assert "replies are not read" in text


@pytest.mark.django_db
def test_certificate_email_keeps_its_pdf_beside_both_parts():
    from certification.services.delivery import certificate_email_send

    certificate = make_certificate()
    assert certificate_email_send(certificate_id=certificate.pk)
    parsed, _text, _html = _assert_well_formed(mail.outbox[0])
    attachments = [part for part in parsed.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_content().startswith(b"%PDF")


def test_html_part_escapes_what_the_text_contains():
    from core.emails import email_html

    html = email_html(subject="s", body="<script>alert(1)</script>\n\nhttps://example.org/a?b=1&c=2")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html


def test_rendered_subject_carries_the_prefix(settings):
    settings.SITE_NAME = "Glabella"
    subject, body = email_render(template="accounts/email/licence_decided", context={"user": None, "licence": None})
    assert subject.startswith("[Glabella] ")
    assert "replies are not read" in body
