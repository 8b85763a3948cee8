from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.pdf_signing import self_signed_files


class Command(BaseCommand):
    help = (
        "Write a new key and a self-signed certificate for signing certificate PDFs to a folder "
        "(pdf-signing.key, pdf-signing.crt) and print the settings that use them. For the demo and "
        "for trying signing out; in production use a certificate from a CA that PDF readers trust."
    )

    # Makes a key before the rest of the first run exists: the checks would only warn of that.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("folder", help="where to write the files (outside the web root)")
        parser.add_argument("--common-name", default="Glabella", help="the signer's name readers show")
        parser.add_argument("--days", type=int, default=825, help="validity of the certificate")
        parser.add_argument("--if-missing", action="store_true", help="do nothing if the files exist")

    def handle(self, *args, folder, common_name, days, if_missing, **options):
        target = Path(folder)
        existing = [p for p in (target / "pdf-signing.key", target / "pdf-signing.crt") if p.exists()]
        if existing and if_missing:
            return
        if existing:
            raise CommandError(f"{existing[0]} exists; a key is never overwritten. Choose another folder.")
        key_file, cert_file = self_signed_files(target, common_name=common_name, days=days)
        self.stdout.write(f"PDF_SIGNING_KEY_FILE={key_file.resolve()}\nPDF_SIGNING_CERT_FILE={cert_file.resolve()}")
