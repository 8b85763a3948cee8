"""Seed the benchmark database for the exam-day scenarios (run by bench/run.py).

One published course with lessons and a written exam (a 40-item blueprint drawn from 72
active single-best-answer items), N trainees each with a verified email and licence, an
active enrolment and every lesson completed, and an OPEN attempt started through
``exams.services.attempt_start`` — so the attempts hold exactly what the app would put
there. No login happens: each trainee gets a database session made here with
``SessionStore`` (the keys ``django.contrib.auth.login`` would write) and a CSRF cookie
value of our choosing; the session keys, attempt ids and option keys go to a JSON file
for bench/load.py.

Usage (environment: DJANGO_SETTINGS_MODULE, DJANGO_SECRET_KEY, DATABASE_URL):
    python bench/seed.py --trainees 200 --out bench/results/tmp/sessions.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import string
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Jurisdiction, Licence, Profession, User  # noqa: E402
from courses.models import Course, Enrolment, Lesson, LessonCompletion, Module  # noqa: E402
from exams import services  # noqa: E402
from exams.models import AttemptItem, ExamSettings, Option, Question, Topic  # noqa: E402

COURSE_CODE = "BENCH-EXAM"
# 40 items: what a real paper of this course looks like (demo bank: ~120-character stems,
# ~60-character options, five options per item, a paragraph of explanation).
BLUEPRINT = {
    "pharmacology": 7,
    "anatomy": 7,
    "assessment": 7,
    "technique": 7,
    "complications": 6,
    "ethics": 6,
}
ITEMS_PER_TOPIC = 12  # 72 active items in the bank
OPTIONS_PER_ITEM = 5
LESSONS = 6
BACKEND = "django.contrib.auth.backends.ModelBackend"
TOKEN_CHARS = string.ascii_letters + string.digits

WORDS = [
    "botulinum",
    "toxin",
    "glabellar",
    "procerus",
    "corrugator",
    "frontalis",
    "orbicularis",
    "oculi",
    "units",
    "reconstitution",
    "saline",
    "diffusion",
    "ptosis",
    "eyelid",
    "brow",
    "injection",
    "depth",
    "aspiration",
    "consent",
    "contraindication",
    "pregnancy",
    "myasthenia",
    "aminoglycoside",
    "antibody",
    "resistance",
    "dilution",
    "vial",
    "storage",
    "refrigeration",
    "lot",
    "expiry",
    "complication",
    "asymmetry",
    "headache",
    "bruising",
    "aftercare",
    "review",
    "documentation",
    "supervision",
    "delegation",
    "licence",
    "jurisdiction",
]


def sentence(rng: random.Random, length: int) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def bank_item_texts(rng: random.Random, topic: str, n: int) -> dict:
    return {
        "stem": f"{Topic(topic).label} {n}: {sentence(rng, 110)}?",
        "options": [sentence(rng, rng.randint(25, 90)) for _ in range(OPTIONS_PER_ITEM)],
        "explanation": sentence(rng, 280) + ".",
    }


def create_bank(course: Course, rng: random.Random, *, topics: dict[str, int], per_topic: int, prefix: str) -> None:
    questions = []
    texts = []
    for topic in topics:
        for n in range(1, per_topic + 1):
            t = bank_item_texts(rng, topic, n)
            texts.append(t)
            questions.append(
                Question(
                    course=course,
                    ref=f"{prefix}-{topic[:3].upper()}-{n:02d}",
                    kind=Question.Kind.SINGLE,
                    topic=topic,
                    difficulty=rng.choice(["easy", "medium", "hard"]),
                    stem=t["stem"],
                    explanation=t["explanation"],
                    status="active",
                )
            )
    Question.objects.bulk_create(questions)
    options = []
    for question, t in zip(questions, texts, strict=True):
        correct = rng.randrange(OPTIONS_PER_ITEM)
        options += [
            Option(question=question, text=text, is_correct=i == correct, position=i)
            for i, text in enumerate(t["options"])
        ]
    Option.objects.bulk_create(options)


def create_course(code: str, title: str) -> Course:
    today = timezone.localdate()
    return Course.objects.create(
        code=code,
        title=title,
        summary="Benchmark course.",
        description="Created by bench/seed.py.",
        accrediting_body="Aesthetic Medicine Accreditation Council",
        accreditation_number=f"AMAC-{code}",
        credit_hours=16,
        accreditation_valid_from=today - datetime.timedelta(days=30),
        accreditation_valid_until=today + datetime.timedelta(days=700),
        eligible_professions=["md", "do", "np", "pa", "rn"],
        capacity=100_000,
        status=Course.Status.PUBLISHED,
    )


def create_trainees(prefix: str, count: int, *, batch: int = 2000) -> list[User]:
    users = [
        User(
            email=f"{prefix}-{i:05d}@glabella.test",
            legal_name=f"Bench Trainee {i:05d}",
            profession=Profession.PHYSICIAN_MD,
            is_trainee=True,
            password=make_password(None),  # unusable: nobody logs in with a password here
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users, batch_size=batch)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=batch
    )
    return users


def session_for(user: User) -> str:
    """What django.contrib.auth.login() stores, without a password check."""
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()

    # pk 1: the administrator who verified the licences (and what /bench/ping/ looks up).
    admin = User(email="bench-admin@glabella.test", legal_name="Bench Administrator", is_trainee=False)
    admin.is_administrator = True
    admin.set_unusable_password()
    admin.save()
    jurisdiction = Jurisdiction.objects.create(
        country="US", region="CA", name="United States — California", certifiable_professions=["md", "do", "np"]
    )

    course = create_course(COURSE_CODE, "Botulinum toxin certification (benchmark)")
    module = Module.objects.create(course=course, title="Foundations", position=1)
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(module=module, title=f"Lesson {i}", body_html=f"<p>{sentence(rng, 400)}</p>", position=i)
            for i in range(1, LESSONS + 1)
        ]
    )
    create_bank(course, rng, topics=BLUEPRINT, per_topic=ITEMS_PER_TOPIC, prefix="EX")
    ExamSettings.objects.create(
        course=course,
        blueprint=BLUEPRINT,
        case_sets_per_attempt=0,
        time_limit_minutes=240,  # far longer than the run: no attempt closes under load
        pass_mark_percent=70,
        attempts_allowed=3,
        wait_hours=24,
        review=ExamSettings.Review.TOPICS,
    )

    trainees = create_trainees("bench-trainee", args.trainees)
    Licence.objects.bulk_create(
        [
            Licence(
                holder=u,
                profession=Profession.PHYSICIAN_MD,
                number=f"BENCH{i:06d}",
                jurisdiction=jurisdiction,
                expires_on=today + datetime.timedelta(days=365),
                document=f"licences/{u.pk}/bench.png",  # never opened during the run
                document_content_type="image/png",
                status=Licence.Status.VERIFIED,
                decided_at=now,
                decided_by=admin,
            )
            for i, u in enumerate(trainees)
        ]
    )
    enrolments = Enrolment.objects.bulk_create([Enrolment(trainee=u, course=course) for u in trainees])
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(enrolment=e, lesson=lesson) for e in enrolments for lesson in lessons]
    )
    seeded = time.perf_counter()

    # The real service: blockers checked, items drawn by the blueprint, options shuffled.
    attempts = [services.attempt_start(trainee=u, enrolment=e) for u, e in zip(trainees, enrolments, strict=True)]
    started_attempts = time.perf_counter()

    keys_by_attempt: dict = {}
    for item in AttemptItem.objects.filter(attempt__in=attempts).order_by("attempt_id", "position"):
        keys_by_attempt.setdefault(item.attempt_id, []).append([o["key"] for o in item.options])

    records = []
    for user, attempt in zip(trainees, attempts, strict=True):
        keys = keys_by_attempt[attempt.pk]
        assert len(keys) == sum(BLUEPRINT.values()), (attempt.pk, len(keys))
        records.append(
            {
                "email": user.email,
                "session": session_for(user),
                "csrf": "".join(rng.choice(TOKEN_CHARS) for _ in range(32)),
                "attempt": str(attempt.pk),
                "keys": keys,  # keys[k - 1]: the option keys of item k, as the trainee sees them
            }
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "course": COURSE_CODE,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "csrf_header": "X-CSRFToken",
                "trainees": records,
            }
        )
    )
    done = time.perf_counter()
    print(
        f"seed: {len(trainees)} trainees, {len(attempts)} open attempts of {sum(BLUEPRINT.values())} items "
        f"(bank {len(BLUEPRINT) * ITEMS_PER_TOPIC}); rows {seeded - started:.1f}s, "
        f"attempt_start {started_attempts - seeded:.1f}s ({1000 * (started_attempts - seeded) / len(trainees):.0f} ms "
        f"each), sessions {done - started_attempts:.1f}s"
    )


if __name__ == "__main__":
    main()
