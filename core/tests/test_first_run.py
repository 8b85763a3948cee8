"""`make run` with a DATABASE_URL whose database does not exist yet: created when the
role may, otherwise the one command that does it is printed (never a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection


def _manage(*args, database_url: str):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _url(user: str, name: str) -> str:
    params = connection.settings_dict
    return f"postgres://{user}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_a_missing_postgresql_database_is_created_then_left_alone(postgres):
    name = f"glabella_first_{uuid.uuid4().hex[:8]}"
    url = _url(connection.settings_dict["USER"] or "postgres", name)
    try:
        first = _manage("ensure_database", database_url=url)
        assert first.returncode == 0, first.stderr
        assert f'Created the PostgreSQL database "{name}".' in first.stdout
        second = _manage("ensure_database", database_url=url)
        assert second.returncode == 0
        assert second.stdout == ""
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_a_role_that_may_not_create_it_is_told_the_command(postgres):
    role = f"glabella_nocreate_{uuid.uuid4().hex[:6]}"
    name = f"glabella_missing_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    try:
        result = _manage("ensure_database", database_url=_url(role, name))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert f'The database "{name}" does not exist and could not be created' in result.stderr
        assert "createdb -h " in result.stderr
        assert f"-U {role} {name}" in result.stderr
    finally:
        _admin(f'DROP ROLE IF EXISTS "{role}"')


def test_sqlite_gets_its_folder(tmp_path):
    target = tmp_path / "new" / "folder" / "db.sqlite3"
    result = _manage("ensure_database", database_url=f"sqlite:///{target}")
    assert result.returncode == 0, result.stderr
    assert target.parent.is_dir()
