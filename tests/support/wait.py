"""Waiting for something observable to happen, instead of sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

TIMEOUT = 60.0


def wait_for(
    predicate: Callable[[], T],
    timeout: float = TIMEOUT,
    interval: float = 0.05,
    *,
    what: str = "",
    log: Path | None = None,
) -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns something truthy,
    and return that. After ``timeout`` seconds fail, with the tail of ``log`` (a worker's
    log file) when given."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}\n{tail}")
