"""Run functions at the same moment in threads, each with its own database connection
(for race tests on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection


def run_together(functions: list[Callable[[], object]]) -> list[str]:
    """Start every function at once (a barrier); wait for all. Returns the first message
    of each ValidationError raised (other exceptions propagate into the thread and are
    reported by pytest's thread-exception hook)."""
    barrier = threading.Barrier(len(functions))
    errors: list[str] = []

    def wrap(function):
        try:
            barrier.wait()
            function()
        except ValidationError as error:
            errors.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
