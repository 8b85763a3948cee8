from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo users' sign-in details."

    def handle(self, *args, **options):
        from accounts import demo as accounts_demo
        from certification import demo as certification_demo
        from courses import demo as courses_demo
        from exams import demo as exams_demo
        from exams.sittings import demo as sittings_demo

        # The certified trainee's certificate is signed when rendered: a development key
        # first (production keys are made deliberately, README: Signed credentials).
        self.stdout.write(certification_demo.seed_issuing_key())

        # Demo addresses get no mail from seeding (in eager mode; a worker would send it).
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            users = accounts_demo.seed()
            course = courses_demo.seed()
            exams_demo.seed(course)
            exams_demo.seed_practical(course)
            users += sittings_demo.seed(course)
            users.append(exams_demo.seed_ready_candidate(course))
            users.append(exams_demo.seed_retake_candidate(course))
            certification_demo.seed_director(course)
            users.append(certification_demo.seed_certified(course))
            exams_demo.seed_standards(course)
            users.append(certification_demo.seed_reissued(course))
            # Last: every other demo enrolment above was made before the course had runs.
            courses_demo.seed_runs(course)
            api_key, code = certification_demo.seed_api_key()
        # Certificates from an older demo database, issued before credentials were signed.
        certification_demo.seed_backfill_credentials()
        self.stdout.write(self.style.SUCCESS(f"\nDemo data loaded. Sign in at {settings.SITE_URL}/accounts/login/"))
        width = max(len(email) for _, email, _ in users)
        for roles, email, password in users:
            self.stdout.write(f"  {roles:<30} {email:<{width}}  password: {password}")
        self.stdout.write(
            "\n  Administrators and examiners use a second factor. Demo TOTP secret: "
            f"{accounts_demo.DEMO_TOTP_SECRET}\n"
            "  (add it to an authenticator app, or run `make totp` for the current code)\n"
        )
        self.stdout.write(
            "  Status lists (public, what verifiers fetch): "
            f"{settings.SITE_URL}/credentials/status/1/revocation and …/1/suspension\n"
            f"  Verification API key of the demo employer ({certification_demo.DEMO_API_ORGANISATION}):\n"
            f"    {api_key}\n"
            f"  curl -H 'Authorization: Bearer {api_key}' {settings.SITE_URL}/api/v1/verify/{code or '<code>'}\n"
        )
