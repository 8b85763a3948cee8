"""Seed the benchmark database for the exam-day scenarios (run by bench/run.py).

One published course with lessons and a written exam (a 40-item blueprint drawn from 72
active single-best-answer items), and three groups of trainees, each with a verified
email and licence, an active enrolment and every lesson completed:

- ``--trainees`` (200) with an OPEN attempt started through ``exams.services.attempts.attempt_start``
  (so those attempts hold exactly what the app would put there): the saturation and
  fixed-rate scenarios;
- ``--storm`` (300) with no attempt yet, booked and checked in on a venue sitting open now
  whose papers are drawn here, before the run (``exams.sittings.services``, as the beat task
  draws them before a sitting opens): the start storm starts theirs through the real
  start-attempt URL, which then only opens the pre-drawn paper;
- ``--mix`` (11,600 for ``make bench``: its largest mix step, 10,000, and fresh trainees for
  those who submit) with an OPEN attempt written in bulk (below): the exam-day mix.

No login happens: each trainee gets a database session (the keys
``django.contrib.auth.login`` would write; the rows bulk-inserted) and a CSRF cookie
value of our choosing; the session keys, attempt ids and option keys go to a JSON file
for bench/load.py.

The mix's attempts are too many for ``attempt_start`` in the time ``make bench`` has (it
costs ~15–40 ms each: three to eight minutes for 11,600), so they are written here with the
shape it gives them: attempt number 1, started now, the settings' deadline, pass mark and review;
the blueprint's items drawn per topic from the active bank and shuffled, each option list
shuffled and snapshotted as ``[{"key": "<option id>", "text": ...}]`` with the sorted
correct keys, stem, topic, kind and explanation (items with COPY). A check after the
bulk insert compares one such attempt with one ``attempt_start`` made, column by column.

Usage (environment: DJANGO_SETTINGS_MODULE, DJANGO_SECRET_KEY, DATABASE_URL):
    python bench/seed.py --trainees 200 --storm 300 --mix 11600 --out bench/results/tmp/sessions.json
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import itertools
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
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import Jurisdiction, Licence, Profession, User  # noqa: E402
from courses.models import Course, Enrolment, Lesson, LessonCompletion, Module  # noqa: E402
from exams.models import Attempt, Booking, ExamSettings, Option, Question, Sitting, Topic  # noqa: E402
from exams.option_tokens import option_token  # noqa: E402
from exams.services import attempts as services  # noqa: E402
from exams.sittings import services as sitting_services  # noqa: E402

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


def sessions_for(users: list[User], rng: random.Random) -> list[tuple[str, str]]:
    """(session key, CSRF value) per user: what django.contrib.auth.login() stores in the
    session, without a password check; the session rows inserted in one statement."""
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, pairs = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")  # SessionStore's alphabet
        data = {
            SESSION_KEY: user._meta.pk.value_to_string(user),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        pairs.append((key, "".join(rng.choice(TOKEN_CHARS) for _ in range(32))))
    Session.objects.bulk_create(rows, batch_size=2000)
    return pairs


def eligible_trainees(prefix: str, count: int, *, course: Course, lessons, jurisdiction, admin: User):
    """Trainees who may start the exam now: verified email and licence, an active
    enrolment, every lesson completed. Returns (users, enrolments)."""
    now, today = timezone.now(), timezone.localdate()
    trainees = create_trainees(prefix, count)
    Licence.objects.bulk_create(
        [
            Licence(
                holder=u,
                profession=Profession.PHYSICIAN_MD,
                number=f"{prefix.upper()}{i:06d}",
                jurisdiction=jurisdiction,
                expires_on=today + datetime.timedelta(days=365),
                document=f"licences/{u.pk}/bench.png",  # never opened during the run
                document_content_type="image/png",
                status=Licence.Status.VERIFIED,
                decided_at=now,
                decided_by=admin,
            )
            for i, u in enumerate(trainees)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create([Enrolment(trainee=u, course=course) for u in trainees], batch_size=2000)
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(enrolment=e, lesson=lesson) for e in enrolments for lesson in lessons], batch_size=5000
    )
    return trainees, enrolments


# The mix's attempts, then their items drawn by the server (random() is good enough for a
# benchmark; attempt_start draws with secrets.SystemRandom): per attempt the blueprint's
# count of active standalone items per topic, shuffled; each item's options in one of
# their 120 orders, the snapshots made beforehand (a temporary table) as attempt_start
# would write them.
_BULK_ATTEMPTS_SQL = """
INSERT INTO exams_attempt (id, enrolment_id, number, status, started_at, deadline, closed_by_deadline,
                           pass_mark_percent, review, max_score, topic_breakdown)
SELECT gen_random_uuid(), e.id, 1, 'open', %(now)s, %(deadline)s, false, %(pass_mark)s, %(review)s, %(items)s, '{}'
FROM courses_enrolment e WHERE e.id = ANY(%(enrolments)s::uuid[])
RETURNING id
"""
_BULK_ITEMS_SQL = """
WITH need AS (SELECT key AS topic, value::int AS n FROM jsonb_each_text(%(blueprint)s::jsonb)),
drawn AS (
  SELECT a.id AS attempt_id, q.id AS question_id, need.n,
         row_number() OVER (PARTITION BY a.id, q.topic ORDER BY random()) AS rn
  FROM exams_attempt a
  CROSS JOIN exams_question q
  JOIN need ON need.topic = q.topic
  WHERE a.id = ANY(%(attempts)s::uuid[]) AND q.course_id = %(course)s AND q.status = 'active'
    AND q.case_set_id IS NULL
),
chosen AS (
  SELECT attempt_id, question_id, row_number() OVER (PARTITION BY attempt_id ORDER BY random()) AS position,
         floor(random() * %(orders)s)::int AS form
  FROM drawn WHERE rn <= n
)
INSERT INTO exams_attemptitem (attempt_id, position, question_id, topic, kind, stem, case_title, case_vignette,
                               options, correct_keys, explanation, response, flagged, answered_at, is_correct)
SELECT c.attempt_id, c.position, q.id, q.topic, q.kind, q.stem, '', '', f.options, f.correct_keys,
       q.explanation, '[]'::jsonb, false, NULL, NULL
FROM chosen c
JOIN exams_question q ON q.id = c.question_id
JOIN bench_forms f ON f.question_id = c.question_id AND f.form = c.form
"""


def bulk_open_attempts(enrolments, *, settings_: ExamSettings) -> list:
    """Open attempts as ``attempt_start`` makes them (see the module's docstring), written
    by two INSERT … SELECT statements: their ids."""
    questions = Question.objects.filter(course_id=settings_.course_id, status="active", case_set__isnull=True)
    forms = io.StringIO()
    writer = csv.writer(forms, lineterminator="\n")
    orders = None  # the orders every item has (120 for five options)
    for question in questions.prefetch_related("options"):
        options = list(question.options.all())
        correct = json.dumps(sorted(str(o.pk) for o in options if o.is_correct))
        snapshots = [
            json.dumps([{"key": str(o.pk), "text": o.text} for o in order]) for order in itertools.permutations(options)
        ]
        writer.writerows([question.pk, form, snapshot, correct] for form, snapshot in enumerate(snapshots))
        orders = len(snapshots) if orders is None else min(orders, len(snapshots))
    forms.seek(0)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_forms (question_id int, form int, options jsonb, correct_keys jsonb,"
            " PRIMARY KEY (question_id, form))"
        )
        cursor.copy_expert("COPY bench_forms FROM STDIN WITH (FORMAT csv)", forms)
        cursor.execute("ANALYZE bench_forms")
        cursor.execute(
            _BULK_ATTEMPTS_SQL,
            {
                "now": now,
                "deadline": now + datetime.timedelta(minutes=settings_.time_limit_minutes),
                "pass_mark": settings_.pass_mark_percent,
                "review": settings_.review,
                "items": sum(int(n) for n in settings_.blueprint.values()),
                "enrolments": [str(e.pk) for e in enrolments],
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
        params = {"blueprint": json.dumps(settings_.blueprint), "course": settings_.course_id, "orders": orders}
        cursor.execute(_BULK_ITEMS_SQL, params | {"attempts": [str(i) for i in ids]})
        cursor.execute("DROP TABLE bench_forms")
    return ids


def check_same_shape(service_attempt: Attempt, bulk_attempt: Attempt) -> None:
    """The bulk attempt holds what attempt_start would have put there: the same columns
    set (ids, times and the draw aside), items with the same kinds of values."""
    same = ("number", "status", "pass_mark_percent", "review", "max_score", "score", "percent", "passed")
    for name in (*same, "submitted_at", "closed_by_deadline", "topic_breakdown"):
        a, b = getattr(service_attempt, name), getattr(bulk_attempt, name)
        assert a == b, (name, a, b)
    assert service_attempt.deadline - service_attempt.started_at == bulk_attempt.deadline - bulk_attempt.started_at
    a_items, b_items = (list(x.items.order_by("position")) for x in (service_attempt, bulk_attempt))
    assert len(a_items) == len(b_items)
    assert sorted(i.topic for i in a_items) == sorted(i.topic for i in b_items)
    for a, b in zip(a_items, b_items, strict=True):
        for name in ("kind", "case_title", "case_vignette", "response", "flagged", "answered_at", "is_correct"):
            assert getattr(a, name) == getattr(b, name), (name, getattr(a, name), getattr(b, name))
        assert [set(o) for o in a.options] == [set(o) for o in b.options]
        assert len(b.correct_keys) == 1
        assert set(b.correct_keys) <= {o["key"] for o in b.options}
        question = b.question
        assert (b.stem, b.explanation, b.topic) == (question.stem, question.explanation, question.topic)
        assert sorted(o["key"] for o in b.options) == sorted(
            str(pk) for pk in question.options.values_list("pk", flat=True)
        )


def option_keys(attempt_ids) -> dict:
    """keys[attempt id][k - 1]: the option keys of item k as the trainee's page names them
    (exams.option_tokens, under the run's secret key, which the server shares), in the
    order the trainee sees them (only the keys read, not the whole snapshots)."""

    keys: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attempt_id, jsonb_path_query_array(options, '$[*].key') FROM exams_attemptitem"
            " WHERE attempt_id = ANY(%s::uuid[]) ORDER BY attempt_id, position",
            [[str(i) for i in attempt_ids]],
        )
        for attempt_id, item_keys in cursor.fetchall():
            item_keys = json.loads(item_keys) if isinstance(item_keys, str) else item_keys
            keys.setdefault(str(attempt_id), []).append([option_token(attempt_id, key) for key in item_keys])
    return keys


def book_storm(storm, exam_settings: ExamSettings, *, admin) -> None:
    """The storm's trainees booked and checked in (identity confirmed) on a venue sitting
    open now, and their papers drawn: what a sitting looks like at its opening."""
    exam_settings.allow_unscheduled = False
    exam_settings.save(update_fields=["allow_unscheduled"])
    if not storm:
        return
    now = timezone.now()
    sitting = Sitting.objects.create(
        course_id=exam_settings.course_id, opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=6), venue="Benchmark hall", capacity=len(storm), created_by=admin,
    )  # fmt: skip
    enrolments = dict(
        Enrolment.objects.filter(trainee__in=storm, course_id=exam_settings.course_id).values_list("trainee_id", "pk")
    )
    Booking.objects.bulk_create(
        [
            Booking(
                sitting=sitting,
                enrolment_id=enrolments[u.pk],
                booked_at=now,
                booked_by=admin,
                checked_in_at=now,
                checked_in_by=admin,
                identity_confirmed=True,
            )
            for u in storm
        ],  # fmt: skip
        batch_size=2000,
    )
    drawn = sitting_services.sitting_draw_papers(sitting.pk)
    assert drawn == len(storm), (drawn, len(storm))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=200, help="open attempts through attempt_start")
    parser.add_argument("--storm", type=int, default=0, help="eligible trainees without an attempt")
    parser.add_argument("--mix", type=int, default=0, help="open attempts written in bulk")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    began = time.perf_counter()

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
    exam_settings = ExamSettings.objects.create(
        course=course,
        blueprint=BLUEPRINT,
        case_sets_per_attempt=0,
        time_limit_minutes=240,  # far longer than the run: no attempt closes under load
        pass_mark_percent=70,
        attempts_allowed=3,
        wait_hours=24,
        review=ExamSettings.Review.TOPICS,
        # The saturation trainees' attempts are started below without a sitting; switched
        # off before the storm's trainees are booked.
        allow_unscheduled=True,
    )
    common = {"course": course, "lessons": lessons, "jurisdiction": jurisdiction, "admin": admin}
    trainees, enrolments = eligible_trainees("bench-trainee", args.trainees, **common)
    storm, _ = eligible_trainees("bench-storm", args.storm, **common)
    mix, mix_enrolments = eligible_trainees("bench-mix", args.mix, **common)
    timings["rows"] = time.perf_counter() - began

    # The real service: blockers checked, items drawn by the blueprint, options shuffled.
    t = time.perf_counter()
    attempts = [services.attempt_start(trainee=u, enrolment=e) for u, e in zip(trainees, enrolments, strict=True)]
    timings["attempt_start"] = time.perf_counter() - t
    t = time.perf_counter()
    book_storm(storm, exam_settings, admin=admin)
    timings["storm_papers"] = time.perf_counter() - t
    t = time.perf_counter()
    mix_attempts = bulk_open_attempts(mix_enrolments, settings_=exam_settings)
    timings["bulk_attempts"] = time.perf_counter() - t
    if attempts and mix_attempts:
        check_same_shape(attempts[0], Attempt.objects.get(pk=mix_attempts[0]))

    t = time.perf_counter()
    keys_by_attempt = option_keys([*(a.pk for a in attempts), *mix_attempts])
    items = sum(BLUEPRINT.values())

    def records(users, attempts_):
        pairs = sessions_for(users, rng)
        out = []
        for user, (session, csrf), attempt in zip(users, pairs, attempts_ or [None] * len(users), strict=True):
            record = {"email": user.email, "session": session, "csrf": csrf}
            if attempt is not None:
                attempt = str(getattr(attempt, "pk", attempt))
                keys = keys_by_attempt[attempt]
                assert len(keys) == items, (attempt, len(keys))
                record |= {"attempt": attempt, "keys": keys}  # keys[k - 1]: item k's option keys
            out.append(record)
        return out

    data = {
        "course": COURSE_CODE,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_header": "X-CSRFToken",
        "trainees": records(trainees, attempts),
        "storm": records(storm, None),
        "mix": records(mix, mix_attempts),
    }
    timings["sessions"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_analyze"] = time.perf_counter() - t
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data))
    timings["total"] = time.perf_counter() - began
    print(
        f"seed: {args.trainees} trainees with attempts through attempt_start "
        f"({1000 * timings['attempt_start'] / max(args.trainees, 1):.0f} ms each), {args.storm} for the start storm, "
        f"{args.mix} with attempts written in bulk; {items} items per attempt; "
        + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    )
    timing_path = args.out.with_name("seed-timings.json")
    timing_path.write_text(json.dumps({k: round(v, 2) for k, v in timings.items()}))


if __name__ == "__main__":
    main()
