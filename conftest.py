"""Shared fixtures. Real services are used where the behaviour depends on them:
PostgreSQL (constraints, locking), Redis (cache, broker), a Celery worker process and
Chromium. Without them those tests skip with the reason; under CI=true they fail."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if CI:
        pytest.fail(f"CI=true requires this: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db):
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "needs Redis: set REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        require(False, f"needs Redis: nothing answers at {url}")
    return url


@pytest.fixture
def chromium_path():
    require(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def node():
    """Node.js with the pinned npm packages (package.json): the independent credential
    verifier (tests/support/node.py) and the page checkers."""
    path = shutil.which("node")
    require(path is not None, "needs Node.js (apt-get install nodejs)")
    require(
        os.path.isdir(os.path.join(settings.BASE_DIR, "node_modules", "@digitalbazaar", "vc")),
        "needs the npm packages: make node_modules/.installed",
    )
    return path


@pytest.fixture(autouse=True)
def _isolated_cache():
    # Rate-limit counters and used TOTP codes must not leak from one test to the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from django.utils.functional import empty

    from core.storage import private_storage

    # Reset the lazy storage so it picks up this test's root.

    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


@pytest.fixture(scope="session")
def _credential_key_file(tmp_path_factory):
    """One issuing key for the session (tests that change keys make their own store with
    tests.support.credentials.key_store_new)."""
    from certification.credentials import keys

    path = tmp_path_factory.mktemp("credential-keys") / "credential-keys.json"
    path.write_text(json.dumps({"keys": [keys.key_new().as_json()]}))
    return str(path)


@pytest.fixture(autouse=True)
def _credential_keys(settings, _credential_key_file):
    # Certificates are signed when rendered; no test writes to the developer's var/ keys.
    settings.CREDENTIAL_KEYS = ""
    settings.CREDENTIAL_KEYS_FILE = _credential_key_file


@pytest.fixture
def trainee(db):
    from accounts.tests.factories import TraineeFactory

    return TraineeFactory(email="trainee@example.com", legal_name="Ada Trainee")


@pytest.fixture
def other_trainee(db):
    from accounts.tests.factories import TraineeFactory

    return TraineeFactory(email="other@example.com", legal_name="Bea Other")


@pytest.fixture
def instructor(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(email="instructor@example.com", is_trainee=False, is_instructor=True)


@pytest.fixture
def examiner(db):
    from accounts.tests.factories import UserFactory, add_totp

    return add_totp(UserFactory(email="examiner@example.com", is_trainee=False, is_examiner=True))


@pytest.fixture
def administrator(db):
    from accounts.tests.factories import AdministratorFactory, add_totp

    return add_totp(AdministratorFactory(email="admin@example.com"))


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user (second factor already passed)."""

    def sign_in(user):
        if user is None:
            client.logout()
        else:
            client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return client

    return sign_in


@pytest.fixture
def broker(postgres, transactional_db, redis_url, tmp_path, settings):
    """A private queue on the real Redis that this process's Celery sends to instead of
    running tasks eagerly; the test starts workers on it (tests.support.worker.Broker)."""
    from tests.support.worker import private_queue

    with private_queue(redis_url=redis_url, tmp_path=tmp_path, settings=settings) as broker:
        yield broker


@pytest.fixture
def celery_worker_process(broker):
    """A real Celery worker in its own process, consuming a private queue on Redis and
    writing to the test database; emails land as files in the returned mail folder.
    The test process sends tasks to it instead of running them eagerly."""
    process, log = broker.start_worker(name="worker", pool="solo", wait=False)
    return {"queue": broker.queue, "mail_dir": broker.mail_dir, "process": process, "log": log, "broker": broker}
