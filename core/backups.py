"""Backups of what cannot be rebuilt: the database and the private media (licence scans,
certificates, signatures). ``manage.py backup`` / ``manage.py restore`` (and ``make backup``
/ ``make restore``) call these.

A backup is one folder, ``<BACKUP_DIR>/<UTC time>/``, readable by its owner only:

- ``database.dump``: ``pg_dump --format=custom`` on PostgreSQL, or ``database.sqlite3``:
  an online copy made with SQLite's backup API;
- ``private-media.tar.gz``: every private file (``core.storage``), read through the storage:
  the PRIVATE_MEDIA_ROOT folder, or the objects of the bucket (under its key prefix) when
  the files are on S3-compatible object storage;
- ``manifest.json``: what is in it, SHA-256 of each file, and the audit trail's event
  count and head hash when the backup began (so ``audit_verify --head`` after a restore
  proves no event of the backup was lost).

Restoring checks the hashes first, then replaces the database (``pg_restore --clean
--single-transaction``; or the SQLite file) and the private media. What was there is kept
beside it as ``*.pre-restore-<time>`` (SQLite file, media folder) for the operator to
remove. On object storage every file of the backup is written back under its own key;
objects that are not in the backup are left in the bucket (no record refers to them), and
what a restore overwrote is kept only if the bucket has versioning on. The archive has the
same layout for both, so a backup taken on disk restores into a bucket and back.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 (pg_dump / pg_restore with argument lists, no shell)
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "private-media.tar.gz"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database() -> tuple[str, dict]:
    connection = connections["default"]
    return connection.vendor, connection.settings_dict


def _pg_environment(db: dict) -> dict[str, str]:
    """libpq's own variables, so that no password is ever on a command line."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    # Fixed argument lists (pg_dump / pg_restore, our paths and database name), never a shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def _audit_state() -> dict:
    from .models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return {"events": AuditEvent.objects.count(), "head": last or ""}


def create(dest_root: Path | None = None) -> Path:
    """Write a backup folder and return it."""
    vendor, db = _database()
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"No backup for a {vendor} database.")
    root = Path(dest_root or settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = _stamp()
    folder = root / stamp
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = root / f"{stamp}-{suffix}"
    old_umask = os.umask(0o077)
    try:
        folder.mkdir(mode=0o700)
        # Before the dump: the events are append-only, so all of these are in it.
        audit = _audit_state()
        if vendor == "postgresql":
            database_file = folder / PG_DUMP
            _run(["pg_dump", "--format=custom", "--file", str(database_file), "--dbname", db["NAME"]],
                 _pg_environment(db))  # fmt: skip
        else:
            database_file = folder / SQLITE_COPY
            connections["default"].close()
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(database_file))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        media_files = media_archive(folder / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "name": str(db["NAME"]), "file": database_file.name},
            "private_media": {"root": media_location(), "file": MEDIA_ARCHIVE, "files": media_files},
            "audit": audit,
            "sha256": {name: _sha256(folder / name) for name in (database_file.name, MEDIA_ARCHIVE)},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    return folder


def read_manifest(folder: Path) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup folder.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, expected in manifest["sha256"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {folder}.")
        if _sha256(path) != expected:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the backup is damaged.")
    return manifest


def restore(folder: Path) -> dict:
    """Replace the database and the private media with the backup in ``folder``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    vendor, db = _database()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"The backup is of a {manifest['database']['vendor']} database; this site uses {vendor}.")
    stamp = _stamp()
    connections.close_all()
    database_file = folder / manifest["database"]["file"]
    if vendor == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
              "--exit-on-error", "--dbname", db["NAME"], str(database_file)], _pg_environment(db))  # fmt: skip
    else:
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = target.with_name(f"{target.name}.restoring-{stamp}")
        shutil.copyfile(database_file, incoming)
        if target.exists():
            target.rename(target.with_name(f"{target.name}.pre-restore-{stamp}"))
        incoming.replace(target)

    media_restore(folder / manifest["private_media"]["file"], stamp=stamp)
    return manifest


def media_location() -> str:
    """Where the private files are, for the manifest and the operator."""
    if settings.PRIVATE_STORAGE_BACKEND == "s3":
        options = settings.PRIVATE_S3_OPTIONS
        return f"s3://{options['bucket_name']}/{options['location']}"
    return str(settings.PRIVATE_MEDIA_ROOT)


def media_archive(path: Path) -> int:
    """Write every private file into a tar.gz at ``path``; return how many."""
    from .storage import private_files, private_storage

    count = 0
    with tarfile.open(path, "w:gz") as archive:
        if settings.PRIVATE_STORAGE_BACKEND == "s3":
            for name in private_files():
                with private_storage.open(name, "rb") as handle:
                    info = tarfile.TarInfo(name)
                    info.size = handle.size
                    info.mode = 0o600
                    archive.addfile(info, handle)
                count += 1
            return count
        media_root = Path(settings.PRIVATE_MEDIA_ROOT)
        if media_root.is_dir():
            for file in sorted(media_root.rglob("*")):
                if file.is_file() and not file.is_symlink():
                    archive.add(file, arcname=str(file.relative_to(media_root)), recursive=False)
                    count += 1
    return count


def media_restore(path: Path, *, stamp: str) -> None:
    """Put the files of the archive at ``path`` back into private storage."""
    if settings.PRIVATE_STORAGE_BACKEND == "s3":
        _media_restore_to_bucket(path)
        return
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    incoming = media_root.with_name(f"{media_root.name}.restoring-{stamp}")
    incoming.mkdir(mode=0o700)
    with tarfile.open(path, "r:gz") as archive:
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        archive.extractall(incoming, filter="data")  # nosec B202 (filtered)
    if media_root.exists():
        media_root.rename(media_root.with_name(f"{media_root.name}.pre-restore-{stamp}"))
    incoming.rename(media_root)


def _media_restore_to_bucket(path: Path) -> None:
    from django.core.files import File

    from .storage import private_storage

    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            # The same refusals as extracting to disk: absolute paths, "..", links, devices.
            try:
                member = tarfile.data_filter(member, "/restore")
            except tarfile.FilterError as error:
                raise BackupError(f"The media archive holds {member.name!r}, which is refused: {error}") from None
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            # Under its own key: the storage would give a taken name a suffix.
            private_storage.delete(member.name)
            saved = private_storage.save(member.name, File(handle, name=member.name))
            if saved != member.name:
                raise BackupError(f"{member.name} was restored as {saved}: another process wrote it meanwhile.")
