"""Demo sittings: a venue sitting open now with an invigilator and booked candidates (one
with an accommodation), and a remote sitting next week. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from courses.models import Course

INVIGILATOR = ("examiner (invigilator)", "invigilator@glabella.test", "demo-invigilator-pass")
CANDIDATE = ("trainee, booked on a sitting", "candidate@glabella.test", "demo-candidate-pass")
VENUE = "Riverside Aesthetics Training Clinic, exam room 1"
# Further booked candidates (email, legal name, licence number); the first has 1.5× time.
OTHERS = [
    ("candidate2@glabella.test", "Dr Priya Raman", "S100201"),
    ("candidate3@glabella.test", "Dr Tomás Lindqvist", "S100202"),
]


def _invigilator():
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts import services as account_services
    from accounts.demo import DEMO_TOTP_SECRET
    from accounts.models import User

    _role, email, password = INVIGILATOR
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, legal_name="Dr Sam Adeyemi", profession="md")
        account_services.user_roles_set(
            user=user, actor=None, trainee=False, instructor=False, examiner=True, administrator=False
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def ready_trainee(course: Course, *, email, password, legal_name, licence_number):
    """A trainee through the real services: verified licence, every lesson done."""
    from allauth.account.models import EmailAddress
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts import services as account_services
    from accounts.demo import licence_card_png
    from accounts.models import Jurisdiction, User
    from core.uploads import check_document
    from courses import services as course_services
    from courses.models import Lesson

    trainee = User.objects.create_user(email=email, password=password, legal_name=legal_name, profession="md")
    EmailAddress.objects.create(user=trainee, email=email, verified=True, primary=True)
    admin = User.objects.get(email="admin@glabella.test")
    licence = account_services.licence_submit(
        holder=trainee, profession="md", number=licence_number,
        jurisdiction=Jurisdiction.objects.get(country="US", region="NY"),
        expires_on=timezone.localdate() + datetime.timedelta(days=900), npi="",
        document=check_document(SimpleUploadedFile("licence.png", licence_card_png(legal_name, licence_number))),
    )  # fmt: skip
    account_services.licence_verify(licence_id=licence.pk, actor=admin)
    enrolment = course_services.enrolment_create(trainee=trainee, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson)
    return trainee, enrolment


def today_sitting(course: Course):
    """The demo's venue sitting open now (created by ``seed``)."""
    from exams.models import Sitting

    return Sitting.objects.filter(course=course, venue=VENUE).order_by("-opens_at").first()


def seed(course: Course) -> list[tuple[str, str, str]]:
    """The sittings, the invigilator and the booked candidates; returns their sign-ins."""
    from django.utils import timezone

    from accounts.models import User
    from exams.models import Accommodation, Sitting

    from . import services

    admin = User.objects.get(email="admin@glabella.test")
    invigilator = _invigilator()
    now = timezone.now()
    sitting = today_sitting(course)
    if sitting is None:
        sitting = services.sitting_save(
            sitting=Sitting(course=course, opens_at=now - datetime.timedelta(minutes=30),
                            closes_at=now + datetime.timedelta(hours=8), venue=VENUE, capacity=20),
            invigilators=[invigilator, admin], actor=admin,
        )  # fmt: skip
    if not Sitting.objects.filter(course=course, venue="").exists():
        services.sitting_save(
            sitting=Sitting(course=course, opens_at=now + datetime.timedelta(days=7, hours=1),
                            closes_at=now + datetime.timedelta(days=7, hours=5), capacity=50),
            invigilators=[invigilator], actor=admin,
        )  # fmt: skip
    _role, email, password = CANDIDATE
    if not User.objects.filter(email=email).exists():
        _trainee, enrolment = ready_trainee(
            course, email=email, password=password, legal_name="Dr Jonah Whitfield", licence_number="S100200"
        )
        services.booking_create(sitting=sitting, enrolment=enrolment, actor=admin)
    for index, (other, legal_name, number) in enumerate(OTHERS):
        if User.objects.filter(email=other).exists():
            continue
        _trainee, enrolment = ready_trainee(
            course, email=other, password=password, legal_name=legal_name, licence_number=number
        )
        if index == 0:
            services.accommodation_set(
                accommodation=Accommodation(
                    enrolment=enrolment, time_multiplier=Decimal("1.50"),
                    reason="Dyslexia: assessed by occupational health, 1.5× time agreed.",
                ),
                actor=admin,
            )  # fmt: skip
        booking = services.booking_create(sitting=sitting, enrolment=enrolment, actor=admin)
        if index == 0:  # checked in and writing (with 1.5× time)
            from exams.services.attempts import attempt_start

            services.booking_check_in(booking=booking, identity_confirmed=True, actor=invigilator)
            attempt_start(trainee=enrolment.trainee, enrolment=enrolment)
    return [INVIGILATOR, CANDIDATE]


def sit_written(course: Course, enrolment):
    """Take a demo candidate's written exam the scheduled way: booked on today's sitting,
    checked in by the invigilator, then started (the caller answers and submits)."""
    from accounts.models import User
    from exams.services.attempts import attempt_start

    from . import services

    invigilator = User.objects.get(email=INVIGILATOR[1])
    booking = services.booking_create(sitting=today_sitting(course), enrolment=enrolment, actor=enrolment.trainee)
    services.booking_check_in(booking=booking, identity_confirmed=True, actor=invigilator)
    return attempt_start(trainee=enrolment.trainee, enrolment=enrolment)
