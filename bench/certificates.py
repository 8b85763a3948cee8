"""The certificates scenario: 300 certificates issued through Celery on Redis by one
prefork worker of two processes, beside WeasyPrint rendering the same HTML bare in two
warm processes (B PDFs/s); the time from enqueue to the render task's start; the
worker's memory after the renders.

Run by bench/run.py after the exam-day steps (or alone with ``--only certificates``), in
the same scratch database. Nothing is pinned: the worker's two pool processes and the two
bare processes each have both CPUs, as two processes would on a production host. What it
does:

1. Seeds a course that issues certificates automatically (a programme director with a
   signature image, a practical exam of two stations) and W + N trainees one submit away
   from their award: a verified licence, a passed written attempt, one signed hands-on
   session, a practical scheduled with the first station's marks submitted. These
   preconditions are inserted in bulk, row for row what ``courses.handson.services``,
   ``exams.practical.services.assessment_schedule`` and ``score_save`` write (audit events
   included); ``--seed-through-services`` makes them through those services instead
   (slower: the time of both is recorded).
2. Starts ``celery -A config worker --pool=prefork --concurrency=2`` on a private queue,
   with ``-I bench.worker_probe`` (which records when each task starts and ends, its CPU,
   database and WeasyPrint time), and the two bare processes (``--bare-server``).
3. The pass: ``score_save(..., submit=True)`` for the second station completes the
   assessment, whose ``eligibility_changed`` signal makes the award, which (auto issue)
   creates the certificate and enqueues its rendering on commit, exactly as in
   production; the worker renders and stores the PDF and enqueues the email, which it
   then sends. The driver's ``before_task_publish`` handler records when each render task
   was enqueued. W warm-up passes (two at once, until both pool processes have rendered
   once: the first render of a process loads WeasyPrint's fonts). Then R rounds, each:
   - throughput: the worker stops consuming (``cancel_consumer``), T/R passes are made,
     the bare pair renders the HTML of those certificates (built untimed, as the worker
     would build it), the worker resumes (``add_consumer``) and drains the queue:
     certificates / (resume → last ``rendered_at``), against documents / (first → last
     bare render). Which of the two goes first alternates between rounds;
   - latency: L/R passes paced at a fraction (``--pace``) of the bare rate measured so
     far, with the worker consuming: enqueue → task start, enqueue → stored PDF.
4. Reads the worker's memory (VmRSS and PSS of the parent and each pool child) after
   the warm-up, after each round and after all the renders, and the bare processes' VmRSS
   beside it.

Writes one JSON object to --out.

Usage (environment: DJANGO_SETTINGS_MODULE, DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL,
CELERY_QUEUE, EMAIL_BACKEND, EMAIL_FILE_PATH, PRIVATE_MEDIA_ROOT; see bench/run.py):
    python bench/certificates.py --certificates 300 --out bench/results/tmp/certificates/out.json
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import os
import random
import selectors
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

from bench.render_profile import signature_png  # noqa: E402
from bench.run import log  # noqa: E402

COURSE_CODE = "BENCH-CERT"
POLL_S = 0.05
WARMUP_PAIRS_MAX = 4
LOT_SHELF_LIFE = datetime.timedelta(days=100)
FIRST_NAMES = [
    "Amelia", "Oliver", "Zoë", "Mateo", "Siobhán", "Hiroshi", "Ngozi", "Élodie", "Rafael", "Ingrid",
    "Aleksandra", "Tomás", "Priya", "Benedikt", "Catalina", "Dmitri", "Anneliese", "Kwame", "Marguerite", "Joaquín",
]  # fmt: skip
LAST_NAMES = [
    "Okonkwo-Barrett", "Fitzgerald", "Nguyễn", "Van der Westhuizen", "Ó Briain", "Castellanos Rivera", "Lindqvist",
    "Kowalczyk", "Abernathy", "Müller", "Papadopoulos", "Ramírez de Arellano", "Thompson", "Øvergaard", "Haddad",
]  # fmt: skip
RENDER_TASK = "certification.tasks.certificate_render_task"
EMAIL_TASK = "certification.tasks.certificate_email_task"
# When each render task was enqueued (the driver's before_task_publish), by task id.
PUBLISHED: dict[str, float] = {}


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


# The bare pair (processes of their own) --------------------------------------------------


def bare_server() -> None:
    """One bare process for the whole run. ``load <path>`` reads a JSON list of HTML
    documents (the very first one is rendered once, unrecorded: WeasyPrint loads its fonts
    then, as in the worker's warm-up); ``render <i>`` renders document i with
    ``certification.documents.pdf_from_html`` (what
    ``certificate_pdf`` does after building the HTML). One JSON line answers each."""
    from certification.documents import pdf_from_html as render_pdf

    documents: list[str] = []
    warm = False
    for line in sys.stdin:
        command, _space, argument = line.strip().partition(" ")
        if command == "load":
            documents = json.loads(Path(argument).read_text())
            if not warm:
                render_pdf(documents[0])
                warm = True
            reply = {"loaded": len(documents)}
        else:
            cpu, began = time.process_time(), time.perf_counter()
            size = len(render_pdf(documents[int(argument)]))
            reply = {"render_s": time.perf_counter() - began, "cpu_s": time.process_time() - cpu, "bytes": size}
        print(json.dumps(reply), flush=True)


class BarePair:
    """Two (``processes``) bare renderers fed from one list, each taking the next
    document as soon as it is free, as a worker's pool processes take the next task."""

    def __init__(self, *, processes: int, work: Path):
        self.work = work
        self.rounds = 0
        self.log = (work / "certificates-bare.log").open("w")  # WeasyPrint's warnings, as the worker logs them
        command = [sys.executable, __file__, "--bare-server", "--out", str(work / "unused")]
        self.processes = [
            subprocess.Popen(
                command, cwd=BASE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True
            )
            for _ in range(processes)
        ]

    def _ask(self, process: subprocess.Popen, line: str) -> None:
        process.stdin.write(line + "\n")
        process.stdin.flush()

    def _answer(self, process: subprocess.Popen) -> dict:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"a bare renderer exited with {process.wait()}; see {self.log.name}")
        return json.loads(line)

    def render(self, documents: list[str]) -> dict:
        """Every document once, spread over the processes; elapsed is first request →
        last answer (the documents already loaded, the fonts warm)."""
        self.rounds += 1
        path = self.work / f"certificates-html-{self.rounds}.json"
        path.write_text(json.dumps(documents))
        for process in self.processes:
            self._ask(process, f"load {path}")
        for process in self.processes:
            self._answer(process)
        selector = selectors.DefaultSelector()
        for process in self.processes:
            selector.register(process.stdout, selectors.EVENT_READ, process)
        pending = list(range(len(documents)))
        busy, answers = 0, []
        began = time.perf_counter()
        for process in self.processes:
            if pending:
                self._ask(process, f"render {pending.pop(0)}")
                busy += 1
        while busy:
            for key, _events in selector.select():
                answers.append(self._answer(key.data))
                busy -= 1
                if pending:
                    self._ask(key.data, f"render {pending.pop(0)}")
                    busy += 1
        elapsed = time.perf_counter() - began
        selector.close()
        return {
            "elapsed_s": elapsed,
            "render_s": [a["render_s"] for a in answers],
            "cpu_s": sum(a["cpu_s"] for a in answers),
            "pdf_bytes": [a["bytes"] for a in answers],
        }

    def rss_mb(self) -> list[float]:
        return [round(proc_memory_kb(p.pid)["rss_kb"] / 1024, 1) for p in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.stdin.close()  # end of input: it exits
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.log.close()


# Seeding --------------------------------------------------------------------------------


# What the hands-on session of every trainee records (one signed, competent session).
RATINGS = None  # filled from courses.models.COMPETENCIES
UNITS_BY_SITE = {
    "procerus": Decimal(4), "corrugator_medial_r": Decimal(4), "corrugator_medial_l": Decimal(4),
    "corrugator_lateral_r": Decimal(4), "corrugator_lateral_l": Decimal(4),
}  # fmt: skip


@functools.cache
def botox():
    from courses.models import Product

    return Product.objects.get(code="onabotulinumtoxinA")


def session_data(i: int, today: datetime.date) -> dict:
    return {
        "performed_on": today, "case_type": "supervised",
        "clinic": "Riverside Clinic", "model_code": f"M-{i:04d}", "consent_confirmed": True,
        "product": botox(), "vial_units": Decimal(100), "diluent_ml": Decimal("2.5"),
        "lot_number": "C1234A", "lot_expiry": today + LOT_SHELF_LIFE, "complications": "",
        "complication_management": "", "overall_independence": "competent", "went_well": "", "to_improve": "",
        "agreed_actions": "",
    }  # fmt: skip


def seed(count: int, *, seed_value: int, through_services: bool) -> tuple:
    """A course that issues automatically and ``count`` enrolments one submit away from
    their award. Returns the examiner and [(assessment, its last station's rubric)]."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import Jurisdiction, Licence, Profession, User
    from bench.seed import create_course, create_trainees
    from courses.models import COMPETENCIES, Enrolment
    from exams.models import Assessment, Attempt, Criterion, PracticalExam, RubricVersion, Station

    rng = random.Random(seed_value)
    now, today = timezone.now(), timezone.localdate()
    ratings = {code: "competent" for code, _label in COMPETENCIES}

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

    enrolments = list(Enrolment.objects.filter(course=course).select_related("trainee", "course").order_by("pk"))
    people = {"decider": decider, "instructor": instructor, "examiner": examiner}
    if through_services:
        practical_through_services(enrolments, stations, ratings=ratings, now=now, today=today, **people)
    else:
        practical_in_bulk(enrolments, stations, ratings=ratings, now=now, today=today, **people)
    assessments = Assessment.objects.filter(enrolment__course=course).order_by("enrolment_id")
    last = RubricVersion.objects.get(station=stations[-1])
    return examiner, [(a, last) for a in assessments]


def practical_through_services(enrolments, stations, *, ratings, now, today, decider, instructor, examiner) -> None:
    """The hands-on session, the scheduling and the first station's marks, through the
    services an instructor, an administrator and an examiner use (about 0.1–0.3 s each)."""
    from courses.handson import services as handson
    from exams.models import Assessment
    from exams.practical import services as practical

    for i, enrolment in enumerate(enrolments):
        session = handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, units_by_site=UNITS_BY_SITE, ratings=ratings,
            acknowledged=True, data=session_data(i, today),
        )  # fmt: skip
        handson.session_sign(session_id=session.pk, instructor=instructor)
        assessment = practical.assessment_schedule(
            enrolment=enrolment, scheduled_at=now + datetime.timedelta(days=1), place="Skills lab 2",
            stations=stations, examiners=[examiner], actor=decider,
        )  # fmt: skip
        # The assessment day has come: final marks are accepted from it on.
        Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=now)
        first = assessment.rubrics.order_by("station__position").first()
        practical.score_save(
            assessment=assessment, rubric_id=first.pk, examiner=examiner, points=full_marks(first), global_grade=4,
            comments="Thorough history, clear consent.", submit=True,
        )  # fmt: skip


def practical_in_bulk(enrolments, stations, *, ratings, now, today, decider, instructor, examiner) -> None:
    """The same rows as ``practical_through_services`` writes (sessions and their sites,
    assessments with their stations and examiner, the first station's submitted marks, an
    audit event for each step), inserted a few statements at a time. The scheduling
    emails are not sent: nothing of the pipeline reads them."""
    from django.db import transaction

    from core.services import audit_record
    from courses.handson import services as handson
    from courses.models import InjectionSession, SessionSite
    from exams.models import Assessment, GlobalGrade, RubricVersion, StationScore
    from exams.practical.selectors import current_rubric

    rubrics = [current_rubric(s) for s in stations]
    first = RubricVersion.objects.prefetch_related("criteria").get(pk=rubrics[0].pk)
    marks = {str(c.pk): str(c.points) for c in first.criteria.all()}
    total = sum((Decimal(v) for v in marks.values()), Decimal(0))
    # The warnings session_save_draft would record: the same doses for every model, none before.
    sample = session_data(0, today)
    warnings = handson.session_dose_warnings(
        units_by_site=UNITS_BY_SITE, model_code=sample["model_code"], performed_on=today, product=sample["product"]
    )
    with transaction.atomic():
        sessions = []
        for i, enrolment in enumerate(enrolments):
            data = session_data(i, today)
            session = InjectionSession(enrolment=enrolment, instructor=instructor)
            for name in handson.SESSION_FIELDS:
                setattr(session, name, data[name])
            session.model_code = data["model_code"].upper()
            session.ratings = dict(ratings)
            session.dose_warnings = warnings
            session.dose_warnings_acknowledged = bool(warnings)
            session.status = InjectionSession.Status.SIGNED
            session.signed_at = now
            sessions.append(session)
        InjectionSession.objects.bulk_create(sessions)
        SessionSite.objects.bulk_create(
            [SessionSite(session=s, site_code=code, units=u) for s in sessions for code, u in UNITS_BY_SITE.items()]
        )
        scheduled_at = now  # held today: final marks are accepted from the scheduled day
        assessments = Assessment.objects.bulk_create(
            [Assessment(enrolment=e, number=1, scheduled_at=scheduled_at, place="Skills lab 2") for e in enrolments]
        )
        Assessment.rubrics.through.objects.bulk_create(
            [Assessment.rubrics.through(assessment=a, rubricversion=r) for a in assessments for r in rubrics]
        )
        Assessment.examiners.through.objects.bulk_create(
            [Assessment.examiners.through(assessment=a, user=examiner) for a in assessments]
        )
        scores = StationScore.objects.bulk_create(
            [
                StationScore(
                    assessment=a, rubric=first, examiner=examiner, points=marks, global_grade=4,
                    comments="Thorough history, clear consent.", total=total, status=StationScore.Status.SUBMITTED,
                    submitted_at=now,
                )
                for a in assessments
            ]
        )  # fmt: skip
        for enrolment, session, assessment, score in zip(enrolments, sessions, assessments, scores, strict=True):
            email = enrolment.trainee.email
            audit_record(
                actor=instructor, action="session.signed", obj=session,
                summary=f"Signed session {session.model_code} on {session.performed_on} for {email}",
                details={"dose_warnings": warnings},
            )  # fmt: skip
            audit_record(
                actor=decider, action="practical.scheduled", obj=assessment,
                summary=f"Practical {assessment.number} for {email} on {scheduled_at:%Y-%m-%d %H:%M}",
                details={"examiners": [examiner.email], "rubrics": [r.pk for r in rubrics]},
            )  # fmt: skip
            audit_record(
                actor=examiner, action="practical.scored", obj=score,
                summary=f"{examiner.email} submitted {first} for practical {assessment.pk}: {total} points, "
                f"global {GlobalGrade(4).label}",
                details={"points": marks, "global_grade": 4},
            )  # fmt: skip


def check_one_submit_away(pending) -> None:
    """What the last submit will read holds for the first and the last trainee: a valid
    licence, a passed written attempt, the hands-on requirement met, the first station
    submitted and the second not."""
    from accounts.selectors import licence_valid_for
    from courses.handson.selectors import handson_requirement_met
    from exams.models import StationScore
    from exams.selectors import written_exam_passed

    for assessment, last in (pending[0], pending[-1]):
        enrolment = assessment.enrolment
        submitted = set(
            assessment.scores.filter(status=StationScore.Status.SUBMITTED).values_list("rubric_id", flat=True)
        )
        ok = (
            licence_valid_for(user=enrolment.trainee).exists()
            and written_exam_passed(enrolment=enrolment)
            and handson_requirement_met(enrolment=enrolment)
            and assessment.rubrics.count() == 2
            and len(submitted) == 1
            and last.pk not in submitted
        )
        if not ok:
            raise RuntimeError(f"enrolment {enrolment.pk} is not one submit away from its award")


def full_marks(rubric) -> dict:
    return {str(c.pk): c.points for c in rubric.criteria.all()}


# The worker -----------------------------------------------------------------------------


def proc_stat_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_memory_kb(pid: int) -> dict:
    """VmRSS (/proc/<pid>/status) and PSS (smaps_rollup: shared pages split between the
    processes sharing them, so that PSS adds up where RSS counts them in each)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    pss = None
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        pass
    return {"rss_kb": rss, "pss_kb": pss}


class Worker:
    def __init__(self, *, queue: str, log_path: Path, probe_dir: Path, concurrency: int, loglevel: str = "WARNING"):
        self.concurrency = concurrency
        self.loglevel = loglevel
        self.queue = queue
        self.log_path = log_path
        self.probe_dir = probe_dir
        self.name = f"bench-certificates-{os.getpid()}@%h"
        self.hostname = self.name.replace("%h", socket.gethostname())
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=prefork",
            f"--concurrency={self.concurrency}", "-Q", self.queue, "-n", self.name, "--without-gossip",
            "--without-mingle", "-I", "bench.worker_probe", f"--loglevel={self.loglevel}", "--logfile",
            str(self.log_path),
        ]  # fmt: skip

    def start(self) -> None:
        from config.celery import app

        self.log_path.unlink(missing_ok=True)
        self.probe_dir.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"BENCH_PROBE_DIR": str(self.probe_dir)}
        self.process = subprocess.Popen(self.command, cwd=BASE_DIR, env=env, start_new_session=True)
        # For bench/run.py to stop it, should this process be killed before it can.
        self.log_path.with_suffix(".pid").write_text(f"{self.process.pid} {self.queue}\n")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}; see {self.log_path}")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        raise RuntimeError(f"the Celery worker did not answer within 60 s; see {self.log_path}")

    def children(self) -> list[int]:
        """The pool processes: the worker's child processes."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """utime + stime of the parent and the pool processes."""
        return sum(proc_stat_cpu(pid) for pid in [self.process.pid, *self.children()])

    def memory(self) -> dict:
        parent = proc_memory_kb(self.process.pid)
        children = {pid: proc_memory_kb(pid) for pid in self.children()}
        rss = [m["rss_kb"] for m in children.values()]
        pss = [m["pss_kb"] for m in children.values() if m["pss_kb"] is not None]
        return {
            "parent_rss_mb": round(parent["rss_kb"] / 1024, 1),
            "children_rss_mb": [round(kb / 1024, 1) for kb in rss],
            "max_child_rss_mb": round(max(rss) / 1024, 1),
            "total_rss_mb": round((parent["rss_kb"] + sum(rss)) / 1024, 1),
            "total_pss_mb": round((parent["pss_kb"] + sum(pss)) / 1024, 1) if parent["pss_kb"] is not None else None,
        }

    def _control(self, command: str) -> None:
        from config.celery import app

        replies = getattr(app.control, command)(self.queue, destination=[self.hostname], reply=True, timeout=5)
        if not replies:
            raise RuntimeError(f"the Celery worker did not answer {command}")

    def pause(self) -> None:
        """Stop taking messages from the queue (they wait in Redis)."""
        self._control("cancel_consumer")

    def resume(self) -> None:
        self._control("add_consumer")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: finishes the tasks in hand
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

    def task_records(self) -> list[dict]:
        """What bench.worker_probe wrote: one record per task run, from every process."""
        records = []
        for path in sorted(self.probe_dir.glob("tasks-*.jsonl")):
            records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return sorted(records, key=lambda r: r["start"])


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
        if quiet >= 3:
            return
        time.sleep(0.02)
    raise RuntimeError(f"queue {queue} did not drain within {timeout:.0f} s")


# The scenario -----------------------------------------------------------------------------


def record_publish(sender=None, headers=None, **_kwargs) -> None:
    """before_task_publish in this process: when each render task is sent to Redis (after
    it, a pool process may already have started the task)."""
    if (headers or {}).get("task") == RENDER_TASK:
        PUBLISHED[headers["id"]] = time.time()


def pass_final(examiner, assessment, rubric) -> tuple[float, float]:
    """The last station's marks submitted, as the examiner's request would. Returns (wall
    clock when the call returned, i.e. committed with the tasks enqueued; its duration)."""
    from exams.practical import services as practical

    began = time.perf_counter()
    practical.score_save(
        assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric), global_grade=4,
        comments="Safe, accurate, confident.", submit=True,
    )  # fmt: skip
    return time.time(), time.perf_counter() - began


def certificates_for(items) -> list:
    """The certificates of these (assessment, rubric) pairs, in their order."""
    from certification.models import Certificate

    ids = [a.enrolment_id for a, _r in items]
    found = Certificate.objects.filter(award__enrolment_id__in=ids).select_related("award__course")
    by_enrolment = {c.award.enrolment_id: c for c in found}
    return [by_enrolment[i] for i in ids]


def wait_for(items, field: str, *, timeout: float) -> float:
    """Poll until every certificate of these passes has ``field`` set; returns the wall
    clock when that was seen."""
    from certification.models import Certificate

    ids = [a.enrolment_id for a, _r in items]
    deadline = time.monotonic() + timeout
    query = Certificate.objects.filter(award__enrolment_id__in=ids, **{f"{field}__isnull": False})
    while time.monotonic() < deadline:
        if query.count() == len(ids):
            return time.time()
        time.sleep(POLL_S)
    failed = Certificate.objects.filter(award__enrolment_id__in=ids, status="failed").count()
    raise RuntimeError(f"{field} not set on all {len(ids)} certificates within {timeout:.0f} s ({failed} failed)")


def drain(items, *, timeout: float, queue: str) -> None:
    wait_for(items, "rendered_at", timeout=timeout)
    wait_for(items, "emailed_at", timeout=timeout)
    wait_idle(queue)


def render_starts(worker: Worker) -> dict[str, dict]:
    """The probe's record of each render task, by certificate id (the last if retried)."""
    return {r["arg"]: r for r in worker.task_records() if r["task"] == RENDER_TASK}


def warm_up(examiner, pending: list, *, worker: Worker, queue: str) -> int:
    """Pairs of passes at once until both pool processes have rendered (fonts loaded)."""
    used = 0
    for _pair in range(WARMUP_PAIRS_MAX):
        items, pending[:] = pending[:2], pending[2:]
        for assessment, rubric in items:
            pass_final(examiner, assessment, rubric)
        used += len(items)
        drain(items, timeout=120, queue=queue)
        rendered_by = {r["pid"] for r in worker.task_records() if r["task"] == RENDER_TASK}
        if len(rendered_by) >= worker.concurrency:
            break
    return used


def throughput_round(examiner, items, *, worker: Worker, bare: BarePair, queue: str, bare_first: bool) -> dict:
    """The passes with the worker paused, then the worker draining them and the bare pair
    rendering the same certificates' HTML, in either order."""
    from certification.documents import certificate_html

    wait_idle(queue)
    worker.pause()
    began = time.perf_counter()
    calls = [pass_final(examiner, a, r)[1] for a, r in items]
    passes_s = time.perf_counter() - began
    t0 = time.perf_counter()
    documents = [certificate_html(c) for c in certificates_for(items)]
    html_s = time.perf_counter() - t0

    def run_worker() -> dict:
        cpu = worker.cpu_seconds()
        resumed = time.time()
        worker.resume()
        drain(items, timeout=60 + 5 * len(items), queue=queue)
        cpu = worker.cpu_seconds() - cpu
        certificates = certificates_for(items)
        return {
            "resumed": resumed,
            "span_pdf_s": max(c.rendered_at.timestamp() for c in certificates) - resumed,
            "span_email_s": max(c.emailed_at.timestamp() for c in certificates) - resumed,
            "cpu_s": cpu,
            "certificates": certificates,
        }

    t0 = time.perf_counter()
    if bare_first:
        bare_result = bare.render(documents)
        worker_result = run_worker()
    else:
        worker_result = run_worker()
        bare_result = bare.render(documents)
    return {
        "n": len(items),
        "pass_s": calls,
        "passes_s": passes_s,
        "html_s": html_s,
        "html_bytes": [len(d) for d in documents],
        "worker": worker_result,
        "bare": bare_result,
        "measure_s": time.perf_counter() - t0,
    }


def latency_round(examiner, items, *, rate: float, queue: str) -> dict:
    """Passes at ``rate`` per second with the worker consuming; each's publish time is
    matched with its render task's start afterwards."""
    began = time.perf_counter()
    rows = []
    for k, (assessment, rubric) in enumerate(items):
        delay = began + k / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        committed, call_s = pass_final(examiner, assessment, rubric)
        rows.append({"committed": committed, "pass_s": call_s})
    offered_s = time.perf_counter() - began
    drain(items, timeout=60 + 5 * len(items), queue=queue)
    return {"rows": rows, "certificates": certificates_for(items), "offered_s": offered_s}


def chunks(values: list, parts: int) -> list[list]:
    bounds = [round(i * len(values) / parts) for i in range(parts + 1)]
    return [values[bounds[i] : bounds[i + 1]] for i in range(parts)]


def task_breakdown(records: list[dict], windows: list[tuple[float, float]]) -> dict:
    """Per task name, over the tasks that started inside the throughput windows: how many,
    their wall, CPU, database and WeasyPrint time; and per pool process, how many tasks
    and how long it sat between tasks while work was queued."""
    inside = [r for r in records if any(a <= r["start"] <= b for a, b in windows)]
    by_name: dict[str, list[dict]] = {}
    for r in inside:
        by_name.setdefault(r["task"].rsplit(".", 1)[-1], []).append(r)

    def mean_ms(rows: list[dict], key: str) -> float:
        values = [r[key] for r in rows if r.get(key) is not None]
        return round(1000 * sum(values) / len(values), 1) if values else None

    tasks = {
        name: {
            "n": len(rows),
            "wall_ms": summary_ms([r["end"] - r["start"] for r in rows]),
            "cpu_ms_mean": mean_ms(rows, "cpu_s"),
            "db_ms_mean": mean_ms(rows, "db_s"),
            "queries_mean": round(sum(r["queries"] or 0 for r in rows) / len(rows), 1),
            "weasyprint_ms_mean": mean_ms(rows, "render_s"),
            "weasyprint_cpu_ms_mean": mean_ms(rows, "render_cpu_s"),
        }
        for name, rows in sorted(by_name.items())
    }
    processes = {}
    for pid in sorted({r["pid"] for r in inside}):
        rows = [r for r in inside if r["pid"] == pid]
        busy = sum(r["end"] - r["start"] for r in rows)
        gaps = [b["start"] - a["end"] for a, b in zip(rows, rows[1:], strict=False)]
        gaps = [g for g in gaps if g < 1.0]  # not the pause between rounds
        processes[str(pid)] = {
            "tasks": len(rows),
            "renders": sum(1 for r in rows if r["task"] == RENDER_TASK),
            "busy_s": round(busy, 2),
            "between_tasks_ms": summary_ms(gaps),
        }
    return {"tasks": tasks, "processes": processes}


def scenario(args) -> dict:
    from celery.signals import before_task_publish
    from django.db import connection

    queue = os.environ["CELERY_QUEUE"]
    work = args.out.parent
    parts: dict[str, float] = {}
    began = time.perf_counter()
    # Nothing pinned: whatever affinity the caller had, the worker and the bare pair get every CPU.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))

    warmup_max = 2 * WARMUP_PAIRS_MAX
    t0 = time.perf_counter()
    examiner, pending = seed(
        warmup_max + args.certificates, seed_value=args.seed, through_services=args.seed_through_services
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    check_one_submit_away(pending)
    parts["seed_s"] = time.perf_counter() - t0
    warmup, measured = pending[:warmup_max], pending[warmup_max:]
    latency_n = min(args.latency, len(measured) - args.rounds)
    rounds = max(1, min(args.rounds, len(measured) - latency_n))
    throughput_chunks = chunks(measured[latency_n:], rounds)
    latency_chunks = chunks(measured[:latency_n], rounds)

    before_task_publish.connect(record_publish, weak=False)
    worker = Worker(
        queue=queue, log_path=work / "certificates-worker.log", probe_dir=work / "probe",
        concurrency=args.concurrency, loglevel=args.worker_loglevel,
    )  # fmt: skip
    bare = BarePair(processes=args.concurrency, work=work)
    per_round, latency, memory_rounds = [], [], []
    try:
        t0 = time.perf_counter()
        worker.start()
        wait_idle(queue)
        parts["worker_start_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        warmup_used = warm_up(examiner, warmup, worker=worker, queue=queue)
        memory_warm = worker.memory()
        renders_warm = len(render_starts(worker))
        parts["warmup_s"] = time.perf_counter() - t0
        rate = None
        for r in range(rounds):
            log(
                f"certificates round {r + 1}/{rounds}: {len(throughput_chunks[r])} passes with the worker paused, "
                f"then {'bare, worker' if r % 2 == 0 else 'worker, bare'}; {len(latency_chunks[r])} paced passes"
            )
            result = throughput_round(
                examiner, throughput_chunks[r], worker=worker, bare=bare, queue=queue, bare_first=r % 2 == 0
            )
            per_round.append(result)
            bare_rate = sum(x["n"] for x in per_round) / sum(x["bare"]["elapsed_s"] for x in per_round)
            rate = args.pace * bare_rate
            if latency_chunks[r]:
                latency.append(latency_round(examiner, latency_chunks[r], rate=rate, queue=queue))
            memory_rounds.append(
                {"renders": len(render_starts(worker)), "worker_rss_mb": worker.memory()["children_rss_mb"]}
                | {"bare_rss_mb": bare.rss_mb(), "bare_renders": sum(x["n"] for x in per_round) + len(bare.processes)}
            )
        memory_after = worker.memory() | {"bare_rss_mb": bare.rss_mb()}
        records = worker.task_records()
    finally:
        worker.stop()
        bare.stop()
        broker_cleanup(queue)
        before_task_publish.disconnect(record_publish)
    for name, key in (("passes_s", "passes_s"), ("html_s", "html_s")):
        parts[name] = sum(x[key] for x in per_round)
    parts["worker_drain_s"] = sum(x["worker"]["span_email_s"] for x in per_round)
    parts["bare_s"] = sum(x["bare"]["elapsed_s"] for x in per_round)
    parts["latency_s"] = sum(x["offered_s"] for x in latency)
    return results(
        args, per_round=per_round, latency=latency, records=records, parts=parts, began=began, worker=worker,
        memory_warm=memory_warm, memory_after=memory_after, renders_warm=renders_warm, warmup_used=warmup_used,
        rate=rate, memory_rounds=memory_rounds,
    )  # fmt: skip


def results(args, *, per_round, latency, records, parts, began, worker, memory_warm, memory_after, **extra) -> dict:
    renders = {r["arg"]: r for r in records if r["task"] == RENDER_TASK}
    by_task_id = {r["id"]: r for r in records}
    published = {by_task_id[t]["arg"]: at for t, at in PUBLISHED.items() if t in by_task_id}

    n = sum(x["n"] for x in per_round)
    span_pdf = sum(x["worker"]["span_pdf_s"] for x in per_round)
    span_email = sum(x["worker"]["span_email_s"] for x in per_round)
    bare_s = sum(x["bare"]["elapsed_s"] for x in per_round)
    worker_cpu = sum(x["worker"]["cpu_s"] for x in per_round)
    bare_cpu = sum(x["bare"]["cpu_s"] for x in per_round)
    worker_rate, bare_rate = n / span_pdf, n / bare_s
    ratios = [(x["n"] / x["worker"]["span_pdf_s"]) / (x["n"] / x["bare"]["elapsed_s"]) for x in per_round]
    certificates = [c for x in per_round for c in x["worker"]["certificates"]]
    latency_certificates = [c for x in latency for c in x["certificates"]]
    everything = certificates + latency_certificates
    to_start = [renders[str(c.pk)]["start"] - published[str(c.pk)] for c in latency_certificates]
    to_pdf = [c.rendered_at.timestamp() - published[str(c.pk)] for c in latency_certificates]
    windows = [(x["worker"]["resumed"], x["worker"]["resumed"] + x["worker"]["span_email_s"]) for x in per_round]
    latency_n = len(latency_certificates)
    offered = sum(x["offered_s"] for x in latency)
    return {
        "config": {
            "certificates": n + latency_n,
            "throughput_certificates": n,
            "latency_certificates": latency_n,
            "rounds": len(per_round),
            "warmup_passes": extra["warmup_used"],
            "pace": args.pace,
            "worker": " ".join(worker.command[1:]).replace(str(worker.log_path), "<log>"),
            "bare": f"{args.concurrency} processes, certification.documents.pdf_from_html, each taking the next "
            "document when free",
            "pinning": "none: worker and bare processes on both CPUs",
            "seed": "through the services" if args.seed_through_services else "bulk inserts (real final pass)",
            "broker": os.environ.get("REDIS_URL"),
            "email_backend": os.environ.get("EMAIL_BACKEND"),
        },
        # Throughput: the backlog of each round drained by the worker against the bare pair.
        "worker_per_s": round(worker_rate, 3),
        "worker_emailed_per_s": round(n / span_email, 3),
        "bare_per_s": round(bare_rate, 3),
        "ratio": round(worker_rate / bare_rate, 3),
        "ratio_emailed": round(n / span_email / bare_rate, 3),
        "ratio_per_round": [round(r, 3) for r in ratios],
        "ratio_median_of_rounds": round(statistics.median(ratios), 3),
        "worker_per_s_per_round": [round(x["n"] / x["worker"]["span_pdf_s"], 3) for x in per_round],
        "bare_per_s_per_round": [round(x["n"] / x["bare"]["elapsed_s"], 3) for x in per_round],
        # CPU seconds (worker: parent and pool processes; bare: the render calls), PostgreSQL
        # and Redis not counted.
        "worker_cpu_ms_per_certificate": round(1000 * worker_cpu / n, 1),
        "bare_cpu_ms_per_document": round(1000 * bare_cpu / n, 1),
        "cpu_ratio": round(bare_cpu / worker_cpu, 3),
        "bare_render_ms": summary_ms([t for x in per_round for t in x["bare"]["render_s"]]),
        # Latency: passes paced at `pace` × B with the worker consuming.
        "latency": {
            "passes": latency_n,
            "offered_per_s": round(latency_n / offered, 2) if offered else None,
            "target_per_s": round(extra["rate"], 2) if extra["rate"] else None,
            "enqueue_to_start_ms": summary_ms(to_start),
            "enqueue_to_pdf_ms": summary_ms(to_pdf),
            "pass_call_ms": summary_ms([row["pass_s"] for x in latency for row in x["rows"]]),
        },
        "memory_after_warmup": memory_warm | {"renders": extra["renders_warm"]},
        "memory": memory_after | {"renders": len(renders)},
        # Pool processes' and bare processes' RSS after each round, against the renders so far.
        "memory_per_round": extra["memory_rounds"],
        "breakdown": task_breakdown(records, windows),
        "signing": signing_cost(certificates[:SIGNING_SAMPLE], bare_cpu_ms=1000 * bare_cpu / n),
        "pass_call_ms": summary_ms([t for x in per_round for t in x["pass_s"]]),
        "html_ms_per_document": round(1000 * sum(x["html_s"] for x in per_round) / n, 1),
        "html_bytes_mean": round(sum(b for x in per_round for b in x["html_bytes"]) / n),
        "pdf_bytes_mean_stored": round(sum(c.pdf.size for c in certificates) / n),
        "pdf_bytes_mean_bare": round(sum(b for x in per_round for b in x["bare"]["pdf_bytes"]) / n),
        "statuses": sorted({c.status for c in everything}),
        "render_attempts_max": max(c.render_attempts for c in everything),
        "emails_written": emails_written(Path(os.environ["EMAIL_FILE_PATH"])),
        "worker_error_lines": worker.error_lines(),
        "parts_s": {name: round(value, 1) for name, value in parts.items()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "elapsed_s": round(time.perf_counter() - began, 1),
    }


SIGNING_SAMPLE = 50


def signing_cost(certificates, *, bare_cpu_ms: float) -> dict:
    """The credential's signing (certification.credentials: build the Open Badge, JSON-LD
    canonicalisation, Ed25519), which the render task does before the PDF: timed alone on
    issued certificates in this (warm) process, wall and CPU."""
    from certification.credentials.openbadge import credential_issue

    wall, cpu = [], []
    for certificate in certificates:
        started, started_cpu = time.perf_counter(), time.process_time()
        credential_issue(certificate)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    cpu_ms = summary_ms(cpu)
    return {
        "certificates": len(certificates),
        "wall_ms": summary_ms(wall),
        "cpu_ms": cpu_ms,
        "cpu_share_of_bare_render": round(cpu_ms["p50"] / bare_cpu_ms, 4) if cpu_ms and bare_cpu_ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=300, help="certificates measured (warm-up aside)")
    parser.add_argument("--latency", type=int, default=40, help="of them, paced passes for the latency")
    parser.add_argument("--rounds", type=int, default=4, help="throughput rounds (worker and bare alternate)")
    parser.add_argument("--pace", type=float, default=0.5, help="latency passes per second, as a fraction of B")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes, and bare processes")
    parser.add_argument("--seed-through-services", action="store_true", help="seed through the services (slow)")
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
