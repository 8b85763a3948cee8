"""Time ``exams.analysis.exam_analysis`` on 10,000 submitted attempts of a 60-item exam.

A separate scratch course in the benchmark database gets a 60-item bank (10 items on
each of the six topics, five options each, texts as long as the demo bank's), 10,000
trainees with one enrolment and one SUBMITTED attempt each, and 600,000 attempt items
(every attempt sees all 60 items, in its own order, with its own option order, as
``attempt_start`` would snapshot them). Answers follow a two-parameter logistic model:
each trainee has an ability, each item a difficulty and a discrimination, so facility
and discrimination vary by item as in a real exam; about 3 % of items are left
unanswered. Attempts and their items are written with PostgreSQL COPY (the ORM would
take minutes), then ``VACUUM ANALYZE`` (what autovacuum would have done by the time
anyone looks at the analysis).

Prints one JSON object: the timings (best of N, wall clock), the queries of one run
with their times, and a sanity check of the statistics.

Usage (environment: DJANGO_SETTINGS_MODULE, DJANGO_SECRET_KEY, DATABASE_URL):
    python bench/item_analysis.py --attempts 10000 --items 60 --repeats 3
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import itertools
import json
import math
import random
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import create_bank, create_course, create_trainees  # noqa: E402  (sets Django up)
from courses.models import Enrolment  # noqa: E402
from exams.analysis import exam_analysis  # noqa: E402
from exams.models import Attempt, AttemptItem, ExamSettings, Question, Topic  # noqa: E402

COURSE_CODE = "BENCH-ANALYSIS"
UNANSWERED = 0.03
CHUNK = 1000  # attempts per COPY


def copy_rows(table: str, columns: list[str], rows, *, not_null: tuple[str, ...] = ()) -> None:
    """COPY rows in CSV: an empty unquoted field is NULL, except in the ``not_null`` columns."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "")
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})", buffer)


def build(*, attempts: int, items: int, seed: int) -> dict:
    rng = random.Random(seed)
    topics = [t.value for t in Topic]
    per_topic = math.ceil(items / len(topics))
    started = time.perf_counter()
    course = create_course(COURSE_CODE, "Item analysis (benchmark)")
    create_bank(course, rng, topics=dict.fromkeys(topics, per_topic), per_topic=per_topic, prefix="IA")
    questions = list(Question.objects.filter(course=course).prefetch_related("options").order_by("ref")[:items])
    blueprint = {t: sum(1 for q in questions if q.topic == t) for t in topics}
    ExamSettings.objects.create(
        course=course, blueprint=blueprint, case_sets_per_attempt=0, time_limit_minutes=60, pass_mark_percent=70
    )

    # Per item: every option order as the JSON attempt_start would store (5! = 120 orders),
    # the correct key, the wrong keys with how attractive each distractor is.
    forms = []
    for q in questions:
        options = list(q.options.all())
        orders = [
            json.dumps([{"key": str(o.pk), "text": o.text} for o in order]) for order in itertools.permutations(options)
        ]
        right = next(str(o.pk) for o in options if o.is_correct)
        wrong = [str(o.pk) for o in options if not o.is_correct]
        forms.append(
            {
                "q": q,
                "orders": orders,
                "right": json.dumps([right]),
                "correct_keys": json.dumps([right]),
                "wrong": [json.dumps([k]) for k in wrong],
                "wrong_weights": [rng.random() + 0.1 for _ in wrong],
                "b": rng.uniform(-2.2, 1.2),  # difficulty: facility from about 0.25 to 0.95
                "a": rng.uniform(0.4, 2.0),  # discrimination
            }
        )

    trainees = create_trainees("ia-trainee", attempts)
    enrolments = Enrolment.objects.bulk_create([Enrolment(trainee=u, course=course) for u in trainees], batch_size=2000)
    rows_made = time.perf_counter()

    now = timezone.now()
    attempt_columns = [
        "id", "enrolment_id", "number", "status", "started_at", "deadline", "submitted_at", "closed_by_deadline",
        "pass_mark_percent", "review", "score", "max_score", "percent", "passed", "topic_breakdown",
    ]  # fmt: skip
    item_columns = [
        "attempt_id", "position", "question_id", "topic", "kind", "stem", "case_title", "case_vignette",
        "options", "correct_keys", "explanation", "response", "flagged", "answered_at", "is_correct",
    ]  # fmt: skip
    scores = []
    copy_s = 0.0
    for chunk_start in range(0, attempts, CHUNK):
        attempt_rows, item_rows = [], []
        for enrolment in enrolments[chunk_start : chunk_start + CHUNK]:
            attempt_id = uuid.uuid4()
            theta = rng.gauss(0.0, 1.0)
            start = now - datetime.timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 600))
            submitted = start + datetime.timedelta(minutes=rng.randint(20, 59))
            order = list(range(len(forms)))
            rng.shuffle(order)
            score = 0
            breakdown: dict[str, dict[str, int]] = {}
            for position, index in enumerate(order, start=1):
                form = forms[index]
                q = form["q"]
                if rng.random() < UNANSWERED:
                    correct, response, answered_at = False, "[]", ""
                else:
                    correct = rng.random() < 1.0 / (1.0 + math.exp(-form["a"] * (theta - form["b"])))
                    response = (
                        form["right"] if correct else rng.choices(form["wrong"], weights=form["wrong_weights"])[0]
                    )
                    answered_at = (start + datetime.timedelta(seconds=30 * position)).isoformat()
                score += correct
                topic = breakdown.setdefault(q.topic, {"correct": 0, "total": 0})
                topic["total"] += 1
                topic["correct"] += correct
                item_rows.append(
                    (
                        attempt_id, position, q.pk, q.topic, q.kind, q.stem, "", "",
                        rng.choice(form["orders"]), form["correct_keys"], q.explanation, response,
                        "f", answered_at, "t" if correct else "f",
                    )
                )  # fmt: skip
            percent = round(100 * score / len(forms), 2)
            scores.append(score)
            attempt_rows.append(
                (
                    attempt_id, enrolment.pk, 1, Attempt.Status.SUBMITTED.value, start.isoformat(),
                    (start + datetime.timedelta(minutes=60)).isoformat(), submitted.isoformat(), "f", 70, "topics",
                    score, len(forms), f"{percent:.2f}", "t" if percent >= 70 else "f", json.dumps(breakdown),
                )
            )  # fmt: skip
        began_copy = time.perf_counter()
        with transaction.atomic():
            # The rows' references are right by construction: no foreign-key trigger per row
            # (1.2 million lookups; the bench connects as a superuser, who may do this).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            copy_rows(Attempt._meta.db_table, attempt_columns, attempt_rows)
            copy_rows(AttemptItem._meta.db_table, item_columns, item_rows, not_null=("case_title", "case_vignette"))
        copy_s += time.perf_counter() - began_copy
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Attempt._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {AttemptItem._meta.db_table}")
        # The statistics autovacuum would have gathered on the other tables too: with the
        # 10,000 new enrolments unknown to the planner it expected 31 of them for the course.
        cursor.execute("ANALYZE")
        cursor.execute(f"SELECT pg_total_relation_size('{AttemptItem._meta.db_table}')")
        item_table_bytes = cursor.fetchone()[0]
    vacuumed = time.perf_counter()
    return {
        "course": course,
        "items": len(forms),
        "attempts": attempts,
        "attempt_items": AttemptItem.objects.filter(attempt__enrolment__course=course).count(),
        "attemptitem_table_mb": round(item_table_bytes / 2**20, 1),
        "build_s": {
            "bank_users_enrolments": round(rows_made - started, 2),
            "generate_rows": round(copied - rows_made - copy_s, 2),
            "copy": round(copy_s, 2),
            "vacuum_analyze": round(vacuumed - copied, 2),
        },
        "mean_score": sum(scores) / len(scores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260102)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    built = build(attempts=args.attempts, items=args.items, seed=args.seed)
    course = built.pop("course")

    timings = []
    stats = None
    for _ in range(args.repeats):
        began = time.perf_counter()
        stats = exam_analysis(course=course)
        timings.append(time.perf_counter() - began)
    # One more run to list the queries and their database time (not part of the timing).
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        exam_analysis(course=course)
        captured_wall = time.perf_counter() - began
    queries = [{"ms": round(1000 * float(q["time"]), 1), "sql": q["sql"][:160]} for q in captured.captured_queries]

    assert stats is not None
    assert stats.attempts == args.attempts, stats.attempts
    assert len(stats.items) == args.items, len(stats.items)
    result = {
        **built,
        "repeats": args.repeats,
        "timings_s": [round(t, 3) for t in timings],
        "best_s": round(min(timings), 3),
        "queries": len(queries),
        "query_ms_total": round(sum(q["ms"] for q in queries), 1),
        "captured_run_s": round(captured_wall, 3),
        "query_breakdown": queries,
        "stats_check": {
            "attempts": stats.attempts,
            "mean": round(stats.mean, 2),
            "sd": round(stats.sd, 2),
            "kr20": round(stats.kr20, 3) if stats.kr20 is not None else None,
            "facility_range": [
                round(min(i.facility for i in stats.items), 3),
                round(max(i.facility for i in stats.items), 3),
            ],
            "discrimination_range": [
                round(min(i.discrimination for i in stats.items if i.discrimination is not None), 3),
                round(max(i.discrimination for i in stats.items if i.discrimination is not None), 3),
            ],
            "options_per_item": sorted({len(i.option_counts) for i in stats.items}),
        },
    }
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    print(
        f"item analysis: {built['attempts']} attempts x {built['items']} items ({built['attempt_items']} rows, "
        f"{built['attemptitem_table_mb']} MB); build {built['build_s']}; exam_analysis best of {args.repeats}: "
        f"{result['best_s']} s {result['timings_s']}"
    )


if __name__ == "__main__":
    main()
