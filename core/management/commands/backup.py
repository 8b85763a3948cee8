from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or a copy of the SQLite file) and the "
        "private media (tar) into <BACKUP_DIR>/<UTC time>/ with a manifest of SHA-256 hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, help="Folder to create the backup in (default: BACKUP_DIR).")

    def handle(self, *args, dest=None, **options):
        try:
            folder = backups.create(dest)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backups.read_manifest(folder)
        audit = manifest["audit"]
        self.stdout.write(
            f"Backed up the {manifest['database']['vendor']} database {manifest['database']['name']!r} and "
            f"{manifest['private_media']['files']} private file(s) to {folder}\n"
            f"Audit trail at the backup: {audit['events']} events, head {audit['head'] or '(empty)'}"
        )
        self.stdout.write(str(folder))
