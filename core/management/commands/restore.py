from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup`: checks its hashes, then replaces "
        "the database and the private media (what was there is kept as *.pre-restore-<time>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")  # fmt: skip

    def handle(self, *args, folder, interactive=True, **options):
        try:
            manifest = backups.read_manifest(folder)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        target = connections["default"].settings_dict["NAME"]
        if interactive:
            answer = input(
                f"Replace the database {str(target)!r} and the private media at {settings.PRIVATE_MEDIA_ROOT} "
                f"with the backup of {manifest['created_at']}? Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(folder)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        head = manifest["audit"]["head"]
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} into {str(target)!r} and {settings.PRIVATE_MEDIA_ROOT}.\n"
            "Next: `python manage.py migrate` if the code is newer than the backup"
            + (f", and `python manage.py audit_verify --head {head}`." if head else ".")
        )
