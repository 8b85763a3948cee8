"""The exam-day benchmark's HTTP load generator (asyncio + aiohttp), four modes.

Closed loop (``--scenario ping|page|autosave``): ``--concurrency`` workers each send one
request, wait for the whole response, and send the next, for ``--warmup`` + ``--duration``
seconds; only requests *started* after the warm-up are recorded. Each request goes out as
the next trainee in turn (round robin over the seeded trainees), with that trainee's own
session cookie, CSRF cookie and attempt. This holds the server at saturation.

Open loop at fixed rates (``--plan page@20,autosave@30,...``): each step sends requests
at evenly spaced scheduled times (``rate`` per second, for ``--warmup`` + ``--duration``
seconds), whether or not earlier ones have been answered, and times each from its
*scheduled* send time, so a server (or a generator) that falls behind shows in the
latency instead of silently sending less (coordinated omission, as wrk2 avoids it).

Start storm (``--scenario storm``): every trainee in the sessions file's ``storm`` list
sends ``--clicks`` POSTs to the course's start-attempt URL, all released at the same
instant (a double click each by default); each answer must be a redirect to
/attempts/<uuid>/, the same attempt for one trainee's clicks.

Exam-day mix (``--scenario mix --steps 500,1000,...``): an open model of trainees sitting
the exam (``mix_script``), each with its own session and open attempt, thinking 10–30 s
(uniform) between actions; the number of trainees steps up, each step measured apart.

Scenarios:
  ping      GET  /bench/ping/                  anonymous, no cookies (the baseline H)
  page      GET  /attempts/<uuid>/page/<k>/    a page of the paper (k random; page 1 is
                                              /attempts/<uuid>/), 200 expected (a redirect is an error)
  autosave  POST /attempts/<uuid>/autosave/    {"position": k, "keys": [<an option of item k>]},
                                              200 with "ok": true expected

Result, one JSON object (printed, or written to --out with a one-line summary printed):
requests, errors, throughput, latency percentiles (ms), status counts, requests completed
per second, and the generator's own CPU use (near 100 % means the generator, not the
server, was the limit); with --raw, every latency too (bench/run.py pools the rounds).

Usage:
    taskset -c 1 python bench/load.py --scenario page --sessions bench/results/tmp/sessions.json
    taskset -c 1 python bench/load.py --plan page@25,autosave@40 --sessions ...
    taskset -c 1 python bench/load.py --scenario storm --sessions ...
    taskset -c 1 python bench/load.py --scenario mix --steps 500,1000,1500 --sessions ...
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def coefficient_of_variation(values: list[int]) -> float | None:
    if len(values) < 2 or not sum(values):
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) / mean


class Scenario:
    def __init__(self, name: str, base: str, data: dict, rng: random.Random):
        self.name = name
        self.base = base.rstrip("/")
        self.data = data
        self.rng = rng
        self.trainees = data.get("trainees", [])
        if name != "ping" and not self.trainees:
            raise SystemExit(f"scenario {name} needs trainees in the sessions file")

    def cookie(self, trainee: dict) -> str:
        return f"{self.data['session_cookie']}={trainee['session']}; {self.data['csrf_cookie']}={trainee['csrf']}"

    def request(self, index: int) -> tuple[str, str, dict, bytes | None]:
        if self.name == "ping":
            return "GET", f"{self.base}/bench/ping/", {}, None
        trainee = self.trainees[index % len(self.trainees)]
        headers = {"Cookie": self.cookie(trainee)}
        if self.name == "page":
            # A page of the paper (one question each on the bench's paper), any of them.
            page = self.rng.randrange(len(trainee["keys"])) + 1
            url = f"{self.base}/attempts/{trainee['attempt']}/" + (f"page/{page}/" if page > 1 else "")
            return "GET", url, headers, None
        position = self.rng.randrange(len(trainee["keys"])) + 1
        key = self.rng.choice(trainee["keys"][position - 1])
        headers |= {
            "Content-Type": "application/json",
            self.data.get("csrf_header", "X-CSRFToken"): trainee["csrf"],
            "X-Requested-With": "fetch",
        }
        body = json.dumps({"position": position, "keys": [key]}).encode()
        return "POST", f"{self.base}/attempts/{trainee['attempt']}/autosave/", headers, body

    def ok(self, status: int, body: bytes) -> bool:
        if status != 200:
            return False
        if self.name == "autosave":
            try:
                return json.loads(body).get("ok") is True
            except ValueError:
                return False
        return True


async def run(args: argparse.Namespace) -> dict:
    data = json.loads(Path(args.sessions).read_text()) if args.sessions else {}
    scenario = Scenario(args.scenario, args.base, data, random.Random(args.seed))
    counter = itertools.count()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    error_samples: list[str] = []
    per_second: Counter = Counter()

    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration

    # Gunicorn's sync workers close every connection, so don't try to reuse them.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
    ) as session:

        async def worker() -> None:
            nonlocal errors
            while True:
                began = loop.time()
                if began >= stop_at:
                    return
                method, url, headers, body = scenario.request(next(counter))
                try:
                    async with session.request(method, url, headers=headers, data=body, allow_redirects=False) as resp:
                        payload = await resp.read()
                        status = resp.status
                    good = scenario.ok(status, payload)
                    label = str(status)
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    good, label, payload = False, type(exc).__name__, b""
                ended = loop.time()
                if began < measure_from:
                    continue
                latencies.append(ended - began)
                statuses[label] += 1
                per_second[int(ended - measure_from)] += 1
                if not good:
                    errors += 1
                    if len(error_samples) < 5:
                        error_samples.append(f"{method} {url} -> {label}: {payload[:200]!r}")

        cpu_before = time.process_time()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        cpu_used = time.process_time() - cpu_before
        wall = loop.time() - start

    # Requests are counted when they started inside the window (the last few finish just
    # after it), so throughput is their number over the window's length.
    seconds = math.ceil(args.duration) + 1
    latencies.sort()
    count = len(latencies)
    ms = 1000.0
    return {
        "scenario": args.scenario,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "requests": count,
        "errors": errors,
        "error_rate": errors / count if count else None,
        "rps": count / args.duration if count else 0.0,
        "latency_ms": {
            "min": latencies[0] * ms if count else None,
            "mean": sum(latencies) / count * ms if count else None,
            "p50": percentile(latencies, 0.50) * ms if count else None,
            "p95": percentile(latencies, 0.95) * ms if count else None,
            "p99": percentile(latencies, 0.99) * ms if count else None,
            "max": latencies[-1] * ms if count else None,
        },
        "status_counts": dict(statuses),
        "per_second": [per_second.get(i, 0) for i in range(seconds)],
        # How steady the run was: the coefficient of variation of the whole seconds' counts.
        "per_second_cv": coefficient_of_variation([per_second.get(i, 0) for i in range(int(args.duration))]),
        "error_samples": error_samples,
        **({"latencies_ms": [round(x * ms, 3) for x in latencies]} if args.raw else {}),
        "generator_cpu_percent": 100.0 * cpu_used / wall if wall else None,
    }


def latency_summary(latencies_s: list[float]) -> dict:
    """min/mean/p50/p95/p99/max in ms of latencies in seconds (sorted here)."""
    values = sorted(latencies_s)
    if not values:
        return dict.fromkeys(("min", "mean", "p50", "p95", "p99", "max"))
    ms = 1000.0
    return {
        "min": values[0] * ms,
        "mean": sum(values) / len(values) * ms,
        "p50": percentile(values, 0.50) * ms,
        "p95": percentile(values, 0.95) * ms,
        "p99": percentile(values, 0.99) * ms,
        "max": values[-1] * ms,
    }


def new_session() -> aiohttp.ClientSession:
    # Gunicorn's sync workers close every connection, so don't try to reuse them.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, force_close=True),
        timeout=aiohttp.ClientTimeout(total=60),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    )


async def send(session, method, url, headers, body) -> tuple[str, int | None, bytes, str]:
    """(label, status, body, Location) of one request; label is the status or the error."""
    try:
        async with session.request(method, url, headers=headers, data=body, allow_redirects=False) as resp:
            payload = await resp.read()
            return str(resp.status), resp.status, payload, resp.headers.get("Location", "")
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return type(exc).__name__, None, b"", ""


# -- open loop at fixed rates --------------------------------------------------------------


async def fixed_rate_step(session, scenario: Scenario, rate: float, *, warmup: float, duration: float) -> dict:
    """Requests at evenly spaced scheduled times, each timed from its scheduled time."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    measure_from, measure_to = start + warmup, start + warmup + duration
    latencies: list[float] = []
    lags: list[float] = []
    statuses: Counter = Counter()
    errors, completed_in_window = 0, 0
    error_samples: list[str] = []

    async def one(index: int, scheduled: float) -> None:
        nonlocal errors, completed_in_window
        sent = loop.time()
        method, url, headers, body = scenario.request(index)
        label, status, payload, _ = await send(session, method, url, headers, body)
        ended = loop.time()
        if measure_from <= ended < measure_to:
            completed_in_window += 1
        if scheduled < measure_from:
            return
        latencies.append(ended - scheduled)
        lags.append(sent - scheduled)
        statuses[label] += 1
        if status is None or not scenario.ok(status, payload):
            errors += 1
            if len(error_samples) < 5:
                error_samples.append(f"{method} {url} -> {label}: {payload[:200]!r}")

    cpu_before, wall_before = time.process_time(), loop.time()
    tasks = []
    for index in range(int((warmup + duration) * rate)):
        scheduled = start + index / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)
    cpu, wall = time.process_time() - cpu_before, loop.time() - wall_before
    lags.sort()
    return {
        "scenario": scenario.name,
        "offered_rps": rate,
        "duration_s": duration,
        "warmup_s": warmup,
        "requests": len(latencies),
        "achieved_rps": completed_in_window / duration,
        "errors": errors,
        "error_rate": errors / len(latencies) if latencies else None,
        "latency_ms": latency_summary(latencies),
        "send_lag_ms": {"p99": (percentile(lags, 0.99) or 0) * 1000, "max": (lags[-1] if lags else 0) * 1000},
        "status_counts": dict(statuses),
        "error_samples": error_samples,
        "drain_s": max(0.0, wall - warmup - duration - 0.05),  # after the last send, until the last answer
        "generator_cpu_percent": 100.0 * cpu / wall if wall else None,
    }


async def run_plan(args: argparse.Namespace) -> dict:
    data = json.loads(Path(args.sessions).read_text()) if args.sessions else {}
    steps = []
    async with new_session() as session:
        for number, item in enumerate(args.plan.split(",")):
            name, rate = item.split("@")
            scenario = Scenario(name, args.base, data, random.Random(args.seed * 1000 + number))
            steps.append(
                await fixed_rate_step(session, scenario, float(rate), warmup=args.warmup, duration=args.duration)
            )
    return {"mode": "rate", "steps": steps}


# -- the start storm ---------------------------------------------------------------------

ATTEMPT_URL = re.compile(r"^(?:https?://[^/]+)?/attempts/([0-9a-f-]{36})/$")


async def run_storm(args: argparse.Namespace) -> dict:
    """Every storm trainee's clicks on "start the exam", released at one instant."""
    data = json.loads(Path(args.sessions).read_text())
    trainees = data["storm"]
    url = f"{args.base.rstrip('/')}/courses/{data['course']}/exam/start/"
    loop = asyncio.get_running_loop()
    release = asyncio.Event()
    released_at = 0.0
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    error_samples: list[str] = []
    seen: dict[str, list[str | None]] = {t["email"]: [] for t in trainees}

    async def click(session, trainee: dict) -> None:
        nonlocal errors
        headers = {
            "Cookie": f"{data['session_cookie']}={trainee['session']}; {data['csrf_cookie']}={trainee['csrf']}",
            data.get("csrf_header", "X-CSRFToken"): trainee["csrf"],
            "Content-Type": "application/x-www-form-urlencoded",
        }
        await release.wait()
        label, status, payload, location = await send(session, "POST", url, headers, b"")
        latencies.append(loop.time() - released_at)
        statuses[label] += 1
        match = ATTEMPT_URL.match(location) if status == 302 else None
        seen[trainee["email"]].append(match.group(1) if match else None)
        if match is None:
            errors += 1
            if len(error_samples) < 5:
                error_samples.append(f"POST {url} as {trainee['email']} -> {label} {location!r}: {payload[:200]!r}")

    async with new_session() as session:
        tasks = [asyncio.create_task(click(session, t)) for t in trainees for _ in range(args.clicks)]
        await asyncio.sleep(0.5)  # every task waiting on the event
        cpu_before = time.process_time()
        released_at = loop.time()
        release.set()
        await asyncio.gather(*tasks)
        wall = loop.time() - released_at
        cpu = time.process_time() - cpu_before
    split = sorted(email for email, ids in seen.items() if len(set(ids)) != 1)
    return {
        "mode": "storm",
        "trainees": len(trainees),
        "clicks_per_trainee": args.clicks,
        "requests": len(latencies),
        "errors": errors,
        "latency_ms": latency_summary(latencies),
        "storm_s": wall,  # release to the last answer
        "starts_per_s": len(trainees) / wall if wall else None,
        "requests_per_s": len(latencies) / wall if wall else None,
        "status_counts": dict(statuses),
        "error_samples": error_samples,
        "trainees_with_different_attempts": split[:10],
        "trainees_with_different_attempts_count": len(split),
        "attempts": {email: ids[0] for email, ids in seen.items() if ids and ids[0]},
        "generator_cpu_percent": 100.0 * cpu / wall if wall else None,
    }


# -- the exam-day mix --------------------------------------------------------------------

NAVIGATIONS = {"go", "reload", "summary", "submit"}  # the trainee waits for these answers
# A click that follows the previous action at once ("Next" after choosing an answer, the
# navigator after a flag): 1–3 s rather than the think time.
QUICK_S = (1.0, 3.0)


def mix_script(rng: random.Random, keys: list[list[str]]) -> list[tuple[tuple, bool]]:
    """One trainee's exam on the paged paper (one question a page, as the bench's paper
    has no case sets), action by action, each with whether it follows the previous one at
    once (True) or after the think time: open page 1; on each page, now and then reload it
    (5 %), answer (an autosave), now and then flag it (10 %) or go back through the
    navigator to change an earlier answer (10 %), then "Next" (a GET of the next page: the
    page's script goes straight there once the answers are saved); after the last, the
    summary; if anything is flagged, to each flagged page, answer and unflag, and the
    summary again; then submit (and the result page the redirect leads to). About 110
    requests on a 40-question paper, a third of them answers and half of them pages."""
    actions: list[tuple[tuple, bool]] = [(("go", 1), False)]
    flagged = []
    last = len(keys)
    for position, options in enumerate(keys, start=1):
        if rng.random() < 0.05:
            actions.append((("reload", position), False))
        actions.append((("answer", position, rng.choice(options)), False))
        if rng.random() < 0.10:
            actions.append((("flag", position, True), True))
            flagged.append(position)
        if position > 1 and rng.random() < 0.10:
            earlier = rng.randrange(1, position)
            actions.append((("go", earlier), True))
            actions.append((("answer", earlier, rng.choice(keys[earlier - 1])), False))
        actions.append((("go", position + 1) if position < last else ("summary",), True))
    if flagged:
        for position in flagged:
            actions.append((("go", position), False))
            actions.append((("answer", position, rng.choice(keys[position - 1])), False))
            actions.append((("flag", position, False), True))
        actions.append((("summary",), True))
    actions.append((("submit",), False))
    return actions


def mix_request(base: str, data: dict, trainee: dict, action: tuple) -> tuple[str, str, dict, bytes | None]:
    attempt = f"{base}/attempts/{trainee['attempt']}/"
    headers = {"Cookie": f"{data['session_cookie']}={trainee['session']}; {data['csrf_cookie']}={trainee['csrf']}"}
    kind = action[0]
    if kind in ("go", "reload"):
        return "GET", attempt if action[1] == 1 else f"{attempt}page/{action[1]}/", headers, None
    if kind == "summary":
        return "GET", f"{attempt}summary/", headers, None
    if kind == "result":
        return "GET", f"{attempt}result/", headers, None
    headers[data.get("csrf_header", "X-CSRFToken")] = trainee["csrf"]
    if kind == "submit":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "POST", f"{attempt}submit/", headers, b""
    headers |= {"Content-Type": "application/json", "X-Requested-With": "fetch"}
    payload = {"position": action[1], "keys": [action[2]]} if kind == "answer" else {"position": action[1]}
    if kind == "flag":
        payload["flagged"] = action[2]
    return "POST", f"{attempt}autosave/", headers, json.dumps(payload).encode()


def mix_ok(kind: str, status: int | None, body: bytes, location: str, trainee: dict) -> bool:
    if kind == "submit":
        return status == 302 and location.endswith(f"/attempts/{trainee['attempt']}/result/")
    if status != 200:
        return False
    if kind in ("answer", "flag"):
        try:
            return json.loads(body).get("ok") is True
        except ValueError:
            return False
    return True


def residual_think(rng: random.Random, low: float, high: float) -> float:
    """The time to a trainee's next action seen from an arbitrary instant (the residual of
    a uniform low–high think time): starting trainees with it makes the request rate
    steady from the first second instead of arriving in a wave."""
    if rng.random() < low / ((low + high) / 2):
        return rng.uniform(0, low)
    return high - (high - low) * math.sqrt(rng.random())


async def run_mix(args: argparse.Namespace) -> dict:
    data = json.loads(Path(args.sessions).read_text())
    base = args.base.rstrip("/")
    fresh = collections.deque(data["mix"])
    steps = [int(n) for n in args.steps.split(",")]
    if steps[-1] > len(fresh):
        raise SystemExit(f"--steps up to {steps[-1]} needs as many mix trainees; the sessions file has {len(fresh)}")
    low, high = (float(x) for x in args.think.split(","))
    rng = random.Random(args.seed)
    loop = asyncio.get_running_loop()
    records: list[tuple] = []  # (scheduled, latency, kind, ok)
    error_samples: list[str] = []
    lags: list[tuple[float, float]] = []  # (scheduled, send lag)
    pending: set = set()
    in_flight: dict[int, float] = {}  # id → scheduled time
    request_ids = itertools.count()
    stats = {"submitted": 0, "ran_out": 0}
    stopping = False

    async def act(session, trainee: dict, action: tuple, scheduled: float) -> None:
        kind = action[0]
        lags.append((scheduled, loop.time() - scheduled))
        method, url, headers, body = mix_request(base, data, trainee, action)
        request_id = next(request_ids)
        in_flight[request_id] = scheduled
        try:
            label, status, payload, location = await send(session, method, url, headers, body)
        finally:
            del in_flight[request_id]
        good = mix_ok(kind, status, payload, location, trainee)
        records.append((scheduled, loop.time() - scheduled, kind, good, label))
        if not good and len(error_samples) < 10:
            error_samples.append(f"{method} {url} -> {label} {location!r}: {payload[:160]!r}")
        if kind == "submit" and good:
            stats["submitted"] += 1
            # The browser follows the redirect at once.
            await act(session, trainee, ("result",), loop.time())

    async def trainee_loop(session, first_delay: float, start_anywhere: bool) -> None:
        trainee = fresh.popleft()
        script = mix_script(rng, trainee["keys"])
        index = rng.randrange(len(script)) if start_anywhere else 0
        scheduled = loop.time() + first_delay
        while True:
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if stopping:
                return
            action = script[index][0]
            index += 1
            # The pause before the next action: short if it is a click that follows at once.
            quick = index < len(script) and script[index][1]
            pause = rng.uniform(*QUICK_S) if quick else rng.uniform(low, high)
            if action[0] in NAVIGATIONS:
                await act(session, trainee, action, scheduled)
                scheduled = loop.time() + pause
            else:  # autosave: the page sends it and does not wait for the answer
                task = asyncio.create_task(act(session, trainee, action, scheduled))
                pending.add(task)
                task.add_done_callback(pending.discard)
                scheduled += pause
            if index == len(script):  # submitted: a fresh trainee takes the seat
                if not fresh:
                    stats["ran_out"] += 1
                    return
                trainee = fresh.popleft()
                script = mix_script(rng, trainee["keys"])
                index = 0

    results = []
    trainees: list[asyncio.Task] = []
    async with new_session() as session:
        for n in steps:
            while len(trainees) < n:
                trainees.append(
                    asyncio.create_task(trainee_loop(session, residual_think(rng, low, high), start_anywhere=True))
                )
            cpu_before, step_began = time.process_time(), loop.time()
            measure_from = step_began + args.warmup
            measure_to = measure_from + args.duration
            await asyncio.sleep(measure_to - loop.time())
            cpu = time.process_time() - cpu_before
            # Wait for the step's own requests still in flight (the load goes on meanwhile).
            deadline = loop.time() + args.drain
            while loop.time() < deadline and any(s < measure_to for s in in_flight.values()):
                await asyncio.sleep(0.05)
            window = [r for r in records if measure_from <= r[0] < measure_to]
            latencies = [r[1] for r in window]
            errors = sum(1 for r in window if not r[3])
            by_kind: dict[str, list] = {}
            for r in window:
                by_kind.setdefault(r[2], []).append(r)
            step_lags = sorted(lag for s, lag in lags if measure_from <= s < measure_to)
            summary = latency_summary(latencies)
            result = {
                "trainees": n,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "requests": len(window),
                "rps": len(window) / args.duration,
                "errors": errors,
                "latency_ms": summary,
                "by_kind": {
                    kind: {
                        "requests": len(rows),
                        "errors": sum(1 for r in rows if not r[3]),
                        "p50_ms": latency_summary([r[1] for r in rows])["p50"],
                        "p95_ms": latency_summary([r[1] for r in rows])["p95"],
                    }
                    for kind, rows in sorted(by_kind.items())
                },
                "status_counts": dict(Counter(r[4] for r in window)),
                "send_lag_ms": {
                    "p99": (percentile(step_lags, 0.99) or 0) * 1000,
                    "max": (step_lags[-1] if step_lags else 0) * 1000,
                },
                "generator_cpu_percent": 100.0 * cpu / (measure_to - step_began),
                "held": bool(window) and errors == 0 and summary["p95"] < args.p95_ms,
            }
            results.append(result)
            print(
                f"mix {n} trainees: {result['rps']:.1f} req/s, p95 {summary['p95'] or 0:.0f} ms, {errors} errors, "
                f"generator CPU {result['generator_cpu_percent']:.0f} %",
                file=sys.stderr,
                flush=True,
            )
            if not result["held"] and not args.no_stop:
                break
        stopping = True
        for task in trainees:
            task.cancel()
        await asyncio.gather(*trainees, return_exceptions=True)
        await asyncio.gather(*list(pending), return_exceptions=True)
    largest_held = 0
    for result in results:  # the largest step held with every smaller one held too
        if not result["held"]:
            break
        largest_held = result["trainees"]
    kinds = Counter(r[2] for r in records)
    return {
        "mode": "mix",
        "think_s": [low, high],
        "p95_limit_ms": args.p95_ms,
        "steps": results,
        "largest_held": largest_held,
        "request_mix": {k: round(v / len(records), 3) for k, v in sorted(kinds.items())} if records else {},
        "submitted": stats["submitted"],
        "trainees_used": len(data["mix"]) - len(fresh),
        "ran_out_of_trainees": stats["ran_out"],
        "error_samples": error_samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["ping", "page", "autosave", "storm", "mix"])
    parser.add_argument("--plan", help="open loop at fixed rates: scenario@rate,... (e.g. page@20,autosave@30)")
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--sessions", help="the JSON file written by bench/seed.py")
    parser.add_argument("--concurrency", type=int, default=16, help="closed loop: requests in flight")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds (per step)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds run but not recorded (per step)")
    parser.add_argument("--timeout", type=float, default=30.0, help="closed loop: per request, seconds")
    parser.add_argument("--clicks", type=int, default=2, help="storm: start requests per trainee, at once")
    parser.add_argument("--steps", default="500,1000,1500,2000,2500", help="mix: trainees per step")
    parser.add_argument("--think", default="10,30", help="mix: think time between actions, uniform, seconds")
    parser.add_argument("--p95-ms", type=float, default=300.0, help="mix: a step holds with p95 under this")
    parser.add_argument("--drain", type=float, default=5.0, help="mix: seconds to wait for a step's last answers")
    parser.add_argument("--no-stop", action="store_true", help="mix: run every step even after one fails")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="also write every latency (ms), for merging runs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if bool(args.scenario) == bool(args.plan):
        parser.error("give --scenario or --plan")
    if args.plan:
        result = asyncio.run(run_plan(args))
    elif args.scenario == "storm":
        result = asyncio.run(run_storm(args))
    elif args.scenario == "mix":
        result = asyncio.run(run_mix(args))
    else:
        result = asyncio.run(run(args))
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    summary = {k: result[k] for k in ("scenario", "mode", "requests", "errors", "rps", "largest_held") if k in result}
    print(json.dumps(summary) if args.out else text)
    sys.exit(0)


if __name__ == "__main__":
    main()
