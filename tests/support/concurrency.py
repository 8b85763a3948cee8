"""Run functions at the same moment in threads, each with its own database connection
(for race tests on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection


def _together(functions: list[Callable[[], object]]) -> list[ValidationError | None]:
    """Start every function at once (a barrier); wait for all. One result per function,
    in the order they finished: the ValidationError it raised, or None. Other exceptions
    propagate into the thread and are reported by pytest's thread-exception hook."""
    barrier = threading.Barrier(len(functions))
    results: list[ValidationError | None] = []
    lock = threading.Lock()

    def wrap(function):
        try:
            barrier.wait()
            function()
            result = None
        except ValidationError as error:
            result = error
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=wrap, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def run_together(functions: list[Callable[[], object]]) -> list[str]:
    """The first message of each ValidationError raised by functions run at once."""
    return [error.messages[0] for error in _together(functions) if error is not None]


def outcomes_together(functions: list[Callable[[], object]], *, ok: str = "ok") -> list[str]:
    """Every outcome of functions run at once, in no particular order: ``ok`` for one that
    returned, the messages (joined with " / ") of the ValidationError of one that did not."""
    return [ok if error is None else " / ".join(error.messages) for error in _together(functions)]
