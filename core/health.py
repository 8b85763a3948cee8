"""``/healthz`` and ``/readyz`` for load balancers and monitoring.

- ``/healthz``: the process is up and answering. 200 "ok", touching nothing else, so a
  database outage never gets every web process restarted.
- ``/readyz``: this process can serve: the database answers, the cache answers, and when
  Celery runs on a broker (not eagerly), the broker accepts a connection and a worker
  has shown a heartbeat within three beat periods (``WORKER_HEARTBEAT_SECONDS``, 30 s). 200 or 503 with a
  JSON body naming each check ("ok", "fail", "stale" or "skipped"), nothing more: no
  error texts, hosts or versions; the reasons go to the log.

The worker heartbeat is a beat task (core.tasks.worker_heartbeat_task, every 30 s) that
writes the time into the shared cache; ``/readyz`` reads it back. That proves the path
real work takes (beat → broker → the queue → a worker → the cache), costs one cache read
per probe, and never blocks a web process. The alternative, ``app.control.ping``,
broadcasts to every worker and waits its whole timeout for replies on each probe, and
only shows that some worker answers control messages, not that one takes tasks from our
queue.

Both answer before the rest of the middleware stack (``HealthCheckMiddleware``): no
session or user lookup, no sign-in or second-factor redirect, no HTTPS redirect and no
host check (a load balancer probes a machine by its address). The checks run at most
once a second per process (``READY_MEMO_SECONDS``), so a flood of probes costs nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "health:worker-heartbeat"
READY_MEMO_SECONDS = 1.0
_BROKER_TIMEOUT = 2  # seconds

_memo_lock = threading.Lock()
_memo: dict[str, object] = {"at": float("-inf"), "result": None}


def _celery_uses_a_broker() -> bool:
    from config.celery import app

    return not app.conf.task_always_eager and not str(app.conf.broker_url or "").startswith("memory://")


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    cache.set("health:probe", "1", timeout=10)
    return "ok" if cache.get("health:probe") == "1" else "fail"


def check_broker() -> str:
    if not _celery_uses_a_broker():
        return "skipped"  # tasks run in this process (the embedded default)
    from config.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=_BROKER_TIMEOUT)
    return "ok"


def check_worker() -> str:
    if not _celery_uses_a_broker():
        return "skipped"
    beat = cache.get(HEARTBEAT_CACHE_KEY)
    if beat is None or time.time() - float(beat) > 3 * settings.WORKER_HEARTBEAT_SECONDS:
        return "stale"
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "worker": check_worker}


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check: (all passed, {check: "ok" | "skipped" | "stale" | "fail"})."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            logger.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = "fail"
    return all(result in ("ok", "skipped") for result in results.values()), results


def readiness_memoised() -> tuple[bool, dict[str, str]]:
    """``readiness()``, computed at most once every READY_MEMO_SECONDS in this process."""
    with _memo_lock:
        now = time.monotonic()
        if now - _memo["at"] >= READY_MEMO_SECONDS:
            _memo["result"] = readiness()
            _memo["at"] = now
        return _memo["result"]


def memo_clear() -> None:
    with _memo_lock:
        _memo["at"] = float("-inf")


@require_safe
def healthz(request):
    response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def readyz(request):
    ready, checks = readiness_memoised()
    response = JsonResponse({"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before the rest of the stack (see the module
    docstring for why). Goes after the request-id and body-size middleware, before
    SecurityMiddleware."""

    views = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.views.get(request.path_info)
        return self.get_response(request) if view is None else view(request)
