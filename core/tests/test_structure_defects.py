"""Defects fixed in core and config during the restructuring (issue 14): the ASGI entry
point served with a throwaway secret key, messages translated at use instead of where
they are defined; and guards that no runtime SQL names a table by hand and no service
of accounts, certification or core answers with Http404."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from config.serving import MSG_THROWAWAY_KEY, refuse_throwaway_secret_key
from core import middleware, uploads

ROOT = Path(__file__).resolve().parents[2]
OWN_APPS = ("accounts", "certification", "core", "config", "portal")


def python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **env_overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("entry_point", ["config.asgi", "config.wsgi"])
def test_neither_entry_point_serves_with_a_throwaway_secret_key(entry_point):
    refused = python(f"import {entry_point}")
    assert refused.returncode != 0
    assert MSG_THROWAWAY_KEY in refused.stderr
    served = python(f"import {entry_point}", DJANGO_SECRET_KEY="a-real-secret-key-0123456789-abcdefghijklmnopqrstuv")
    assert served.returncode == 0, served.stderr


def test_the_refusal_is_one_function(settings):
    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = False, False
    with pytest.raises(ImproperlyConfigured, match="Set DJANGO_SECRET_KEY"):
        refuse_throwaway_secret_key()
    settings.SECRET_KEY_FROM_ENVIRONMENT = True
    refuse_throwaway_secret_key()
    settings.DEBUG, settings.SECRET_KEY_FROM_ENVIRONMENT = True, False
    refuse_throwaway_secret_key()
    for entry_point in ("asgi.py", "wsgi.py"):
        assert "refuse_throwaway_secret_key()" in (ROOT / "config" / entry_point).read_text()


def test_core_message_constants_are_lazy_translations_with_their_texts():
    constants = {
        f"{m.__name__}.{name}": getattr(m, name)
        for m in (uploads, middleware)
        for name in dir(m)
        if name.startswith("MSG_")
    }
    assert len(constants) >= 9
    assert [name for name, value in constants.items() if not isinstance(value, Promise)] == []
    assert str(uploads.MSG_TOO_LARGE).format(size="11 MB", limit="10 MB") == "The file is 11 MB; the limit is 10 MB."


def runtime_modules(app: str) -> list[Path]:
    skipped = {"tests", "migrations", "__pycache__"}
    return [p for p in sorted((ROOT / app).rglob("*.py")) if not skipped.intersection(p.relative_to(ROOT).parts)]


def test_no_runtime_string_names_a_table():
    """SQL in runtime code takes table names from ``Model._meta.db_table``."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    found = []
    for app in OWN_APPS:
        for path in runtime_modules(app):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    words = set(node.value.replace('"', " ").replace(",", " ").split())
                    found += [f"{path.relative_to(ROOT)}: {table}" for table in sorted(words & tables)]
    assert found == []


def test_no_service_answers_with_http404():
    """Services raise ValidationError, PermissionDenied or a domain exception; 404s come
    from the selectors' get_<entity>_for."""
    services = [
        path
        for app in OWN_APPS
        for path in runtime_modules(app)
        if path.name == "services.py" or path.parent.name == "services"
    ]
    assert any(path.parent.name == "services" for path in services)
    assert [str(p.relative_to(ROOT)) for p in services if "Http404" in p.read_text()] == []
