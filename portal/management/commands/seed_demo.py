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

        # Demo addresses get no mail from seeding (in eager mode; a worker would send it).
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            users = accounts_demo.seed()
            course = courses_demo.seed()
            exams_demo.seed(course)
            exams_demo.seed_practical(course)
            users.append(exams_demo.seed_ready_candidate(course))
            users.append(exams_demo.seed_retake_candidate(course))
            certification_demo.seed_director(course)
            users.append(certification_demo.seed_certified(course))
        self.stdout.write(self.style.SUCCESS("\nDemo data loaded. Sign in at http://127.0.0.1:8000/accounts/login/"))
        width = max(len(email) for _, email, _ in users)
        for roles, email, password in users:
            self.stdout.write(f"  {roles:<30} {email:<{width}}  password: {password}")
        self.stdout.write(
            "\n  Administrators and examiners use a second factor. Demo TOTP secret: "
            f"{accounts_demo.DEMO_TOTP_SECRET}\n"
            "  (add it to an authenticator app, or run `make totp` for the current code)\n"
        )
