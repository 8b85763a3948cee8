"""Settings for the benchmark's gunicorn: the production settings plus a URLconf with a
one-query baseline view, plain-HTTP cookies and a static root outside the work tree.

Everything else (middleware, templates, sessions in the database, the Redis cache) is
exactly what production runs.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The benchmark talks plain HTTP on the loopback: secure-only cookies would never be sent.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Persistent database connections, one per gunicorn worker (as in production).
DATABASES["default"]["CONN_MAX_AGE"] = 60
# No login happens during the run (sessions are made by bench/seed.py), but keep any
# password check cheap should one happen.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# collectstatic writes here (bench/run.py points it at bench/results/tmp/static).
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "bench" / "results" / "tmp" / "static"))
# Quiet: the only log lines worth reading during a run are errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
