"""manage.py credential_keys generate|rotate|revoke KEYID|list|backfill (README: Signed
credentials)."""

from django.core.management.base import BaseCommand, CommandError

from certification.credentials import keys, services
from certification.credentials.did import issuer_did


class Command(BaseCommand):
    help = "Manage the Ed25519 keys that sign certificates' Open Badges credentials."
    # The system checks would warn that no key is active: what ``generate`` is run to fix.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Make the first active key.")
        generate.add_argument(
            "--if-missing", action="store_true", help="Do nothing if an active key exists (for make run)."
        )
        sub.add_parser("rotate", help="New active key; the old one is retired but stays published.")
        revoke = sub.add_parser("revoke", help="Unpublish a key: what it signed stops verifying.")
        revoke.add_argument("key_id")
        sub.add_parser("list", help="The keys, their status and where they come from.")
        sub.add_parser("backfill", help="Sign the stored credential of issued certificates that have none.")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except keys.KeyStoreError as error:
            raise CommandError(str(error)) from error

    def _generate(self, *, if_missing=False, **options):
        if if_missing and any(key.status == keys.ACTIVE and key.secret_multibase for key in keys.key_list()):
            self.stdout.write("An active issuing key exists; nothing to do.")
            return
        key = services.key_generate()
        self.stdout.write(self.style.SUCCESS(f"Generated issuing key {key.id} in {keys.source()}."))

    def _rotate(self, **options):
        key, retired = services.key_rotate()
        self.stdout.write(self.style.SUCCESS(f"Issuing key {key.id} is now active."))
        if retired:
            self.stdout.write(f"Retired (still published, so their credentials verify): {', '.join(retired)}")

    def _revoke(self, *, key_id, **options):
        services.key_revoke(key_id=key_id)
        self.stdout.write(self.style.WARNING(f"Key {key_id} revoked: every credential it signed no longer verifies."))
        if not any(key.status == keys.ACTIVE for key in keys.key_list()):
            self.stdout.write(self.style.WARNING("No active key is left: run `credential_keys rotate` to issue again."))

    def _list(self, **options):
        self.stdout.write(f"Issuer {issuer_did()}; keys from {keys.source() or 'nowhere (not configured)'}")
        for key in keys.key_list():
            self.stdout.write(f"  {key.id:<24} {key.status:<8} created {key.created}  {key.public_multibase}")

    def _backfill(self, **options):
        count = services.credentials_backfill()
        self.stdout.write(self.style.SUCCESS(f"Signed {count} certificate credential(s)."))
