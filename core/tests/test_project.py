import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    # Exits non-zero when a model change has no migration (or a migration bakes in a
    # machine-specific value such as an absolute storage path).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _python(code: str, **env_overrides):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **env_overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_the_site_will_not_serve_without_a_secret_key():
    result = _python("import config.wsgi")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY: Glabella will not serve with a throwaway key." in result.stderr
    result = _python("import config.wsgi", DJANGO_SECRET_KEY="a-real-secret-key-0123456789-abcdefghijklmnopqrstuv")
    assert result.returncode == 0, result.stderr


def test_deploy_check_reports_a_missing_secret_key():
    result = _python("import django; django.setup(); from django.core.management import call_command; "
                     "call_command('check', '--deploy')")  # fmt: skip
    assert "glabella.E001" in result.stderr + result.stdout


def test_with_redis_sessions_are_read_from_the_cache_and_kept_in_the_database():
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    with_redis = _python(f"import django; django.setup(); {code}", REDIS_URL="redis://127.0.0.1:6379/9")
    assert with_redis.stdout.strip() == "django.contrib.sessions.backends.cached_db", with_redis.stderr
    without = _python(f"import django; django.setup(); {code}", REDIS_URL="")
    assert without.stdout.strip() == "django.contrib.sessions.backends.db", without.stderr
