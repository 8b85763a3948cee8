"""Settings for the test suite: the real settings plus fast, isolated overrides.

DATABASE_URL and REDIS_URL, when set, still point the tests at PostgreSQL and Redis.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")

from .settings import *  # noqa: E402, F403
from .settings import REDIS_URL  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test gets its own folder (conftest._private_media); this is only the fallback.
# Private files on disk whatever a developer's .env says: the object-storage tests point
# at their own S3 server on loopback (core/tests/test_object_storage.py).
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / "glabella-test-private"
PRIVATE_STORAGE_BACKEND = "local"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Sessions in the database whatever REDIS_URL says, so that the query counts the tests pin
# are the same with and without Redis (production reads them from the cache: settings.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if REDIS_URL:
    # The tests' own Redis database, so clearing the cache never touches a dev site's.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/14" if REDIS_URL.count("/") > 2 else REDIS_URL + "/14",
            "KEY_PREFIX": "glabella-test",
        }
    }
