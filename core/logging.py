"""Request ids and JSON log lines.

A request's id comes from the proxy's ``X-Request-ID`` when it is a plausible one, or is
made here (core.middleware.RequestIdMiddleware); it is kept in a context variable for
the request's duration, put on every log record (``RequestIdFilter``), sent back in the
response, and carried into the Celery tasks the request enqueues (config/celery.py), so
that one id finds a request's lines in the web and the worker logs alike.

``JsonFormatter`` writes one JSON object a line, for a log collector; it is the
formatter when ``DJANGO_LOG_JSON`` is on (the production default). Twenty lines of
standard library rather than a dependency: the fields are few and fixed.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from outside may look like: short, and nothing a log line or a
# header could be split or spoofed with.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def request_id_from(value: str | None) -> str:
    """The proxy's id if it is one we accept (≤ 64 of ``A-Z a-z 0-9 -``), else a new one."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request (or task) this code runs for; "" outside one."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Puts ``record.request_id`` on every record (``"-"`` outside a request or task),
    for the JSON formatter and for ``%(request_id)s`` in plain formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def _request_id_of(record: logging.LogRecord) -> str | None:
    request_id = getattr(record, "request_id", None) or request_id_var.get()
    return None if request_id in ("", "-") else request_id


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id
    (null outside a request or task), the response's status_code on Django's request
    records, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        status = getattr(record, "status_code", None)
        if status is not None:  # django.request and django.server put it on their records
            entry["status_code"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_id_clear(**kwargs) -> None:
    """Forget the request's id once its response is closed, and before the next request
    on this thread (receiver of request_started and request_finished, core.apps)."""
    request_id_var.set("")
