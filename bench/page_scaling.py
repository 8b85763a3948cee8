"""How the exam page's time grows with its length (run by bench/run.py).

The paper is paged (one question, or a case with its questions, per page): what grows
with the paper's length is the navigator (an entry per question, answered and flagged
states) and the items read to build it; the page shown is the first.

Issue #8: "the exam page's render time at 200 items is at most 3× its time at 10". Two
courses in the benchmark database, with 10-item and 200-item papers drawn from banks of
single-best-answer items as long as bench/seed.py's; one trainee in each, with an open
attempt started through ``exams.services.attempts.attempt_start`` and a quarter of its items
answered (the page ticks them) and one flagged. The page is requested in-process with
Django's test client (the whole middleware stack, the production settings, the
database session): what the server spends on a request, without the network or
gunicorn. The two lengths alternate request by request, so a busy spell of the machine
weighs on both alike; the ratio is of the medians.

Usage (environment: DJANGO_SETTINGS_MODULE=bench.settings, DJANGO_SECRET_KEY, DATABASE_URL):
    python bench/page_scaling.py --requests 100 --out bench/results/tmp/page_scaling.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Jurisdiction, Licence, Profession, User  # noqa: E402
from bench.seed import create_bank, create_course, create_trainees  # noqa: E402
from courses.models import Enrolment, Lesson, LessonCompletion, Module  # noqa: E402
from exams.models import ExamSettings  # noqa: E402
from exams.services.answers import attempt_answer  # noqa: E402
from exams.services.attempts import attempt_start  # noqa: E402

LENGTHS = (10, 200)
TOPICS = ("pharmacology", "anatomy", "assessment", "technique", "complications", "ethics")


def blueprint(items: int) -> dict[str, int]:
    """``items`` spread over the six topics as evenly as they go (10 → 2,2,2,2,1,1)."""
    base, extra = divmod(items, len(TOPICS))
    return {topic: base + (i < extra) for i, topic in enumerate(TOPICS)}


def attempt_of_length(items: int, rng: random.Random):
    """A course whose paper has ``items`` items, one trainee with an open attempt at it
    (a quarter answered, the first flagged), and a client logged in as that trainee."""
    code = f"BENCH-PAGE-{items}"
    course = create_course(code, f"Exam page of {items} items (benchmark)")
    lesson = Lesson.objects.create(
        module=Module.objects.create(course=course, title="Foundations", position=1), title="Lesson", position=1
    )
    plan = blueprint(items)
    create_bank(course, rng, topics=plan, per_topic=max(plan.values()) + 2, prefix=f"P{items}")
    ExamSettings.objects.create(
        course=course,
        blueprint=plan,
        case_sets_per_attempt=0,
        time_limit_minutes=240,
        pass_mark_percent=70,
        attempts_allowed=3,
        wait_hours=24,
        allow_unscheduled=True,  # the page is measured, not the sitting
    )
    (trainee,) = create_trainees(f"bench-page-{items}", 1)
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        country="US", region="CA", defaults={"name": "United States — California", "certifiable_professions": ["md"]}
    )
    admin = User.objects.filter(is_administrator=True).first() or User.objects.create(
        email="bench-page-admin@glabella.test",
        legal_name="Bench Administrator",
        is_trainee=False,
        is_administrator=True,
    )
    Licence.objects.create(
        holder=trainee,
        profession=Profession.PHYSICIAN_MD,
        number=f"BENCHPAGE{items}",
        jurisdiction=jurisdiction,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
        document=f"licences/{trainee.pk}/bench.png",
        document_content_type="image/png",
        status=Licence.Status.VERIFIED,
        decided_at=timezone.now(),
        decided_by=admin,
    )
    enrolment = Enrolment.objects.create(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    for item in attempt.items.order_by("position")[: items // 4]:
        attempt_answer(
            attempt_id=attempt.pk,
            trainee=trainee,
            position=item.position,
            keys=[item.options[0]["key"]],
            flagged=item.position == 1,
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(trainee)
    return client, reverse("exams:attempt", args=[attempt.pk])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per length")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per length first")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20260108)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pages = {n: attempt_of_length(n, rng) for n in LENGTHS}

    facts = {}
    for n, (client, url) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (n, response.status_code)
        body = response.content.decode()
        # The paged paper: one question on the page, the navigator naming all n.
        assert body.count('class="card question"') == 1, (n, body.count('class="card question"'))
        assert body.count("data-nav=") == n, (n, body.count("data-nav="))
        facts[n] = {"queries": len(queries), "bytes": len(response.content)}

    times: dict[int, list[float]] = {n: [] for n in LENGTHS}
    for i in range(args.warmup + args.requests):
        for n in LENGTHS if i % 2 else reversed(LENGTHS):
            client, url = pages[n]
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (n, response.status_code)
            if i >= args.warmup:
                times[n].append(elapsed * 1000)

    result = {"requests": args.requests, "warmup": args.warmup, "lengths": {}}
    for n in LENGTHS:
        ordered = sorted(times[n])
        result["lengths"][str(n)] = {
            **facts[n],
            "median_ms": round(statistics.median(ordered), 3),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
            "min_ms": round(ordered[0], 3),
        }
    small, large = (result["lengths"][str(n)]["median_ms"] for n in LENGTHS)
    result["ratio"] = round(large / small, 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(
        f"page scaling: {LENGTHS[0]} items {small:.2f} ms, {LENGTHS[1]} items {large:.2f} ms (medians of "
        f"{args.requests}): {result['ratio']:.2f}×; queries {facts[LENGTHS[0]]['queries']} and "
        f"{facts[LENGTHS[1]]['queries']}, {facts[LENGTHS[0]]['bytes']:,} and {facts[LENGTHS[1]]['bytes']:,} bytes"
    )


if __name__ == "__main__":
    main()
