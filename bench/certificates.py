"""The certificates scenario: certificates rendered per second by one Celery worker on
Redis, beside WeasyPrint rendering the same HTML bare, and the time from the pass that
completes an award (the practical's final submit) to the stored PDF.

Run by bench/run.py (pinned to CPU 1), after the exam-day steps, in the same scratch
database. What it does:

1. Seeds a course that issues certificates automatically (a programme director with a
   signature image, a practical exam of two stations) and 1 + K + N trainees, each with a
   verified licence, a passed written attempt and one signed hands-on session (through
   ``courses.handson``), a practical scheduled through ``exams.practical.assessment_schedule``
   and the first station's marks submitted through ``exams.practical.score_save``: everything
   but the last examiner's submit.
2. Starts one worker, ``celery -A config worker --pool=solo --concurrency=1`` on a private
   queue, pinned to CPU 0, and lets it drain what the seed enqueued (the scheduling emails);
   and one process for the bare loop, pinned to the same CPU.
3. The pass: ``score_save(..., submit=True)`` for the second station completes the
   assessment, whose ``eligibility_changed`` signal makes the award, which (auto issue)
   creates the certificate and enqueues its rendering on commit, exactly as in
   production. The time each call returns (committed, tasks enqueued) is compared with
   the certificate's ``rendered_at`` (set by the worker once the PDF is stored).
   One warm-up pass (the worker's first render loads WeasyPrint's fonts), then R rounds
   (6 by default), each:
   - K/R passes one at a time on an idle worker (the next once the previous certificate
     has been emailed): the latency of one certificate;
   - N/R passes as fast as this process makes them, then a wait until all are stored and
     emailed and the queue is empty: certificates / (first pass → last ``rendered_at``);
   - the HTML of those same certificates (``certification.documents.certificate_html``,
     built untimed) rendered by the bare process with ``core.pdf.render_pdf``, one after
     the other: bare WeasyPrint.
   Interleaving makes a busy spell of the (shared) machine weigh on worker and bare alike.
   The ratio worker / bare is what the pipeline (Celery and Redis, the database, storage,
   the audit trail, the email tasks, the HTML) costs over WeasyPrint itself.

Writes one JSON object to --out.

Usage (environment: DJANGO_SETTINGS_MODULE, DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL,
CELERY_QUEUE, EMAIL_BACKEND, EMAIL_FILE_PATH, PRIVATE_MEDIA_ROOT; see bench/run.py):
    python bench/certificates.py --certificates 60 --idle 10 --out bench/results/tmp/certificates/out.json
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from bench.run import log, pinned  # noqa: E402

COURSE_CODE = "BENCH-CERT"
WARMUP = 1
POLL_S = 0.02
LOT_SHELF_LIFE = datetime.timedelta(days=100)
FIRST_NAMES = [
    "Amelia", "Oliver", "Zoë", "Mateo", "Siobhán", "Hiroshi", "Ngozi", "Élodie", "Rafael", "Ingrid",
    "Aleksandra", "Tomás", "Priya", "Benedikt", "Catalina", "Dmitri", "Anneliese", "Kwame", "Marguerite", "Joaquín",
]  # fmt: skip
LAST_NAMES = [
    "Okonkwo-Barrett", "Fitzgerald", "Nguyễn", "Van der Westhuizen", "Ó Briain", "Castellanos Rivera", "Lindqvist",
    "Kowalczyk", "Abernathy", "Müller", "Papadopoulos", "Ramírez de Arellano", "Thompson", "Øvergaard", "Haddad",
]  # fmt: skip


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (as bench/load.py)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary_ms(values_s: list[float]) -> dict:
    values = sorted(1000 * v for v in values_s)
    if not values:
        return {}
    return {
        "n": len(values),
        "min": round(values[0], 1),
        "mean": round(sum(values) / len(values), 1),
        "p50": round(percentile(values, 0.50), 1),
        "p95": round(percentile(values, 0.95), 1),
        "max": round(values[-1], 1),
    }


# The bare loop (a process of its own, pinned by the caller) ------------------------------


def bare_server() -> None:
    """One process for the whole run: each line on stdin names a JSON list of HTML
    documents, which are rendered with ``core.pdf.render_pdf`` one after the other; one
    JSON line of timings goes back on stdout. The very first document is rendered once
    more beforehand, unrecorded (WeasyPrint loads its fonts then, as it did in the
    worker's warm-up pass)."""
    from core.pdf import render_pdf

    warm = False
    for line in sys.stdin:
        documents = json.loads(Path(line.strip()).read_text())
        if not warm:
            render_pdf(documents[0])
            warm = True
        times, sizes = [], []
        cpu0, began = time.process_time(), time.perf_counter()
        for html in documents:
            t0 = time.perf_counter()
            sizes.append(len(render_pdf(html)))
            times.append(time.perf_counter() - t0)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu0
        print(json.dumps({"elapsed_s": elapsed, "cpu_s": cpu, "render_s": times, "pdf_bytes": sizes}), flush=True)


class Bare:
    def __init__(self, *, cpu: int, work: Path):
        self.work = work
        self.rounds = 0
        self.log = (work / "certificates-bare.log").open("w")  # WeasyPrint's warnings, as the worker logs them
        command = pinned(cpu, [sys.executable, __file__, "--bare-server", "--out", str(work / "unused")])
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True
        )

    def render(self, documents: list[str]) -> dict:
        self.rounds += 1
        path = self.work / f"certificates-html-{self.rounds}.json"
        path.write_text(json.dumps(documents))
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the bare renderer exited with {self.process.wait()}; see {self.log.name}")
        return json.loads(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # end of input: it exits
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


# Seeding --------------------------------------------------------------------------------


def signature_png() -> bytes:
    """A pen signature on a transparent background (as a scanned one would be uploaded)."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.new("RGBA", (900, 260), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points, x = [], 40.0
    while x < 860:
        points.append((x, 130 + 70 * math.sin(x / 37) * math.cos(x / 111) + rng.uniform(-12, 12)))
        x += rng.uniform(6, 14)
    draw.line(points, fill=(20, 33, 61, 255), width=6, joint="curve")
    draw.line([(120, 205), (760, 190)], fill=(20, 33, 61, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def seed(count: int, *, seed_value: int) -> tuple:
    """A course that issues automatically and ``count`` enrolments one submit away from
    their award. Returns the examiner and [(assessment, its last station's rubric)]."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import Jurisdiction, Licence, Profession, User
    from bench.seed import create_course, create_trainees
    from courses import handson
    from courses.models import COMPETENCIES, Enrolment
    from exams import practical
    from exams.models import Attempt, Criterion, PracticalExam, RubricVersion, Station

    rng = random.Random(seed_value)
    now, today = timezone.now(), timezone.localdate()

    def staff(email: str, name: str, **roles) -> User:
        user = User(email=email, legal_name=name, is_trainee=False, **roles)
        user.set_unusable_password()
        user.save()
        return user

    decider = staff("bench-cert-admin@glabella.test", "Certificate Administrator", is_administrator=True)
    instructor = staff("bench-cert-instructor@glabella.test", "Dr Hands-on Instructor", is_instructor=True)
    examiner = staff("bench-cert-examiner@glabella.test", "Dr Practical Examiner", is_examiner=True)
    jurisdiction, _made = Jurisdiction.objects.get_or_create(
        country="US",
        region="CA",
        defaults={"name": "United States — California", "certifiable_professions": ["md", "do", "np"]},
    )

    course = create_course(COURSE_CODE, "Botulinum toxin type A for glabellar lines: certification course")
    course.certificate_auto_issue = True
    course.director_name = "Dr Eleanor Whitcombe-Achterberg"
    course.director_title = "MD, FAAD, Programme Director"
    course.handson_min_sessions = 1
    course.handson_area_minimums = {}
    course.handson_recent_competent = 1
    course.director_signature.save("director.png", ContentFile(signature_png()), save=False)
    course.save()
    course.instructors.add(instructor)
    exam = PracticalExam.objects.create(course=course, overall_pass_percent=70, attempts_allowed=2)
    for position, title in enumerate(("Assessment and consent", "Injection of the glabellar complex"), start=1):
        station = Station.objects.create(practical=exam, title=title, position=position)
        rubric = RubricVersion.objects.create(station=station, number=1, pass_mark=Decimal(7))
        Criterion.objects.bulk_create(
            [
                Criterion(rubric=rubric, position=i, text=f"{title}: criterion {i}", points=2, critical=i <= 2)
                for i in range(1, 6)
            ]
        )
    stations = list(Station.objects.filter(practical=exam).order_by("position"))

    trainees = create_trainees("bench-cert", count)
    for user in trainees:
        user.legal_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    User.objects.bulk_update(trainees, ["legal_name"])
    Licence.objects.bulk_create(
        [
            Licence(
                holder=u, profession=Profession.PHYSICIAN_MD, number=f"CERT{i:06d}", jurisdiction=jurisdiction,
                expires_on=today + datetime.timedelta(days=365), document=f"licences/{u.pk}/bench.png",
                document_content_type="image/png", status=Licence.Status.VERIFIED, decided_at=now, decided_by=decider,
            )
            for i, u in enumerate(trainees)
        ]
    )  # fmt: skip
    enrolments = Enrolment.objects.bulk_create([Enrolment(trainee=u, course=course) for u in trainees])
    Attempt.objects.bulk_create(
        [
            Attempt(
                enrolment=e, number=1, status=Attempt.Status.SUBMITTED, started_at=now - datetime.timedelta(hours=2),
                deadline=now - datetime.timedelta(minutes=30), submitted_at=now - datetime.timedelta(hours=1),
                pass_mark_percent=70, review="topics", score=33, max_score=40, percent=Decimal("82.50"), passed=True,
            )
            for e in enrolments
        ]
    )  # fmt: skip

    ratings = {code: "competent" for code, _label in COMPETENCIES}
    glabella = {s: Decimal(4) for s in ("procerus", "corrugator_medial_r", "corrugator_medial_l")}
    glabella |= {s: Decimal(4) for s in ("corrugator_lateral_r", "corrugator_lateral_l")}
    pending = []
    for i, enrolment in enumerate(Enrolment.objects.filter(course=course).select_related("trainee", "course")):
        session = handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, units_by_site=glabella, ratings=ratings, acknowledged=True,
            data={
                "performed_on": today, "clinic": "Riverside Clinic", "model_code": f"M-{i:04d}",
                "consent_confirmed": True, "product": "onabotulinumtoxinA", "vial_units": Decimal(100),
                "diluent_ml": Decimal("2.5"), "lot_number": "C1234A", "lot_expiry": today + LOT_SHELF_LIFE,
                "complications": "", "complication_management": "", "overall_independence": "competent",
                "went_well": "", "to_improve": "", "agreed_actions": "",
            },
        )  # fmt: skip
        handson.session_sign(session_id=session.pk, instructor=instructor)
        assessment = practical.assessment_schedule(
            enrolment=enrolment, scheduled_at=now + datetime.timedelta(days=1), place="Skills lab 2",
            stations=stations, examiners=[examiner], actor=decider,
        )  # fmt: skip
        first, last = list(assessment.rubrics.order_by("station__position"))
        practical.score_save(
            assessment=assessment, rubric_id=first.pk, examiner=examiner, points=full_marks(first), global_grade=4,
            comments="Thorough history, clear consent.", submit=True,
        )  # fmt: skip
        pending.append((assessment, last))
    return examiner, pending


def full_marks(rubric) -> dict:
    return {str(c.pk): c.points for c in rubric.criteria.all()}


# The worker -----------------------------------------------------------------------------


class Worker:
    def __init__(self, *, cpu: int, queue: str, log_path: Path, loglevel: str = "WARNING"):
        self.cpu = cpu
        self.loglevel = loglevel
        self.queue = queue
        self.log_path = log_path
        self.name = f"bench-certificates-{os.getpid()}@%h"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from config.celery import app

        command = pinned(
            self.cpu,
            [
                str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
                "--concurrency=1", "-Q", self.queue, "-n", self.name, "--without-gossip", "--without-mingle",
                f"--loglevel={self.loglevel}", "--logfile", str(self.log_path),
            ],
        )  # fmt: skip
        self.log_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)
        # For bench/run.py to stop it, should this process be killed before it can.
        self.log_path.with_suffix(".pid").write_text(f"{self.process.pid} {self.queue}\n")
        deadline = time.monotonic() + 60
        hostname = self.name.replace("%h", socket.gethostname())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}; see {self.log_path}")
            if app.control.ping(destination=[hostname], timeout=0.5):
                return
        raise RuntimeError(f"the Celery worker did not answer within 60 s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """utime + stime of the worker process (solo pool: it runs the tasks itself)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: finishes the task in hand
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        self.log_path.with_suffix(".pid").unlink(missing_ok=True)

    def error_lines(self) -> int:
        if not self.log_path.exists():
            return 0
        lines = self.log_path.read_text(errors="replace").splitlines()
        return sum(1 for line in lines if "ERROR/" in line or "CRITICAL/" in line or line.startswith("Traceback"))


def queue_length(queue: str) -> int:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client.llen(queue) + client.hlen("unacked")


def broker_cleanup(queue: str) -> None:
    """The queue's keys in Redis (kombu's list per priority, its bindings): nothing of this
    run's private queue stays behind. Task results expire on their own (a day)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    lists = [queue, *(f"{queue}\x06\x16{p}" for p in (3, 6, 9))]
    client.delete(*lists, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def emails_written(directory: Path) -> int:
    """Messages the file-based backend wrote (it appends to one file per connection)."""
    return sum(
        1 for path in directory.glob("*") for line in path.read_text(errors="replace").splitlines()
        if line.startswith("Subject: ")
    )  # fmt: skip


def wait_idle(queue: str, *, timeout: float = 120.0) -> None:
    """Until the queue is empty and nothing is in hand (acks_late: unacked until done)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if queue_length(queue) == 0 else 0
        if quiet >= 5:
            return
        time.sleep(0.02)
    raise RuntimeError(f"queue {queue} did not drain within {timeout:.0f} s")


# The scenario -----------------------------------------------------------------------------


def pass_final(examiner, assessment, rubric) -> tuple[float, float]:
    """The second pass: the last station's marks submitted. Returns (wall clock when the
    call returned, i.e. committed with the tasks enqueued; duration of the call)."""
    from exams import practical

    began = time.perf_counter()
    practical.score_save(
        assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric), global_grade=4,
        comments="Safe, accurate, confident.", submit=True,
    )  # fmt: skip
    return time.time(), time.perf_counter() - began


def certificates_for(assessments) -> dict:
    from certification.models import Certificate

    ids = [a.enrolment_id for a in assessments]
    found = Certificate.objects.filter(award__enrolment_id__in=ids).select_related("award")
    return {c.award.enrolment_id: c for c in found}


def wait_for(enrolment_ids: list, field: str, *, timeout: float, poll: float = POLL_S) -> float:
    """Poll until every certificate of these enrolments has ``field`` set; returns the
    wall clock when that was seen."""
    from certification.models import Certificate

    deadline = time.monotonic() + timeout
    query = Certificate.objects.filter(award__enrolment_id__in=enrolment_ids, **{f"{field}__isnull": False})
    while time.monotonic() < deadline:
        if query.count() == len(enrolment_ids):
            return time.time()
        time.sleep(poll)
    failed = Certificate.objects.filter(award__enrolment_id__in=enrolment_ids, status="failed").count()
    raise RuntimeError(
        f"{field} not set on all {len(enrolment_ids)} certificates within {timeout:.0f} s ({failed} failed)"
    )


def one_at_a_time(examiner, items, *, timeout: float) -> list[dict]:
    rows = []
    for assessment, rubric in items:
        committed, call_s = pass_final(examiner, assessment, rubric)
        seen = wait_for([assessment.enrolment_id], "rendered_at", timeout=timeout)
        wait_for([assessment.enrolment_id], "emailed_at", timeout=timeout)  # the worker is idle again
        certificate = certificates_for([assessment])[assessment.enrolment_id]
        rows.append(
            {
                "pass_s": call_s,
                "to_pdf_s": certificate.rendered_at.timestamp() - committed,
                "seen_s": seen - committed,
                "to_email_s": certificate.emailed_at.timestamp() - committed,
            }
        )
    return rows


def at_once(examiner, items, *, worker: Worker, queue: str) -> dict:
    """Every pass of ``items`` as fast as this process makes them, then wait until all
    their certificates are stored and emailed and the queue is empty."""
    wait_idle(queue)
    cpu_before = worker.cpu_seconds()
    committed, calls = [], []
    for assessment, rubric in items:
        at, call_s = pass_final(examiner, assessment, rubric)
        committed.append(at)
        calls.append(call_s)
    passes_done = time.time()
    ids = [a.enrolment_id for a, _r in items]
    wait_for(ids, "rendered_at", timeout=60 + 5 * len(items), poll=0.05)
    wait_for(ids, "emailed_at", timeout=60 + 2 * len(items), poll=0.05)
    wait_idle(queue)
    cpu = worker.cpu_seconds() - cpu_before
    found = certificates_for([a for a, _r in items])
    certificates = [found[a.enrolment_id] for a, _r in items]
    first = min(committed)
    return {
        "certificates": certificates,
        "passes_s": passes_done - first,
        "pass_s": calls,
        "to_pdf_s": [c.rendered_at.timestamp() - t for c, t in zip(certificates, committed, strict=True)],
        "span_pdf_s": max(c.rendered_at.timestamp() for c in certificates) - first,
        "span_email_s": max(c.emailed_at.timestamp() for c in certificates) - first,
        "worker_cpu_s": cpu,
    }


def scenario(args) -> dict:
    from django.db import connection

    from certification.documents import certificate_html
    from certification.models import Certificate

    queue = os.environ["CELERY_QUEUE"]
    work = args.out.parent
    began = time.perf_counter()
    examiner, pending = seed(WARMUP + args.idle + args.certificates, seed_value=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seed_s = time.perf_counter() - began
    warmup, idle, batch = pending[:WARMUP], pending[WARMUP : WARMUP + args.idle], pending[WARMUP + args.idle :]
    rounds = max(1, min(args.rounds, len(batch)))
    # Contiguous chunks of nearly equal size; the idle passes dealt out over the rounds.
    bounds = [round(i * len(batch) / rounds) for i in range(rounds + 1)]
    chunks = [batch[bounds[i] : bounds[i + 1]] for i in range(rounds)]
    idle_chunks = [idle[i::rounds] for i in range(rounds)]

    bare = Bare(cpu=args.worker_cpu, work=work)
    worker = Worker(
        cpu=args.worker_cpu, queue=queue, log_path=work / "certificates-worker.log", loglevel=args.worker_loglevel
    )
    per_round = []
    try:
        t0 = time.perf_counter()
        worker.start()
        wait_idle(queue)  # the scheduling emails the seed enqueued
        worker_start_s = time.perf_counter() - t0
        cold = one_at_a_time(examiner, warmup, timeout=120)
        for r in range(rounds):
            log(
                f"certificates round {r + 1}/{rounds}: {len(idle_chunks[r])} passes one at a time, "
                f"{len(chunks[r])} at once, the same {len(chunks[r])} documents bare"
            )
            one = one_at_a_time(examiner, idle_chunks[r], timeout=60)
            many = at_once(examiner, chunks[r], worker=worker, queue=queue)
            t0 = time.perf_counter()
            documents = [
                certificate_html(Certificate.objects.select_related("award__course").get(pk=c.pk))
                for c in many["certificates"]
            ]
            html_s = time.perf_counter() - t0
            per_round.append(
                {"idle": one, "batch": many, "bare": bare.render(documents), "html": documents, "html_s": html_s}
            )
    finally:
        worker.stop()
        bare.stop()
        broker_cleanup(queue)

    # Pooled over the rounds: documents summed, times summed, latencies pooled.
    n = sum(len(x["batch"]["certificates"]) for x in per_round)
    span_pdf = sum(x["batch"]["span_pdf_s"] for x in per_round)
    span_email = sum(x["batch"]["span_email_s"] for x in per_round)
    bare_s = sum(x["bare"]["elapsed_s"] for x in per_round)
    worker_cpu = sum(x["batch"]["worker_cpu_s"] for x in per_round)
    bare_cpu = sum(x["bare"]["cpu_s"] for x in per_round)
    idle_rows = [row for x in per_round for row in x["idle"]]
    certificates = [c for x in per_round for c in x["batch"]["certificates"]]
    worker_rate, bare_rate = n / span_pdf, n / bare_s
    ratios = [
        len(x["batch"]["certificates"])
        / x["batch"]["span_pdf_s"]
        / (len(x["bare"]["render_s"]) / x["bare"]["elapsed_s"])
        for x in per_round
    ]
    return {
        "config": {
            "certificates": n,
            "rounds": rounds,
            "idle_passes": len(idle_rows),
            "warmup_passes": WARMUP,
            "worker_cpu": args.worker_cpu,
            "worker": f"celery -A config worker --pool=solo --concurrency=1 -Q {queue}",
            "broker": os.environ.get("REDIS_URL"),
            "email_backend": os.environ.get("EMAIL_BACKEND"),
            "bare": "core.pdf.render_pdf in a loop, one process, pinned to the worker's CPU",
        },
        "worker_per_s": round(worker_rate, 3),
        "worker_emailed_per_s": round(n / span_email, 3),
        "bare_per_s": round(bare_rate, 3),
        "ratio": round(worker_rate / bare_rate, 3),
        "ratio_emailed": round(n / span_email / bare_rate, 3),
        "ratio_per_round": [round(r, 3) for r in ratios],
        "ratio_median_of_rounds": round(statistics.median(ratios), 3),
        "worker_per_s_per_round": [
            round(len(x["batch"]["certificates"]) / x["batch"]["span_pdf_s"], 3) for x in per_round
        ],
        "bare_per_s_per_round": [round(len(x["bare"]["render_s"]) / x["bare"]["elapsed_s"], 3) for x in per_round],
        # CPU seconds of the worker process (PostgreSQL and Redis not counted) against the
        # bare loop's: less at the mercy of whatever else the machine runs than wall clock.
        "worker_cpu_ms_per_certificate": round(1000 * worker_cpu / n, 1),
        "bare_cpu_ms_per_document": round(1000 * bare_cpu / n, 1),
        "cpu_ratio": round(bare_cpu / worker_cpu, 3),
        "worker_cpu_percent": round(100 * worker_cpu / span_email, 1),
        "bare_cpu_percent": round(100 * bare_cpu / bare_s, 1),
        "to_pdf_ms": summary_ms([t for x in per_round for t in x["batch"]["to_pdf_s"]]),
        "pass_call_ms": summary_ms([t for x in per_round for t in x["batch"]["pass_s"]]),
        "passes_s_per_round": [round(x["batch"]["passes_s"], 2) for x in per_round],
        "span_pdf_s_per_round": [round(x["batch"]["span_pdf_s"], 2) for x in per_round],
        "idle": {
            "passes": len(idle_rows),
            "to_pdf_ms": summary_ms([r["to_pdf_s"] for r in idle_rows]),
            "to_email_ms": summary_ms([r["to_email_s"] for r in idle_rows]),
            "seen_by_poll_ms": summary_ms([r["seen_s"] for r in idle_rows]),
            "pass_call_ms": summary_ms([r["pass_s"] for r in idle_rows]),
        },
        "cold_first_to_pdf_ms": round(1000 * cold[0]["to_pdf_s"], 1),
        "bare_render_ms": summary_ms([t for x in per_round for t in x["bare"]["render_s"]]),
        "html_bytes_mean": round(sum(len(d) for x in per_round for d in x["html"]) / n),
        # Building each document (a query, the template, the QR code, the signature read
        # and inlined), in this process on CPU 1: work the worker does and the bare loop not.
        "html_ms_per_document": round(1000 * sum(x["html_s"] for x in per_round) / n, 1),
        "pdf_bytes_mean_stored": round(sum(c.pdf.size for c in certificates) / n),
        "pdf_bytes_mean_bare": round(sum(b for x in per_round for b in x["bare"]["pdf_bytes"]) / n),
        "statuses": sorted({c.status for c in certificates}),
        "render_attempts_max": max(c.render_attempts for c in certificates),
        "emails_written": emails_written(Path(os.environ["EMAIL_FILE_PATH"])),
        "worker_error_lines": worker.error_lines(),
        "seed_s": round(seed_s, 1),
        "worker_start_s": round(worker_start_s, 1),
        "elapsed_s": round(time.perf_counter() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=60, help="passes at once (in all) for the throughput")
    parser.add_argument("--rounds", type=int, default=6, help="the passes at once and the bare loop, interleaved")
    parser.add_argument("--idle", type=int, default=10, help="passes one at a time for the latency")
    parser.add_argument("--worker-cpu", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20260202)
    parser.add_argument("--worker-loglevel", default="WARNING", help="INFO logs every task with its time")
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.bare_server:
        bare_server()
        return
    args.out.write_text(json.dumps(scenario(args), indent=2) + "\n")


if __name__ == "__main__":
    main()
