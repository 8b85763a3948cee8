"""Glabella settings, read from the environment (see .env.example).

Embedded default (nothing set): SQLite, Celery eager, emails on the console.
With DATABASE_URL and REDIS_URL set: PostgreSQL, a Redis cache and a Redis broker
for real Celery workers.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No production default. Without DJANGO_SECRET_KEY, management commands (migrate,
# makemigrations --check) still run with a throwaway key, but config/wsgi.py and
# config/asgi.py refuse to serve (config.serving) and `check --deploy` reports it.
SECRET_KEY_FROM_ENVIRONMENT = bool(env("DJANGO_SECRET_KEY", default=""))
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or (
    "django-insecure-development-only-key" if DEBUG else "django-insecure-" + secrets.token_urlsafe(40)
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The name users see in emails, page titles and credentials.
SITE_NAME = env("SITE_NAME", default="Glabella")
# Where to report a vulnerability (/.well-known/security.txt): a mailto: or https: URI.
SECURITY_CONTACT = env("SECURITY_CONTACT", default="mailto:security@glabella.example")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "accounts",
    "courses",
    "exams",
    "certification",
    # The top layer (dashboards, navigation, demo seeding): may import every app above;
    # none of them imports it.
    "portal",
]

MIDDLEWARE = [
    # An id for every request, in its log lines, its response and its Celery tasks.
    "core.middleware.RequestIdMiddleware",
    # Refuses an oversized body by its Content-Length, before anything reads it.
    "core.middleware.RequestBodyLimitMiddleware",
    # /healthz and /readyz: no host check, HTTPS redirect, session or sign-in.
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Below WhiteNoise (static files keep their long caching), above everything that
    # answers a signed-in user.
    "core.middleware.PrivateCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent users: every transaction takes the write
    # lock when it begins (IMMEDIATE), so two requests never both read and then fail
    # to upgrade to writing ("database is locked" at once, whatever the timeout); a
    # writer waits up to 20 s for the other. WAL lets readers go on while one writes,
    # and with it synchronous=NORMAL is safe (a power cut may lose the last commits,
    # never corrupt the file). PostgreSQL needs none of this.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "glabella",
        }
    }
    # Sessions read from Redis, written through to the database (which keeps them across a
    # cache flush): a signed-in request no longer costs a session query. Autosave, most of
    # an exam day's requests, is the one that gains (issue 18).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login, verified before first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
MFA_FORMS = {
    "authenticate": "accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}
# Failed password sign-ins are limited per account and address with a growing delay, and
# per address by LOGIN_FAILURES_PER_ADDRESS (core.ratelimit, accounts.adapters); here
# "login" is a flood guard on every sign-in request and "login_failed" only guards the
# second-factor codes (the key is the user: the password is already known there).
LOGIN_FAILURES_PER_ADDRESS = env("LOGIN_FAILURES_PER_ADDRESS", default="100/m")
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "100/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",  # nosec B105 (a rate limit, not a password)
    "reset_password_from_key": "20/m/ip",  # nosec B105
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Glabella"
# Roles whose pages require a second factor (core.middleware).
MFA_REQUIRED_ROLES = ("is_administrator", "is_examiner")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Private media (licence scans, certificates, signatures, lesson images): never under
# STATIC_ROOT and never given a URL; views stream them to whoever may see them
# (core.storage.private_storage). On this machine's disk (PRIVATE_MEDIA_ROOT) unless
# PRIVATE_STORAGE_BACKEND=s3, or a bucket or S3 endpoint is set: then in a private bucket
# on S3-compatible object storage, shared by every web and worker machine.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="")
PRIVATE_STORAGE_BACKEND = env(
    "PRIVATE_STORAGE_BACKEND", default="s3" if AWS_STORAGE_BUCKET_NAME or S3_ENDPOINT_URL else "local"
)
if PRIVATE_STORAGE_BACKEND not in ("local", "s3"):
    raise ImproperlyConfigured(f"PRIVATE_STORAGE_BACKEND is {PRIVATE_STORAGE_BACKEND!r}: use local or s3.")
if PRIVATE_STORAGE_BACKEND == "s3" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("Private files on S3 need a bucket: set AWS_STORAGE_BUCKET_NAME.")
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or when unset boto3's own chain
# (instance or task role, ~/.aws). The ACL (private), no public domain and no URLs are fixed
# in core.storage.PrivateS3Storage, not settings.
PRIVATE_S3_OPTIONS = {
    "bucket_name": AWS_STORAGE_BUCKET_NAME,
    "endpoint_url": S3_ENDPOINT_URL or None,
    "region_name": env("S3_REGION_NAME", default="") or None,
    "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
    "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
    # "path" for most self-hosted stores (MinIO, Ceph); empty lets boto3 choose.
    "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
    # A key prefix, to share a bucket between sites ("glabella/").
    "location": env("S3_KEY_PREFIX", default=""),
}
# `make backup` / `manage.py backup` write <BACKUP_DIR>/<UTC time>/ (core.backups).
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)
# Uploaded images (core.uploads): refused if decoding and converting them would hold more
# than this (40 megapixels of RGB(A) fits; a 1-bit scan is one byte a pixel); stored at
# most MAX_IMAGE_SIDE pixels on the long side. Decoding and PDF checks run in a child
# process capped at UPLOAD_CHECK_MEMORY_BYTES of address space and UPLOAD_CHECK_SECONDS.
MAX_IMAGE_DECODED_BYTES = env.int("MAX_IMAGE_DECODED_BYTES", default=160 * 2**20)
MAX_IMAGE_SIDE = env.int("MAX_IMAGE_SIDE", default=4096)
UPLOAD_CHECK_MEMORY_BYTES = env.int("UPLOAD_CHECK_MEMORY_BYTES", default=512 * 2**20)
UPLOAD_CHECK_SECONDS = env.int("UPLOAD_CHECK_SECONDS", default=20)
# Uploads (licences, lesson images, signatures) per signed-in user.
UPLOAD_RATE_LIMIT = env("UPLOAD_RATE_LIMIT", default="30/h")
# A request body over this is refused with 413 by its Content-Length, before it is read
# (core.middleware.RequestBodyLimitMiddleware): the largest upload and the form around it.
# Set the proxy's limit to the same (nginx: client_max_body_size 12m).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
# Uploaded files up to this size are kept in memory, larger ones spooled to a temporary
# file: a worker holds at most this much of each upload.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Form fields and JSON bodies (answers, autosaves) beyond this are refused (400): files
# do not count, and no page posts more than a few kilobytes of text.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Glabella <no-reply@glabella.example>")

# Celery: eager (in-process) unless a Redis broker is configured.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="glabella")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers keep their database connection across tasks (config/celery.py closes it when it
# broke or passed CONN_MAX_AGE); Celery's Django fixup would otherwise close it after
# every task. It still drops it every this many tasks.
CELERY_DB_REUSE_MAX = 1000
# Safety net: a prefork worker process past this resident memory (KiB) is replaced once its
# task is done. A process rendering certificates levels off at ~200 MB
# (bench/render_profile.py: fonts, the parsed stylesheet, the artwork kept per process); this
# is for a leak or a pathological document, not how memory is kept in bounds. Not applied
# by --pool=solo.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=350_000)
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A task not acknowledged within this window is redelivered; every retry countdown
# stays well below it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
WORKER_HEARTBEAT_SECONDS = 30
# Task modules that are not an app's tasks.py (which autodiscovery finds).
CELERY_IMPORTS = ["courses.handson.review_tasks"]
CELERY_BEAT_SCHEDULE = {
    "licences-expire": {
        "task": "accounts.tasks.licences_expire_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "attempts-close-expired": {
        "task": "exams.tasks.attempts_close_expired_task",
        "schedule": 60.0,
    },
    "sittings-draw-papers": {
        "task": "exams.tasks.sittings_draw_due_task",
        "schedule": 60.0,
    },
    "licence-expiry-reminders": {
        "task": "accounts.tasks.licence_expiry_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "certificates-expire": {
        "task": "certification.tasks.certificates_expire_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "certificate-expiry-reminders": {
        "task": "certification.tasks.certificate_expiry_reminders_task",
        "schedule": crontab(hour=7, minute=5),
    },
    "handson-photos-retention": {
        "task": "courses.tasks.handson_photos_retention_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "review-reminders": {
        "task": "courses.handson.review_tasks.review_reminders_task",
        "schedule": crontab(hour=7, minute=10),
    },
    "certificates-requeue-stalled": {
        "task": "certification.tasks.certificates_requeue_stalled_task",
        "schedule": 300.0,
    },
    # /readyz wants a heartbeat at most three of these old (core.health).
    "worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat_task",
        "schedule": float(WORKER_HEARTBEAT_SECONDS),
    },
}
LICENCE_REMINDER_DAYS = 30
# Licences one person may have awaiting verification at once (accounts.services).
LICENCE_PENDING_LIMIT = env.int("LICENCE_PENDING_LIMIT", default=3)
CERTIFICATE_REMINDER_DAYS = 60
# Public verification lookups (code, serial and surname, PDF upload) per client address.
VERIFY_RATE_LIMIT = env("VERIFY_RATE_LIMIT", default="30/m")
# A PAdES signature on certificate PDFs (core.pdf_signing), so that PDF readers show them as
# signed by the issuer: a private key and its X.509 certificate (PEM or DER files outside the
# web root; the certificate file may hold the chain after it). Unset: PDFs are not signed.
PDF_SIGNING_KEY_FILE = env("PDF_SIGNING_KEY_FILE", default="")
PDF_SIGNING_CERT_FILE = env("PDF_SIGNING_CERT_FILE", default="")
PDF_SIGNING_KEY_PASSPHRASE = env("PDF_SIGNING_KEY_PASSPHRASE", default="")

# The Ed25519 keys that sign credentials (certification/credentials/keys.py): JSON in
# CREDENTIAL_KEYS, or a file outside the web root. Production sets one of them; only
# development has a default file. `manage.py credential_keys generate` makes a key.
CREDENTIAL_KEYS = env("CREDENTIAL_KEYS", default="")
CREDENTIAL_KEYS_FILE = env(
    "CREDENTIAL_KEYS_FILE", default=str(BASE_DIR / "var" / "credential-keys.json") if DEBUG else ""
)

# The verification API (/api/v1/): anonymous callers per address; each organisation's
# API key has its own, higher limit (certification.api).
VERIFY_API_RATE_LIMIT = env("VERIFY_API_RATE_LIMIT", default="30/m")
VERIFY_API_KEY_RATE_LIMIT = env("VERIFY_API_KEY_RATE_LIMIT", default="600/m")
# Badge art (certification.badge_art) is kept this long by browsers and shared caches.
BADGE_ART_MAX_AGE = 86400

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (core.middleware; Django 6.0's SECURE_CSP has the same shape).
# No inline scripts or styles anywhere: scripts are files under static/js, bar widths are
# classes (static/css/app.css). data: images are the TOTP QR code allauth draws.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)

# One JSON object a line (core.logging.JsonFormatter) with DJANGO_LOG_JSON=1, the
# default unless DJANGO_DEBUG; plain lines otherwise. Either way every line carries the
# request id (X-Request-ID), in the web process and in the Celery tasks it enqueued.
LOG_JSON = env.bool("DJANGO_LOG_JSON", default=not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_JSON else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # At INFO, WeasyPrint logs seven progress lines per PDF and fontTools (its font subsetter
    # when HarfBuzz's is missing) several hundred, glyph lists included, per certificate.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
