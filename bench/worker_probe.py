"""What each task of the benchmark's Celery worker did, for bench/certificates.py.

Loaded into the worker with ``celery -A config worker -I bench.worker_probe`` (the app is
the production one; this module only listens). With ``BENCH_PROBE_DIR`` set, every task
run appends one JSON line to ``<dir>/tasks-<pid>.jsonl``: its name, id and first
argument, the wall clock when it started (``task_prerun``: the moment a pool child takes
it up) and ended (``task_postrun``), its CPU seconds, its database time and queries (an
execute wrapper) and the wall and CPU time spent in ``core.pdf.render_pdf`` (WeasyPrint)
during it.
Without the variable it does nothing, so a worker started without it is untouched.

The imports happen in the worker's main process, before the pool forks: each child
inherits the handlers and opens its own file on its first task.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun

PROBE_DIR = os.environ.get("BENCH_PROBE_DIR")
_state: dict = {}


class _DatabaseTimer:
    """An execute wrapper (``connection.execute_wrappers``) that sums query time."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries += 1


def _timed_render_pdf(render_pdf):
    def wrapper(html: str, **kwargs) -> bytes:
        began, cpu = time.perf_counter(), time.process_time()
        try:
            return render_pdf(html, **kwargs)
        finally:
            _state["render_s"] = _state.get("render_s", 0.0) + time.perf_counter() - began
            _state["render_cpu_s"] = _state.get("render_cpu_s", 0.0) + time.process_time() - cpu

    return wrapper


def _out():
    pid = os.getpid()
    if _state.get("pid") != pid:
        _state["pid"] = pid
        _state["file"] = (Path(PROBE_DIR) / f"tasks-{pid}.jsonl").open("a", buffering=1)
    return _state["file"]


if PROBE_DIR:
    from django.db import connection

    from certification import documents

    documents.render_pdf = _timed_render_pdf(documents.render_pdf)

    @task_prerun.connect(weak=False)
    def _started(task_id=None, task=None, args=None, **_kwargs):
        timer = _DatabaseTimer()
        connection.execute_wrappers.append(timer)
        _state.update(
            task_id=task_id, timer=timer, render_s=0.0, render_cpu_s=0.0, began=time.time(), cpu=time.process_time(),
            arg=str(args[0]) if args else "",
        )  # fmt: skip

    @task_postrun.connect(weak=False)
    def _finished(task_id=None, task=None, state=None, **_kwargs):
        ended, cpu = time.time(), time.process_time()
        timer = _state.pop("timer", None)
        if timer is not None and timer in connection.execute_wrappers:
            connection.execute_wrappers.remove(timer)
        record = {
            "task": task.name if task else "", "id": task_id, "arg": _state.get("arg", ""), "state": state,
            "pid": os.getpid(), "start": _state.get("began"), "end": ended, "cpu_s": cpu - _state.get("cpu", cpu),
            "db_s": timer.seconds if timer else None, "queries": timer.queries if timer else None,
            "render_s": _state.get("render_s", 0.0), "render_cpu_s": _state.get("render_cpu_s", 0.0),
        }  # fmt: skip
        _out().write(json.dumps(record) + "\n")
