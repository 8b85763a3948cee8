"""`manage.py check --deploy` with the production environment reports nothing; with the
production settings missing it says what is missing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "glabella.example.org",
    "SITE_URL": "https://glabella.example.org",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_BEHIND_PROXY": "1",
}
UNSET = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_HSTS_SECONDS", "DJANGO_SECURE_SSL_REDIRECT",
         "DJANGO_SECURE_COOKIES", "DJANGO_BEHIND_PROXY", "DJANGO_ALLOWED_HOSTS", "SITE_URL")  # fmt: skip


@pytest.fixture
def issuing_key(tmp_path) -> dict[str, str]:
    """A production issuing key in a file outside the web root (as `manage.py
    credential_keys generate` writes it)."""
    import json

    from certification.credentials import keys

    path = tmp_path / "credential-keys.json"
    path.write_text(json.dumps({"keys": [keys.key_new().as_json()]}))
    return {"CREDENTIAL_KEYS_FILE": str(path)}


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (*UNSET, "CREDENTIAL_KEYS", "CREDENTIAL_KEYS_FILE")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_production_environment_passes_check_deploy_with_nothing_to_report(issuing_key):
    result = check_deploy({**PRODUCTION, **issuing_key})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr
    assert "ERROR" not in result.stderr


def test_env_example_is_that_production_environment(issuing_key):
    # .env.example documents the production variables; with a real secret key it passes too.
    example = {}
    for line in (settings.BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            example[name] = value
    for name, value in PRODUCTION.items():
        if name != "DJANGO_SECRET_KEY":
            assert example.get(name) == value, name
    assert example["DJANGO_DEBUG"] == "0"
    result = check_deploy({**example, **issuing_key, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_the_production_settings_check_deploy_says_what_is_missing():
    result = check_deploy({})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for check in ("glabella.E001", "glabella.W001", "security.W004", "security.W008", "security.W009"):
        assert check in output, check
