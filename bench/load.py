"""A small closed-loop HTTP load generator (asyncio + aiohttp) for the exam-day benchmark.

``--concurrency`` workers each send one request, wait for the whole response, and send
the next, for ``--warmup`` + ``--duration`` seconds; only requests *started* after the
warm-up are recorded. Each request goes out as the next trainee in turn (round robin over
the seeded trainees), with that trainee's own session cookie, CSRF cookie and attempt.

Scenarios:
  ping      GET  /bench/ping/                  anonymous, no cookies (the baseline H)
  page      GET  /attempts/<uuid>/             the exam page, 200 expected (a redirect is an error)
  autosave  POST /attempts/<uuid>/autosave/    {"position": k, "keys": [<an option of item k>]},
                                              200 with "ok": true expected

Result, one JSON object (printed, or written to --out with a one-line summary printed):
requests, errors, throughput, latency percentiles (ms), status counts, requests completed
per second, and the generator's own CPU use (near 100 % means the generator, not the
server, was the limit); with --raw, every latency too (bench/run.py pools the rounds).

Usage:
    taskset -c 1 python bench/load.py --scenario page --sessions bench/results/tmp/sessions.json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
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
            return "GET", f"{self.base}/attempts/{trainee['attempt']}/", headers, None
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["ping", "page", "autosave"], required=True)
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--sessions", help="the JSON file written by bench/seed.py")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds run but not recorded")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="also write every latency (ms), for merging runs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    summary = {k: result[k] for k in ("scenario", "requests", "errors", "rps")}
    print(json.dumps(summary) if args.out else text)
    sys.exit(0)


if __name__ == "__main__":
    main()
