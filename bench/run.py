"""The exam-day benchmark driver: ``make bench``.

1. Creates a scratch PostgreSQL database (dropped and recreated each run), migrates it
   and seeds it (bench/seed.py): one course, a 40-item exam, N trainees with open attempts
   started through the real service, and a database session + CSRF cookie for each.
2. Starts gunicorn (3 sync workers, pinned to CPU 0) with bench.settings: the production
   settings plus a one-query baseline view at /bench/ping/.
3. Runs the load generator (bench/load.py, pinned to CPU 1) against the baseline, the exam
   page and autosave at saturation, in interleaved rounds (4 rounds of 5 s per scenario by
   default, the order rotated each round), so that a slow spell of the machine weighs on
   the three alike instead of on whichever scenario happened to run then.
4. Stops gunicorn and times the item analysis on 10,000 submitted attempts of a 60-item
   exam (bench/item_analysis.py).
5. The certificates scenario (bench/certificates.py): one Celery worker on Redis (pinned to
   CPU 0) renders the certificates of N trainees whose last practical pass is submitted at
   once; certificates per second beside bare WeasyPrint on the same documents, and the time
   from that pass to the stored PDF. ``--only certificates`` runs this step alone.
6. Writes bench/results/<date>-<commit>.json and prints a table.

gunicorn and the Celery worker are stopped and the database dropped however the run ends
(``--keep-db`` keeps the database for a look afterwards).

Environment (all optional): BENCH_PG_URL (an administrative connection, default
postgres://postgres@127.0.0.1:5432/postgres), BENCH_DB (glabella_bench), BENCH_REDIS_URL
(redis://127.0.0.1:6379/13), BENCH_PORT (8765).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
TMP_DIR = RESULTS_DIR / "tmp"  # git-ignored
PYTHON = sys.executable
BIN_DIR = Path(PYTHON).parent

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "glabella_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
HOST = "127.0.0.1"
WORKERS = 3

TARGETS = {
    "exam_page_ratio": 0.20,  # exam page throughput ≥ 0.20 × H
    "autosave_ratio": 0.30,  # autosave throughput ≥ 0.30 × H
    "p99_over_p50": 4.0,  # p99 ≤ 4 × p50
    "errors": 0,
    "item_analysis_s": 2.0,  # 10,000 attempts of a 60-item exam
}
# Set by the driver for each step (or left to the settings' defaults), never inherited.
SCRUBBED_ENV = (
    "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND", "CELERY_QUEUE", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "PRIVATE_MEDIA_ROOT",
)  # fmt: skip
SCENARIOS = [
    ("baseline", "ping", "GET /bench/ping/ (one query, anonymous)"),
    ("exam_page", "page", "GET /attempts/<uuid>/ (40 items)"),
    ("autosave", "autosave", "POST /attempts/<uuid>/autosave/"),
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def db_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_connection():
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL, connect_timeout=5)
    connection.autocommit = True
    return connection


def drop_database(*, create: bool = False) -> None:
    from psycopg2 import sql

    connection = admin_connection()  # autocommit: (DROP|CREATE) DATABASE refuse a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
            if create:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    finally:
        connection.close()


def postgres_version() -> str:
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def check_services() -> None:
    try:
        admin_connection().close()
    except Exception as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {ADMIN_URL}: {exc}") from exc
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        raise SystemExit(f"Redis is not reachable at {REDIS_URL}: {exc}") from exc


def pinned(cpu: int, command: list[str]) -> list[str]:
    """Run on one CPU when taskset exists and the machine has more than one."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu % (os.cpu_count() or 1)), *command]
    return command


def run_step(name: str, command: list[str], env: dict, timings: dict) -> None:
    log(f"{name}: {' '.join(command[-6:])}")
    began = time.perf_counter()
    subprocess.run(command, env=env, cwd=BASE_DIR, check=True)
    timings[name] = round(time.perf_counter() - began, 1)


class Gunicorn:
    def __init__(self, env: dict):
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log_path = TMP_DIR / "gunicorn.log"

    def start(self) -> None:
        command = pinned(
            0,
            [
                str(BIN_DIR / "gunicorn"),
                "config.wsgi:application",
                "--workers", str(WORKERS),
                "--worker-class", "sync",
                "--bind", f"{HOST}:{PORT}",
                "--chdir", str(BASE_DIR),
                "--no-control-socket",
                "--timeout", "60",
                "--error-logfile", str(self.log_path),
            ],
        )  # fmt: skip
        self.log_path.unlink(missing_ok=True)
        # Its own session and process group: stopped as a group, by its id, and out of
        # reach of a Ctrl-C meant for this driver (which stops it in its own time).
        self.process = subprocess.Popen(command, env=self.env, cwd=BASE_DIR, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{PORT}/bench/ping/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer on {HOST}:{PORT} within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def error_lines(self) -> int:
        if not self.log_path.exists():
            return 0
        text = self.log_path.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if "[ERROR]" in line or line.startswith("Traceback"))


def stop_orphan_worker(pid_file: Path) -> None:
    """bench/certificates.py stops its Celery worker itself; if it was killed first (a
    SIGTERM here makes subprocess.run kill it), the worker it left is stopped here, by the
    id it recorded, once its command line shows it is still that worker."""
    try:
        pid, queue = pid_file.read_text().split()
        command = Path(f"/proc/{int(pid)}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return
    if "celery" in command and queue in command:
        try:
            os.killpg(int(pid), signal.SIGTERM)
            log(f"stopped the certificates worker {pid}")
        except ProcessLookupError:
            pass
    pid_file.unlink(missing_ok=True)


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(BASE_DIR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip() or "nogit"
    except (OSError, subprocess.CalledProcessError):
        return "nogit"


def worktree_changes() -> list[str]:
    """Tracked files that differ from the commit (outside bench/results): what ran was not
    quite ``commit`` if this is not empty."""
    try:
        out = subprocess.run(
            ["git", "-C", str(BASE_DIR), "diff", "--name-only", "HEAD", "--", ".", ":!bench/results"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return []
    return out.stdout.split()


def uname() -> str:
    try:
        return subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return " ".join(platform.uname())


def versions() -> dict:
    import django

    found = {"python": platform.python_version(), "django": django.get_version(), "postgresql": postgres_version()}
    for module in ("gunicorn", "aiohttp", "psycopg2"):
        try:
            found[module] = __import__(module).__version__.split(" ")[0]
        except (ImportError, AttributeError):
            found[module] = None
    return found


def merge(slices: list[dict], description: str) -> dict:
    """One scenario's rounds as one result: counts summed, latencies pooled."""
    from load import coefficient_of_variation, percentile

    latencies = sorted(x for s in slices for x in s.pop("latencies_ms"))
    count = len(latencies)
    duration = sum(s["duration_s"] for s in slices)
    statuses: dict[str, int] = {}
    for s in slices:
        for status, n in s["status_counts"].items():
            statuses[status] = statuses.get(status, 0) + n
    per_second = [n for s in slices for n in s["per_second"][: int(s["duration_s"])]]
    errors = sum(s["errors"] for s in slices)
    return {
        "scenario": slices[0]["scenario"],
        "description": description,
        "concurrency": slices[0]["concurrency"],
        "rounds": len(slices),
        "duration_s": duration,
        "requests": count,
        "errors": errors,
        "error_rate": errors / count if count else None,
        "rps": count / duration if duration else 0.0,
        "rps_per_round": [round(s["rps"], 1) for s in slices],
        "latency_ms": {
            "min": latencies[0] if count else None,
            "mean": sum(latencies) / count if count else None,
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if count else None,
        },
        "status_counts": statuses,
        "per_second": per_second,
        "per_second_cv": coefficient_of_variation(per_second),
        "error_samples": [e for s in slices for e in s["error_samples"]][:5],
        "generator_cpu_percent": sum(s["generator_cpu_percent"] for s in slices) / len(slices),
    }


def evaluate(scenarios: dict, ratios: dict, analysis: dict) -> list[dict]:
    checks = [
        {
            "target": f"exam page ≥ {TARGETS['exam_page_ratio']:.2f} × H",
            "value": round(ratios["exam_page"], 3),
            "met": ratios["exam_page"] >= TARGETS["exam_page_ratio"],
        },
        {
            "target": f"autosave ≥ {TARGETS['autosave_ratio']:.2f} × H",
            "value": round(ratios["autosave"], 3),
            "met": ratios["autosave"] >= TARGETS["autosave_ratio"],
        },
    ]
    for name, result in scenarios.items():
        spread = result["latency_ms"]["p99"] / result["latency_ms"]["p50"]
        checks.append(
            {
                "target": f"{name}: p99 ≤ {TARGETS['p99_over_p50']:.0f} × p50",
                "value": round(spread, 2),
                "met": spread <= TARGETS["p99_over_p50"],
            }
        )
    errors = sum(r["errors"] for r in scenarios.values())
    checks.append({"target": "0 errors", "value": errors, "met": errors == TARGETS["errors"]})
    checks.append(
        {
            "target": f"item analysis ≤ {TARGETS['item_analysis_s']:.0f} s (10,000 attempts × 60 items)",
            "value": analysis["best_s"],
            "met": analysis["best_s"] <= TARGETS["item_analysis_s"],
        }
    )
    return checks


def table(results: dict) -> str:
    lines = [
        f"Glabella exam-day benchmark — {results['date']} @ {results['commit']} "
        f"({results['machine']['cpu_count']} CPUs; Python {results['versions']['python']}, "
        f"Django {results['versions']['django']}, PostgreSQL {results['versions']['postgresql']})",
    ]
    if results.get("worktree_changes"):
        lines.append(f"uncommitted changes in: {', '.join(results['worktree_changes'])}")
    if "scenarios" in results:
        lines += exam_day_table(results)
    if results.get("certificates"):
        lines += ["", *certificates_table(results["certificates"])]
    lines.append(f"\ntotal {results['phases_s']['total']:.0f} s; phases {results['phases_s']}")
    return "\n".join(lines)


def certificates_table(c: dict) -> list[str]:
    cfg, idle = c["config"], c["idle"]
    return [
        f"certificates: one Celery worker (--pool=solo) on Redis and the bare loop, each pinned to CPU "
        f"{cfg['worker_cpu']}, in {cfg['rounds']} interleaved rounds; {cfg['certificates']} final practical passes "
        f"at once in all, {cfg['idle_passes']} one at a time",
        f"{'':<38} {'per s':>6} {'× bare':>7}  × bare per round",
        f"{'worker: pass → stored PDF':<38} {c['worker_per_s']:>6.2f} {c['ratio']:>7.3f}  "
        f"{' '.join(f'{r:.3f}' for r in c['ratio_per_round'])} (median {c['ratio_median_of_rounds']:.3f})",
        f"{'worker: pass → certificate emailed':<38} {c['worker_emailed_per_s']:>6.2f} {c['ratio_emailed']:>7.3f}",
        f"{'bare WeasyPrint (core.pdf.render_pdf)':<38} {c['bare_per_s']:>6.2f} {1:>7.3f}  "
        f"(render p50 {c['bare_render_ms']['p50']:.0f} ms)",
        f"CPU per certificate: worker {c['worker_cpu_ms_per_certificate']:.0f} ms, bare "
        f"{c['bare_cpu_ms_per_document']:.0f} ms (bare/worker {c['cpu_ratio']:.3f}); share of its CPU: worker "
        f"{c['worker_cpu_percent']:.0f} %, bare {c['bare_cpu_percent']:.0f} %",
        f"pass → stored PDF, idle worker: p50 {idle['to_pdf_ms']['p50']:.0f} ms, max {idle['to_pdf_ms']['max']:.0f} ms "
        f"(first render of a fresh worker {c['cold_first_to_pdf_ms']:.0f} ms)",
        f"pass → stored PDF, passes at once: p50 {c['to_pdf_ms']['p50']:.0f} ms, p95 {c['to_pdf_ms']['p95']:.0f} ms, "
        f"max {c['to_pdf_ms']['max']:.0f} ms (queued behind the others)",
        f"statuses {', '.join(c['statuses'])}; worker error log lines {c['worker_error_lines']}",
        "(a share of its CPU well below 90 % for the bare loop: something else ran on that CPU and the wall-clock "
        "ratios are noise; the CPU ratio holds better)",
    ]


def exam_day_table(results: dict) -> list[str]:
    lines = [
        f"gunicorn {WORKERS} sync workers on CPU 0, load generator on CPU 1, "
        f"concurrency {results['config']['concurrency']}, {results['config']['duration_s']:.0f} s per scenario "
        f"in {results['config']['rounds']} interleaved rounds",
        "",
        f"{'scenario':<15} {'req/s':>8} {'× H':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'p99/p50':>8} {'errors':>7} {'gen CPU':>8} {'CV/s':>6}  × H per round",
    ]
    for name, result in results["scenarios"].items():
        lat = result["latency_ms"]
        lines.append(
            f"{name:<15} {result['rps']:>8.1f} {results['ratios'][name]:>6.3f} {lat['p50']:>8.1f} {lat['p95']:>8.1f} "
            f"{lat['p99']:>8.1f} {lat['p99'] / lat['p50']:>8.2f} {result['errors']:>7d} "
            f"{result['generator_cpu_percent']:>7.0f}% {result['per_second_cv'] or 0:>6.2f}  "
            f"{' '.join(f'{r:.3f}' for r in results['ratios_per_round'][name])}"
        )
    analysis = results["item_analysis"]
    lines += [
        "",
        f"item analysis: {analysis['attempts']:,} attempts × {analysis['items']} items "
        f"({analysis['attempt_items']:,} rows, {analysis['attemptitem_table_mb']} MB): best of {analysis['repeats']} "
        f"{analysis['best_s']:.2f} s (runs {', '.join(f'{t:.2f}' for t in analysis['timings_s'])}); "
        f"{analysis['queries']} queries",
        "",
        "targets:",
    ]
    lines += [f"  [{'met' if c['met'] else 'NOT MET'}] {c['target']}: {c['value']}" for c in results["targets"]]
    lines.append(
        f"\nH = {results['baseline_H_rps']:.1f} req/s. CV/s: variation of the per-second counts (above ~0.15, "
        f"something else on the machine was busy; load average at start {results['load_average_at_start']})."
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per scenario, in all")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds the duration is split into")
    parser.add_argument("--warmup", type=float, default=1.0, help="unrecorded seconds before each slice")
    parser.add_argument("--attempts", type=int, default=10_000, help="submitted attempts for the item analysis")
    parser.add_argument("--items", type=int, default=60, help="items per attempt for the item analysis")
    parser.add_argument(
        "--certificates", type=int, default=60, help="certificates rendered at once (0: skip the scenario)"
    )
    parser.add_argument("--certificates-idle", type=int, default=10, help="passes one at a time for the latency")
    parser.add_argument("--certificates-rounds", type=int, default=6, help="rounds worker and bare alternate in")
    parser.add_argument(
        "--only", choices=["certificates"], help="run this scenario alone (written to <date>-<commit>-<name>.json)"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    if args.only == "certificates" and args.certificates < 1:
        parser.error("--only certificates needs --certificates ≥ 1")

    began = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    phases: dict[str, float] = {}
    # SIGTERM (e.g. from make or CI) unwinds like Ctrl-C, through the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    check_services()

    base_env = {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENV}
    base_env |= {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": db_url(DB_NAME),
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BENCH_STATIC_ROOT": str(TMP_DIR / "static"),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
    }
    app_env = base_env | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    bench_env = base_env | {"DJANGO_SETTINGS_MODULE": "bench.settings"}
    sessions = TMP_DIR / "sessions.json"

    gunicorn = Gunicorn(bench_env)
    database_made = False
    try:
        log(f"database {DB_NAME}: drop and create")
        drop_database(create=True)
        database_made = True
        manage = [PYTHON, "manage.py"]
        run_step("migrate", [*manage, "migrate", "--noinput", "-v", "0"], app_env, phases)
        if not args.only:
            run_step(
                "seed",
                [PYTHON, "bench/seed.py", "--trainees", str(args.trainees), "--out", str(sessions)],
                app_env,
                phases,
            )
            run_step("collectstatic", [*manage, "collectstatic", "--noinput", "-v", "0"], bench_env, phases)

            log(f"gunicorn: {WORKERS} sync workers on {HOST}:{PORT}")
            t0 = time.perf_counter()
            gunicorn.start()
            phases["gunicorn_start"] = round(time.perf_counter() - t0, 1)

            slices: dict[str, list[dict]] = {name: [] for name, _, _ in SCENARIOS}
            load_began = time.perf_counter()
            for round_ in range(args.rounds):
                order = SCENARIOS[round_ % len(SCENARIOS) :] + SCENARIOS[: round_ % len(SCENARIOS)]
                for name, scenario, _ in order:
                    out = TMP_DIR / f"load-{scenario}-{round_ + 1}.json"
                    log(f"round {round_ + 1}/{args.rounds}: {name}")
                    subprocess.run(
                        pinned(
                            1,
                            [
                                PYTHON, "bench/load.py", "--scenario", scenario, "--base", f"http://{HOST}:{PORT}",
                                "--sessions", str(sessions), "--concurrency", str(args.concurrency),
                                "--duration", str(args.duration / args.rounds), "--warmup", str(args.warmup),
                                "--seed", str(round_ + 1), "--raw", "--out", str(out),
                            ],
                        ),
                        env=base_env, cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL,
                    )  # fmt: skip
                    slices[name].append(json.loads(out.read_text()))
            phases["load"] = round(time.perf_counter() - load_began, 1)
            scenarios = {name: merge(slices[name], description) for name, _, description in SCENARIOS}
            server_errors = gunicorn.error_lines()
            gunicorn.stop()

            analysis_out = TMP_DIR / "item-analysis.json"
            run_step(
                "item_analysis",
                [
                    PYTHON, "bench/item_analysis.py", "--attempts", str(args.attempts), "--items", str(args.items),
                    "--out", str(analysis_out),
                ],
                app_env,
                phases,
            )  # fmt: skip
            analysis = json.loads(analysis_out.read_text())

            baseline = scenarios["baseline"]["rps"]
            ratios = {name: (result["rps"] / baseline if baseline else 0.0) for name, result in scenarios.items()}
            # The same ratio within each round: how far the machine's mood moved it.
            ratios_per_round = {
                name: [
                    round(rps / h, 3) if h else None
                    for rps, h in zip(result["rps_per_round"], scenarios["baseline"]["rps_per_round"], strict=True)
                ]
                for name, result in scenarios.items()
            }
            exam_day = {
                "baseline_H_rps": baseline,
                "scenarios": scenarios,
                "ratios": ratios,
                "ratios_per_round": ratios_per_round,
                "server_error_log_lines": server_errors,
                "item_analysis": analysis,
            }

        certificates = None
        if args.certificates:
            # One Celery worker on a queue of its own; its files under results/tmp/certificates.
            work = TMP_DIR / "certificates"
            shutil.rmtree(work, ignore_errors=True)
            (work / "mail").mkdir(parents=True)
            cert_env = app_env | {
                "CELERY_QUEUE": f"bench-certificates-{secrets.token_hex(4)}",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(work / "mail"),
                "PRIVATE_MEDIA_ROOT": str(work / "private"),
            }
            cert_out = work / "certificates.json"
            run_step(
                "certificates",
                pinned(
                    1,
                    [
                        PYTHON, "bench/certificates.py", "--certificates", str(args.certificates),
                        "--idle", str(args.certificates_idle), "--rounds", str(args.certificates_rounds),
                        "--worker-cpu", "0", "--out", str(cert_out),
                    ],
                ),
                cert_env,
                phases,
            )  # fmt: skip
            certificates = json.loads(cert_out.read_text())

        commit = git_commit()
        today = datetime.datetime.now(datetime.UTC).date().isoformat()
        phases["total"] = round(time.perf_counter() - began, 1)
        results = {
            "date": today,
            "commit": commit,
            "worktree_changes": worktree_changes(),
            "machine": {"uname": uname(), "cpu_count": os.cpu_count()},
            "versions": versions(),
            "config": {
                "only": args.only,
                "certificates": args.certificates,
                "certificates_idle": args.certificates_idle,
                "certificates_rounds": args.certificates_rounds,
            },
            "load_average_at_start": load_at_start,
        }
        if not args.only:
            results["config"] |= {
                "gunicorn": f"{WORKERS} sync workers, CONN_MAX_AGE=60, pinned to CPU 0",
                "load_generator": "bench/load.py (asyncio + aiohttp, closed loop), pinned to CPU 1",
                "trainees": args.trainees,
                "concurrency": args.concurrency,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "warmup_s_per_slice": args.warmup,
            }
            results |= exam_day
        results["certificates"] = certificates
        results["phases_s"] = phases
        if not args.only:
            results["targets"] = evaluate(scenarios, ratios, analysis)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{today}-{commit}{f'-{args.only}' if args.only else ''}.json"
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print()
        print(table(results))
        print(f"\nwritten to {path.relative_to(BASE_DIR)}")
        return 0
    finally:
        gunicorn.stop()
        stop_orphan_worker(TMP_DIR / "certificates" / "certificates-worker.pid")
        if database_made and not args.keep_db:
            try:
                drop_database()
                log(f"database {DB_NAME} dropped")
            except Exception as exc:
                log(f"could not drop {DB_NAME}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
