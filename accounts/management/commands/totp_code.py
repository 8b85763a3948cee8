import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current TOTP code for the demo secret (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only available with DJANGO_DEBUG=1.")
        from accounts.demo import DEMO_TOTP_SECRET

        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
