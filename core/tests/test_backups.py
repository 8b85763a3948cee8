"""Restore drills: a scratch database and private media folder are seeded (users, a
licence with its scan, audit events), backed up with `manage.py backup` (what `make backup`
runs), thrown away, and restored with `manage.py restore` into a fresh database and
folder; every table's row count and every file's hash must come back, and so must the
audit chain up to the head the backup recorded."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

SEED = """
from django.core.files.base import ContentFile
from accounts.tests.factories import LicenceFactory, TraineeFactory
from core.services import audit_record

trainee = TraineeFactory(email="drill@example.com", legal_name="Drill Trainee")
scan = LicenceFactory(holder=trainee)
pdf = LicenceFactory(holder=TraineeFactory(email="drill2@example.com"), document_content_type="application/pdf",
                     document=ContentFile(b"%PDF-1.7\\n% a licence scan\\n" * 50, name="scan.pdf"))
for n in range(3):
    audit_record(actor=trainee, action="drill.event", obj=scan, summary=f"drill {n}", details={"n": n})
"""
COUNTS = """
import json
from django.db import connection
with connection.cursor() as cursor:
    counts = {}
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""
AFTER = """
from accounts.models import User
from core.services import audit_record
audit_record(actor=None, action="drill.after", obj=User.objects.get(email="drill@example.com"), summary="after")
"""


def counts_of(database_url: str, media: Path) -> dict[str, int]:
    return json.loads(manage("shell", "-v", "0", "-c", COUNTS, database_url=database_url, media=media).stdout)


def manage(*args: str, database_url: str, media: Path, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", DATABASE_URL=database_url,
               DATABASE_CONN_MAX_AGE="0", PRIVATE_MEDIA_ROOT=str(media),
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args[:2])}: {result.stdout}\n{result.stderr}"
    return result


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def drill(tmp_path: Path, source_url: str, target_url: str, drop_source) -> dict:
    media_a, media_b = tmp_path / "private-a", tmp_path / "private-b"
    manage("migrate", "--noinput", database_url=source_url, media=media_a)
    manage("shell", "-c", SEED, database_url=source_url, media=media_a)
    counts = counts_of(source_url, media_a)
    hashes = file_hashes(media_a)
    assert counts["accounts_licence"] == 2
    assert counts["core_auditevent"] >= 3
    assert len(hashes) == 2

    backups = tmp_path / "backups"
    out = manage("backup", "--dest", str(backups), database_url=source_url, media=media_a).stdout
    folder = Path(out.strip().splitlines()[-1])
    assert folder.parent == backups
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["private_media"]["files"] == 2
    assert manifest["audit"]["events"] == counts["core_auditevent"]
    # Licence scans are in there: owner-only.
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}

    drop_source()
    for path in sorted(media_a.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    media_a.rmdir()

    restored = manage("restore", "--noinput", str(folder), database_url=target_url, media=media_b)
    assert f"audit_verify --head {manifest['audit']['head']}" in restored.stdout
    assert counts_of(target_url, media_b) == counts
    assert file_hashes(media_b) == hashes
    head = manage("audit_verify", "--head", manifest["audit"]["head"], database_url=target_url, media=media_b)
    assert head.stdout.startswith(f"Audit trail intact: {counts['core_auditevent']} events")
    # The restored site carries on: sequences and the chain go on from where they were.
    manage("shell", "-c", AFTER, database_url=target_url, media=media_b)
    verify = manage("audit_verify", database_url=target_url, media=media_b).stdout
    assert verify.startswith(f"Audit trail intact: {counts['core_auditevent'] + 1} events")
    return {"folder": folder, "media": media_b, "manifest": manifest}


def test_sqlite_backup_and_restore_drill(tmp_path):
    source, target = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    result = drill(tmp_path, f"sqlite:///{source}", f"sqlite:///{target}", source.unlink)
    assert result["manifest"]["database"]["file"] == "database.sqlite3"


@pytest.fixture
def scratch_databases(postgres):
    """Two empty scratch databases on the test PostgreSQL server, dropped afterwards."""
    import psycopg2

    db = connection.settings_dict
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
              "password": db["PASSWORD"] or None, "dbname": "postgres"}  # fmt: skip
    names = [f"glabella_drill_{uuid.uuid4().hex[:10]}_{side}" for side in "ab"]

    def execute(sql):
        admin = psycopg2.connect(**server)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql)
        finally:
            admin.close()

    for name in names:
        execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    urls = [f"postgres://{db['USER']}{password}@{server['host']}:{server['port']}/{name}" for name in names]
    try:
        yield urls, lambda name: execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'), names
    finally:
        for name in names:
            execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgresql_backup_and_restore_drill(tmp_path, scratch_databases):
    (source, target), drop, names = scratch_databases
    result = drill(tmp_path, source, target, lambda: drop(names[0]))
    assert result["manifest"]["database"]["file"] == "database.dump"
    assert (result["folder"] / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    # The append-only trigger came back with the data.
    probe = "from django.db import connection\nconnection.cursor().execute(\"UPDATE core_auditevent SET summary='x'\")"
    refused = manage("shell", "-c", probe, database_url=target, media=result["media"], check=False)
    assert refused.returncode != 0
    assert "append-only" in refused.stderr


def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path):
    source = tmp_path / "a.sqlite3"
    media = tmp_path / "private"
    (media / "licences").mkdir(parents=True)
    (media / "licences" / "scan.png").write_bytes(b"scan")
    manage("migrate", "--noinput", database_url=f"sqlite:///{source}", media=media)
    out = manage("backup", "--dest", str(tmp_path / "backups"), database_url=f"sqlite:///{source}", media=media)
    folder = Path(out.stdout.strip().splitlines()[-1])
    archive = folder / "private-media.tar.gz"
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    before = source.read_bytes()
    result = manage("restore", "--noinput", str(folder), database_url=f"sqlite:///{source}", media=media, check=False)
    assert result.returncode == 1
    assert "private-media.tar.gz does not match its SHA-256 in the manifest" in result.stderr
    assert source.read_bytes() == before
    assert (media / "licences" / "scan.png").read_bytes() == b"scan"
    assert not list(tmp_path.glob("*.pre-restore-*"))


def test_make_backup_and_restore_run_the_commands():
    def dry_run(*args):
        return subprocess.run(["make", "-n", *args], cwd=settings.BASE_DIR, capture_output=True, text=True).stdout

    assert "manage.py backup" in dry_run("backup")
    assert 'manage.py backup --dest "/srv/b"' in dry_run("backup", "DEST=/srv/b")
    assert 'manage.py restore "var/backups/x"' in dry_run("restore", "BACKUP=var/backups/x")
