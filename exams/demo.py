"""Demo written exam for BTA-101: the bank in demo_data/question_bank.json and settings."""

import json
from pathlib import Path

from courses.models import Course

from . import bank
from .models import ExamSettings

DATA = Path(__file__).resolve().parent / "demo_data" / "question_bank.json"
BLUEPRINT = {
    "pharmacology": 5,
    "anatomy": 5,
    "assessment": 5,
    "technique": 5,
    "complications": 5,
    "ethics": 5,
}


def seed(course: Course) -> None:
    report = bank.bank_import(course=course, bank=json.loads(DATA.read_text()))
    if not report.ok:
        raise ValueError(f"Demo bank is invalid: {report.errors[:3]}")
    ExamSettings.objects.get_or_create(
        course=course,
        defaults={
            "blueprint": BLUEPRINT,
            "case_sets_per_attempt": 1,
            "time_limit_minutes": 45,
            "pass_mark_percent": 70,  # nosec B105 (a pass mark, not a password)
            "attempts_allowed": 3,
            "wait_hours": 24,
            # A full review, but the answer key only after the candidate's last attempt:
            # retake@glabella.test (one failed attempt, two left) sees topic feedback only.
            "review": ExamSettings.Review.FULL,
            # A certification exam: taken in a booked sitting (sittings.demo seeds them).
            "allow_unscheduled": False,
            "key_release": ExamSettings.KeyRelease.AFTER_LAST_ATTEMPT,
        },
    )


RUBRICS = [
    ("Consultation and consent", 7, [
        ("Confirms identity, indication and the patient's goals", 1, False),
        ("Screens contraindications: neuromuscular disease, pregnancy, infection, allergy", 2, True),
        ("Explains expected effect, onset and duration", 1, False),
        ("Explains risks including ptosis, bruising and asymmetry", 2, True),
        ("Obtains and documents written consent", 2, True),
        ("Checks understanding and invites questions", 1, False),
    ]),
    ("Reconstitution and dose calculation", 6, [
        ("Checks product, lot and expiry", 1, True),
        ("Reconstitutes 100 U with 2.5 mL preservative-free saline without foaming", 2, False),
        ("States 4 U per 0.1 mL and draws up 20 U for the glabella", 2, True),
        ("Labels and stores the vial at 2–8 °C", 1, False),
        ("Documents dilution and lot", 1, False),
    ]),
    ("Injection of the glabellar complex on a model", 9, [
        ("Aseptic preparation", 1, True),
        ("Landmarks procerus and corrugators; stays 1 cm above the orbital rim", 3, True),
        ("Injects 4 U at each of 5 sites at the correct depth", 3, False),
        ("Aftercare advice given", 1, False),
        ("Records units per site on the face chart", 2, False),
    ]),
    ("Complication scenario: eyelid ptosis", 6, [
        ("Recognises eyelid ptosis and distinguishes it from brow ptosis", 2, True),
        ("Explains cause (spread through the orbital septum) and expected course", 2, False),
        ("Offers apraclonidine drops where appropriate; documents and reports", 2, False),
        ("Arranges follow-up", 1, False),
    ]),
]  # fmt: skip


def seed_practical(course: Course) -> None:
    from .models import Criterion, PracticalExam, RubricVersion, Station

    practical, _created = PracticalExam.objects.get_or_create(course=course)
    for position, (title, pass_mark, criteria) in enumerate(RUBRICS, start=1):
        station, _created = Station.objects.get_or_create(
            practical=practical, position=position, defaults={"title": title}
        )
        if not station.versions.exists():
            version = RubricVersion.objects.create(station=station, number=1, pass_mark=pass_mark)
            Criterion.objects.bulk_create(
                [
                    Criterion(rubric=version, position=i, text=text, points=points, critical=critical)
                    for i, (text, points, critical) in enumerate(criteria, start=1)
                ]  # fmt: skip
            )


READY = ("trainee, practical scheduled", "ready@glabella.test", "demo-ready-pass")


def seed_ready_candidate(course: Course) -> tuple[str, str, str]:
    """A second demo trainee who has done everything but the practical, with an
    assessment scheduled for the demo examiner, so the examiner's side can be tried."""
    import datetime

    from django.utils import timezone

    from accounts.models import User

    _role, email, password = READY
    if not User.objects.filter(email=email).exists():
        prepare_candidate(
            course, email=email, password=password, legal_name="Dr Léa Fontaine-Nakamura", licence_number="G445566",
            scheduled_at=timezone.now() + datetime.timedelta(days=7, hours=2),
        )  # fmt: skip
    return READY


def prepare_candidate(course: Course, *, email, password, legal_name, licence_number, scheduled_at):
    """A demo trainee taken through the real services up to a scheduled practical with
    the demo examiner: licence verified, every lesson, ten observed and ten supervised cases, the written
    exam passed. Returns the assessment."""
    import datetime

    from allauth.account.models import EmailAddress
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts import services as account_services
    from accounts.demo import licence_card_png
    from accounts.models import Jurisdiction, User
    from core.uploads import check_document
    from courses import services as course_services
    from courses.demo import seed_observed, seed_sessions
    from courses.models import Lesson

    from .models import Station
    from .practical.services import assessment_schedule
    from .services.answers import attempt_answer
    from .services.attempts import attempt_start, attempt_submit

    trainee = User.objects.create_user(email=email, password=password, legal_name=legal_name, profession="md")
    EmailAddress.objects.create(user=trainee, email=email, verified=True, primary=True)
    admin = User.objects.get(email="admin@glabella.test")
    instructor = User.objects.get(email="instructor@glabella.test")
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
    seed_observed(enrolment=enrolment, instructor=instructor, count=10)
    for _round in range(2):  # ten signed supervised cases covering every required area
        seed_sessions(enrolment=enrolment, instructor=instructor, sign_all=True)
    if course.exam_settings.allow_unscheduled:
        attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    else:
        from .sittings.demo import sit_written

        attempt = sit_written(course, enrolment)
    for item in attempt.items.all():
        attempt_answer(attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=item.correct_keys)
    attempt_submit(attempt=attempt, trainee=trainee)
    return assessment_schedule(
        enrolment=enrolment, scheduled_at=scheduled_at,
        place="Riverside Aesthetics Training Clinic, skills lab 2",
        stations=list(Station.objects.filter(practical__course=course)),
        examiners=[User.objects.get(email="examiner@glabella.test")], actor=admin,
    )  # fmt: skip


def seed_standards(course: Course) -> None:
    """Two Angoff exercises judged by the demo examiner and administrator: a closed one
    with every item rated and Hofstee bounds (its page shows the result and the adopt
    form), and an open one half rated, so that the rating page can be tried."""
    from accounts.models import User

    from .models import AngoffExercise
    from .standards import services as standards

    if AngoffExercise.objects.filter(course=course).exists():
        return
    admin = User.objects.get(email="admin@glabella.test")
    examiner = User.objects.get(email="examiner@glabella.test")
    judges = [examiner, admin]
    closed = standards.angoff_exercise_open(course=course, title="Angoff panel, spring", judges=judges, actor=admin)
    items = list(closed.questions.order_by("ref"))
    # Fixed, plausible estimates: harder items lower, the two judges a few points apart.
    level = {"easy": 80, "medium": 65, "hard": 45}
    for judge, spread in ((examiner, lambda n: (n * 7) % 13 - 3), (admin, lambda n: -((n * 5) % 17) + 4)):
        ratings = {q.pk: level[q.difficulty] + spread(index) for index, q in enumerate(items)}
        standards.angoff_ratings_save(exercise=closed, judge=judge, ratings=ratings)
    standards.hofstee_save(exercise=closed, judge=examiner, min_cut=55, max_cut=75, min_fail=5, max_fail=35)
    standards.hofstee_save(exercise=closed, judge=admin, min_cut=60, max_cut=72, min_fail=10, max_fail=30)
    standards.angoff_exercise_close(exercise=closed, actor=admin)
    opened = standards.angoff_exercise_open(course=course, title="Angoff panel, autumn", judges=judges, actor=admin)
    half = list(opened.questions.order_by("ref"))[: len(items) // 2]
    standards.angoff_ratings_save(exercise=opened, judge=examiner, ratings={q.pk: level[q.difficulty] for q in half})


RETAKE = ("trainee, retaking the exam", "retake@glabella.test", "demo-retake-pass")


def seed_retake_candidate(course: Course) -> tuple[str, str, str]:
    """A demo trainee who failed the first written attempt two days ago, through the real
    services: the result shows the score and feedback by topic but no answer key (two
    attempts are left), and the next attempt (the paged paper) can be started now."""
    import datetime

    from allauth.account.models import EmailAddress
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts import services as account_services
    from accounts.demo import licence_card_png
    from accounts.models import Jurisdiction, User
    from core.uploads import check_document
    from courses import services as course_services
    from courses.models import Lesson

    from .models import Attempt
    from .services.answers import attempt_answer
    from .services.attempts import attempt_start, attempt_submit

    _role, email, password = RETAKE
    if User.objects.filter(email=email).exists():
        return RETAKE
    legal_name, number = "Dr Tomás Okafor-Lindqvist", "R552211"
    trainee = User.objects.create_user(email=email, password=password, legal_name=legal_name, profession="md")
    EmailAddress.objects.create(user=trainee, email=email, verified=True, primary=True)
    admin = User.objects.get(email="admin@glabella.test")
    licence = account_services.licence_submit(
        holder=trainee, profession="md", number=number,
        jurisdiction=Jurisdiction.objects.get(country="US", region="NY"),
        expires_on=timezone.localdate() + datetime.timedelta(days=700), npi="",
        document=check_document(SimpleUploadedFile("licence.png", licence_card_png(legal_name, number))),
    )  # fmt: skip
    account_services.licence_verify(licence_id=licence.pk, actor=admin)
    enrolment = course_services.enrolment_create(trainee=trainee, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson)
    if course.exam_settings.allow_unscheduled:
        attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    else:
        from .sittings.demo import sit_written

        attempt = sit_written(course, enrolment)
    # Right on every other item, and on the complications items: 60 % or so, a fail.
    for item in attempt.items.all():
        if item.position % 2 or item.topic == "complications":
            attempt_answer(attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=item.correct_keys)
        else:
            wrong = [o["key"] for o in item.options if o["key"] not in item.correct_keys][:1]
            attempt_answer(attempt_id=attempt.pk, trainee=trainee, position=item.position, keys=wrong)
    attempt_submit(attempt=attempt, trainee=trainee)
    # Demo only: the attempt moved two days back, past the wait between attempts, so
    # the next one can be started now.
    shift = datetime.timedelta(days=2)
    attempt.refresh_from_db()
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - shift,
        deadline=attempt.deadline - shift,
        submitted_at=attempt.submitted_at - shift,
    )
    return RETAKE
