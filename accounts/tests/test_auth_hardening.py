"""Sessions and rate limits, on the real shared cache where it matters.

What test_auth.py already covers is not repeated here: a TOTP code works once, sign-up
does not reveal a registered address, failed logins are limited (on any cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.support.auth import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
FORGED = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "HTTP_X_REAL_IP": "203.0.113.7", "HTTP_FORWARDED": "for=203.0.113.7"}


def forged(n: int) -> dict:
    """Headers a client can set to pose as another address on each request."""
    address = f"198.51.100.{n % 250 + 1}"
    return {"HTTP_X_FORWARDED_FOR": address, "HTTP_X_REAL_IP": address, "HTTP_FORWARDED": f"for={address}"}


@pytest.fixture
def fixed_window(monkeypatch):
    """Hold core.ratelimit's clock in the middle of a minute, so that no count is cut
    in two by a window ending during the test."""
    import time

    middle = (int(time.time()) // 3600) * 3600 + 30
    monkeypatch.setattr("core.ratelimit._now", lambda: middle)
    return middle


# Cookies and sessions -------------------------------------------------------------------


def production_settings() -> dict:
    """The cookie settings as a production process reads them: no DJANGO_DEBUG, none of
    the test overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CI"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY="x" * 60)
    names = [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE", "ACCOUNT_SESSION_REMEMBER", "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE", "DEBUG",
    ]  # fmt: skip
    code = f"from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    out = subprocess.run(
        [sys.executable, "-c", f"import json, django; django.setup(); {code}"],
        env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_samesite(client, trainee, settings):
    production = production_settings()
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["ACCOUNT_SESSION_REMEMBER"] is False
    for name, value in production.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    client.get(reverse("account_login"))
    response = sign_in(client, trainee.email)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # Not remembered: gone when the browser closes.
    assert session["expires"] == ""
    assert session["max-age"] == ""
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


def test_the_session_key_changes_on_login(client, trainee):
    session = client.session
    session["probe"] = "before"
    session.save()
    before = session.session_key
    client.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert sign_in(client, trainee.email).status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after
    assert after != before
    assert not SessionStore().exists(before)
    assert client.session["_auth_user_id"] == str(trainee.pk)


def test_logout_ends_the_session_on_the_server(client, trainee):
    sign_in(client, trainee.email)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert SessionStore().exists(key)
    client.post(reverse("account_logout"))
    assert not SessionStore().exists(key)
    # The old cookie, replayed, opens nothing.
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("accounts:trainee_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_password_change_ends_every_session(trainee):
    here, elsewhere = Client(), Client()
    sign_in(here, trainee.email)
    sign_in(elsewhere, trainee.email)
    old_key = here.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert elsewhere.get(reverse("accounts:trainee_dashboard")).status_code == 200
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-long-pass-phrase", "password2": "a-new-long-pass-phrase"},
    )
    assert response.status_code == 302
    assert not SessionStore().exists(old_key)
    for client in (here, elsewhere):
        response = client.get(reverse("accounts:trainee_dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_password_reset_does_not_reveal_whether_an_email_is_registered(client, trainee):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": trainee.email})
    unknown = client.post(url, {"email": "nobody-here@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content


# Rate limits on Redis -------------------------------------------------------------------


def test_failed_logins_are_limited_per_address_on_redis_whatever_x_forwarded_for_says(
    redis_url, client, trainee, settings, fixed_window
):
    # The ceiling on failures per address (100 a minute by default; 10 here), each
    # failure for another account and posing as another address.
    settings.LOGIN_FAILURES_PER_ADDRESS = "10/m"
    for n in range(10):
        response = client.post(
            reverse("account_login"), {"login": f"someone{n}@example.com", "password": "wrong"}, **forged(n)
        )
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()
    response = client.post(reverse("account_login"), {"login": trainee.email, "password": PASSWORD}, **FORGED)
    assert "Try again in 30 seconds." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Counted in Redis, where every web process sees it.
    from django.core.cache import caches

    assert caches["default"].__class__.__name__ == "RedisCache"
    assert any(b"ratelimit:login-failed:ip:127.0.0.1" in key for key in _redis_keys(redis_url))


def _redis_keys(redis_url: str) -> list[bytes]:
    return list(_cache_redis().scan_iter(count=1000))


def _cache_redis():
    """The Redis database the cache (and so the rate limits) uses."""
    import redis

    return redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])


def test_password_reset_is_limited_per_address_on_redis(redis_url, client):
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": f"reset{n}@example.com"}, **forged(n)).status_code for n in range(20)]
    assert statuses == [302] * 20
    assert client.post(url, {"email": "reset-last@example.com"}, **FORGED).status_code == 429


def test_password_reset_is_limited_per_address_for_one_email(redis_url, client, trainee):
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": trainee.email}, REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_verification_lookups_are_limited_on_redis_whatever_x_forwarded_for_says(
    redis_url, client, settings, fixed_window
):
    from tests.support.certificates import make_certificate

    settings.VERIFY_RATE_LIMIT = "5/m"
    certificate = make_certificate()
    url = reverse("certification:verify", args=[certificate.code])
    statuses = [client.get(url, **forged(n)).status_code for n in range(5)]
    assert statuses == [200] * 5
    assert client.get(url, **FORGED).status_code == 429
    lookup = client.post(
        reverse("certification:verify_lookup"), {"action": "lookup", "serial": certificate.serial, "surname": "x"}
    )
    assert lookup.status_code == 429
    counters = [key for key in _redis_keys(redis_url) if b"ratelimit:verify:ip:127.0.0.1" in key]
    assert counters
    # Each counter lapses after its one-minute window (and a second): none is kept for good.
    assert all(0 < _cache_redis().ttl(key) <= 61 for key in counters)
    # Another address (as the WSGI server saw it) is not held back.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.fixture
def open_attempt(trainee, other_trainee):
    from accounts.tests.factories import LicenceFactory
    from courses.tests.factories import EnrolmentFactory, course_with_lessons
    from exams.services.attempts import attempt_start
    from exams.tests.factories import exam_for

    course = course_with_lessons(1)
    exam_for(course)
    attempts = {}
    for person in (trainee, other_trainee):
        LicenceFactory(holder=person, verified=True)
        enrolment = EnrolmentFactory(trainee=person, course=course)
        enrolment.completions.create(lesson=course.modules.first().lessons.first())
        attempts[person] = attempt_start(trainee=person, enrolment=enrolment)
    return attempts


def autosave(client, attempt, position=1, **extra):
    return client.post(
        reverse("exams:autosave", args=[attempt.pk]),
        json.dumps({"position": position, "flagged": position % 2 == 0}),
        content_type="application/json",
        **extra,
    )


def test_exam_autosave_is_limited_per_trainee_on_redis(redis_url, client_for, trainee, other_trainee, open_attempt,
                                                       settings, fixed_window):  # fmt: skip
    settings.EXAM_AUTOSAVE_RATE_LIMIT = "5/m"
    client = client_for(trainee)
    # Counted per trainee: neither another address nor a forged header escapes it.
    attempt = open_attempt[trainee]
    statuses = [autosave(client, attempt, n % 4 + 1, REMOTE_ADDR=f"10.1.0.{n}").status_code for n in range(5)]
    assert statuses == [200] * 5
    limited = client.post(
        reverse("exams:autosave", args=[open_attempt[trainee].pk]),
        json.dumps({"position": 3, "flagged": True}),
        content_type="application/json",
        REMOTE_ADDR="10.9.9.9",
        **FORGED,
    )
    assert limited.status_code == 429
    body = limited.json()
    assert body["ok"] is False
    assert body["error"] == "Saving too often: your answer will be saved again in a few seconds."
    assert body["retry_after"] == 30
    assert limited["Retry-After"] == "30"
    assert any(f"ratelimit:exam-autosave:user:{trainee.pk}".encode() in k for k in _redis_keys(redis_url))
    # The limited save did not happen.
    assert open_attempt[trainee].items.get(position=3).flagged is False
    # Another trainee at the same address is not held back.
    assert autosave(client_for(other_trainee), open_attempt[other_trainee]).status_code == 200


def test_the_autosave_limit_leaves_room_for_a_fast_candidate(client_for, trainee, open_attempt):
    """The default is 120 a minute: a candidate changing an answer every half second for
    half a minute is never held back."""
    assert not hasattr(django_settings, "EXAM_AUTOSAVE_RATE_LIMIT")
    client = client_for(trainee)
    statuses = {autosave(client, open_attempt[trainee], n % 4 + 1).status_code for n in range(60)}
    assert statuses == {200}


def test_the_exam_page_script_waits_and_retries_when_told_to():
    script = (django_settings.BASE_DIR / "static" / "js" / "exam.js").read_text()
    assert "result.status === 429" in script
    assert "retryLater(payload, result.data.retry_after)" in script
