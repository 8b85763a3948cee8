"""Issue 16, second hardening round, in accounts: sign-up costs the same whether the
address is registered or not, failed sign-ins slow down the account and address that
fail instead of locking the owner out or blocking a whole network, the confirmation
email quotes nothing the account holder typed, and licence numbers are unique per
holder (duplicates across holders are flagged to staff, not told to the submitter)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from tests.support.auth import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "The email address and/or password you specified are not correct."


# Sign-up: the same work and the same answer for a registered address -------------------


@pytest.fixture
def real_hasher(settings, monkeypatch):
    """The production password hasher (the test settings use MD5 for speed), with every
    password it hashes recorded."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    hashed: list[str] = []
    encode = PBKDF2PasswordHasher.encode

    def spy(self, password, salt, iterations=None):
        hashed.append(password)
        return encode(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", spy)
    return hashed


def signup(client, email, password):
    return client.post(reverse("account_signup"), {"email": email, "password1": password, "password2": password})


def test_signup_hashes_the_password_for_a_registered_address_too(client, trainee, real_hasher,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        registered = signup(client, trainee.email, "a-long-pass-phrase-one")
    assert real_hasher == ["a-long-pass-phrase-one"]
    page_registered = client.get(registered["Location"]).content.decode().replace(trainee.email, "ADDRESS")
    with django_capture_on_commit_callbacks(execute=True):
        new = signup(client, "someone.new@example.com", "a-long-pass-phrase-two")
    assert real_hasher[1:] == ["a-long-pass-phrase-two"]
    page_new = client.get(new["Location"]).content.decode().replace("someone.new@example.com", "ADDRESS")
    # The same answer: the same redirect, and the same page behind it (but the address).
    assert registered.status_code == new.status_code == 302
    assert registered["Location"] == new["Location"]
    assert "We have sent an email to you for verification." in page_new
    assert page_registered == page_new


def test_signing_up_twice_with_one_address_answers_alike(client, real_hasher, django_capture_on_commit_callbacks):
    pages = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, "twice@example.com", "a-long-pass-phrase")
        assert response.status_code == 302
        pages.append((response["Location"], client.get(response["Location"]).content))
    assert pages[0] == pages[1]
    # The second time the address is registered; its password was still hashed.
    assert real_hasher == ["a-long-pass-phrase", "a-long-pass-phrase"]


# Failed sign-ins ------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch, settings):
    """time.time, held still and moved on by hand (the rate limits and the local-memory
    cache's expiry both read it). Redis expires keys by its own clock, which no test can
    move, so these tests count on the local-memory cache even when the suite runs on
    Redis (the Redis counters' atomicity and expiry have their own tests)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    class Clock:
        now = (int(time.time()) // 3600) * 3600 + 5.0

        def advance(self, seconds):
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(time, "time", lambda: fake.now)
    return fake


def attempt(client, email, password, address):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


def test_an_attackers_failures_do_not_lock_the_owner_out_from_elsewhere(client, trainee, clock):
    from django.test import Client

    attacker = Client()
    for _ in range(30):
        attempt(attacker, trainee.email, "guess", "203.0.113.66")
        clock.advance(1)
    # The attacker's address is held back, even with the right password …
    response = attempt(attacker, trainee.email, PASSWORD, "203.0.113.66")
    assert "Too many failed sign-in attempts for this account from your network." in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    # … the owner, from their own address, is not.
    response = attempt(client, trainee.email, PASSWORD, "198.51.100.10")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(trainee.pk)


def test_a_clinic_behind_one_address_signs_in_whatever_its_neighbours_mistype(client, clock):
    from django.test import Client

    staff = UserFactory.create_batch(40)
    for n, person in enumerate(staff):
        browser = Client()
        if n % 2:
            assert WRONG in attempt(browser, person.email, "typo", "192.0.2.1").content.decode()
        response = attempt(browser, person.email, PASSWORD, "192.0.2.1")
        assert response.status_code == 302, person.email
        assert browser.session["_auth_user_id"] == str(person.pk)


def test_failures_for_one_account_and_address_wait_longer_and_longer(client, trainee, clock):
    address = "198.51.100.20"
    for _ in range(5):
        assert WRONG in attempt(client, trainee.email, "guess", address).content.decode()
    waits = []
    for delay in (2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900):
        refused = attempt(client, trainee.email, "guess", address).content.decode()
        assert WRONG not in refused
        waits.append(refused.split("Try again in ")[1].split(".")[0])
        # Even the right password waits out the delay …
        clock.advance(delay - 1)
        assert "Try again in 1 second." in attempt(client, trainee.email, PASSWORD, address).content.decode()
        # … after which one more try is let through.
        clock.advance(1)
        assert WRONG in attempt(client, trainee.email, "guess", address).content.decode()
    assert waits == [
        "2 seconds", "4 seconds", "8 seconds", "16 seconds", "32 seconds", "2 minutes", "3 minutes", "5 minutes",
        "9 minutes", "15 minutes", "15 minutes", "15 minutes",
    ]  # fmt: skip
    # Once the wait is over, the right password signs in and the slate is wiped.
    clock.advance(15 * 60)
    assert attempt(client, trainee.email, PASSWORD, address).status_code == 302
    client.post(reverse("account_logout"))
    for _ in range(5):
        assert WRONG in attempt(client, trainee.email, "guess", address).content.decode()


def test_one_address_spraying_many_accounts_meets_a_ceiling(client, trainee, settings, clock):
    settings.LOGIN_FAILURES_PER_ADDRESS = "20/m"
    for n in range(20):
        assert WRONG in attempt(client, f"target{n}@example.com", "guess", "203.0.113.9").content.decode()
    response = attempt(client, trainee.email, PASSWORD, "203.0.113.9")
    assert "Try again in 55 seconds." in response.content.decode()
    # Another address is not affected.
    assert attempt(client, trainee.email, PASSWORD, "203.0.113.10").status_code == 302


# The confirmation email quotes nothing the account holder typed -------------------------

HOSTILE_NAME = "Mallory Zqxwv https://evil.example/claim-your-prize"


def test_adding_an_address_sends_an_email_without_the_display_name(client_for, trainee,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    trainee.legal_name = HOSTILE_NAME
    trainee.save(update_fields=["legal_name"])
    client = client_for(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"email": "stranger@example.com", "action_add": ""})
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if m.to == ["stranger@example.com"]]
    text = message.subject + message.body
    for word in HOSTILE_NAME.split():
        assert word not in text
    assert "evil.example" not in text
    assert "/accounts/confirm-email/" in message.body


def test_no_account_email_template_names_the_user():
    """Every allauth email (as this project renders it) is checked: none may print the
    user's display name, which is free text the user chose."""
    from django.template import engines

    from accounts.models import User

    user = User(email="holder@example.com", legal_name=HOSTILE_NAME)
    context = {
        "user": user, "user_display": "", "email": "holder@example.com", "activate_url": "http://x/confirm/",
        "password_reset_url": "http://x/reset/", "signup_url": "http://x/signup/", "code": "123456",
        "current_site": type("Site", (), {"name": "Glabella", "domain": "x"})(),
        "from_email": "a@example.com", "to_email": "b@example.com", "deleted_email": "c@example.com",
        "ip": "192.0.2.1", "user_agent": "Browser", "timestamp": "now", "username": None,
    }  # fmt: skip
    import pathlib

    import allauth

    folder = pathlib.Path(allauth.__file__).parent / "templates" / "account" / "email"
    names = sorted(path.name for path in folder.glob("*.txt"))
    assert "email_confirmation_message.txt" in names
    engine = engines["django"]
    for name in names:
        text = engine.get_template(f"account/email/{name}").render(context)
        assert "Mallory" not in text, name


# Licence numbers: unique per holder, duplicates flagged to staff only -------------------


def licence_form(jurisdiction, number="B7654321"):
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts.tests.factories import png_bytes

    return {
        "profession": "md", "number": number, "jurisdiction": jurisdiction.pk,
        "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(), "npi": "",
        "document": SimpleUploadedFile("licence.png", png_bytes()),
    }  # fmt: skip


def test_someone_elses_number_neither_blocks_the_holder_nor_is_revealed(client_for, trainee, other_trainee):
    from accounts.models import Licence
    from accounts.tests.factories import JurisdictionFactory

    jurisdiction = JurisdictionFactory()
    # A squatter submits the real holder's number first.
    squatter = client_for(other_trainee)
    assert squatter.post(reverse("accounts:licence_create"), licence_form(jurisdiction)).status_code == 302
    # The real holder submits it and is told nothing about the other record.
    holder = client_for(trainee)
    response = holder.post(reverse("accounts:licence_create"), licence_form(jurisdiction, number=" b7654321"))
    assert response.status_code == 302
    page = holder.get(response["Location"]).content.decode()
    assert other_trainee.email not in page
    assert "Another holder" not in page
    assert Licence.objects.filter(number="B7654321", status=Licence.Status.SUBMITTED).count() == 2
    # Their own number twice is refused, at the field, about their own record only.
    again = holder.post(reverse("accounts:licence_create"), licence_form(jurisdiction))
    assert again.status_code == 200
    assert "You already have this licence on file" in again.content.decode()


def test_the_database_allows_one_live_record_per_holder_and_number(trainee, other_trainee):
    from django.db import IntegrityError, transaction

    from accounts.tests.factories import JurisdictionFactory, LicenceFactory

    jurisdiction = JurisdictionFactory()
    LicenceFactory(holder=trainee, jurisdiction=jurisdiction, number="C1")
    LicenceFactory(holder=other_trainee, jurisdiction=jurisdiction, number="C1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceFactory(holder=trainee, jurisdiction=jurisdiction, number="C1", verified=True)


def test_administrators_see_the_same_number_from_other_holders_on_the_review_page(
    client_for, administrator, trainee, other_trainee
):
    from accounts.tests.factories import JurisdictionFactory, LicenceFactory

    jurisdiction = JurisdictionFactory()
    first = LicenceFactory(holder=other_trainee, jurisdiction=jurisdiction, number="D42", verified=True)
    second = LicenceFactory(holder=trainee, jurisdiction=jurisdiction, number="D42")
    lone = LicenceFactory(holder=trainee, jurisdiction=jurisdiction, number="D43")
    page = client_for(administrator).get(reverse("accounts:licence_review", args=[second.pk])).content.decode()
    assert "Another holder has submitted this number:" in page
    assert other_trainee.email in page
    assert reverse("accounts:licence_detail", args=[first.pk]) in page
    lone_page = client_for(administrator).get(reverse("accounts:licence_review", args=[lone.pk])).content.decode()
    assert "Another holder has submitted this number:" not in lone_page
    # Holders never see it: their own page of the licence says nothing of the other.
    holder_page = client_for(trainee).get(reverse("accounts:licence_detail", args=[second.pk])).content.decode()
    assert "Another holder" not in holder_page
    assert other_trainee.email not in holder_page


def test_pending_licence_submissions_are_capped_per_person(client_for, trainee, settings):
    from accounts.models import Licence
    from accounts.tests.factories import JurisdictionFactory, LicenceFactory

    assert settings.LICENCE_PENDING_LIMIT == 3
    LicenceFactory.create_batch(3, holder=trainee)
    response = client_for(trainee).post(reverse("accounts:licence_create"), licence_form(JurisdictionFactory()))
    assert response.status_code == 200
    assert (
        "You have 3 licences awaiting verification. Wait for a decision on them before submitting another."
        in response.content.decode()
    )
    assert Licence.objects.filter(holder=trainee).count() == 3
    # A decision frees a place.
    Licence.objects.filter(holder=trainee).first().delete()
    response = client_for(trainee).post(reverse("accounts:licence_create"), licence_form(JurisdictionFactory()))
    assert response.status_code == 302
