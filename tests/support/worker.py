"""Real Celery worker processes on a private queue of the real Redis, for the tests that
run the pipeline as production does (the ``broker`` and ``celery_worker_process``
fixtures of the root conftest.py build on this).

The test process sends its tasks to the private queue instead of running them eagerly;
each worker writes to the test database, stores files under the test's private media
root and writes its emails as files in ``Broker.mail_dir`` (tests.support.mail reads
them)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

from config.celery import app
from tests.support.wait import TIMEOUT, wait_for

# A task every worker has (Celery's own; it returns its arguments): sent behind the
# messages a test is waiting on, its result says the worker has taken all of them.
BARRIER_TASK = "celery.accumulate"


def free_port() -> int:
    """A port on which nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid …; comm may hold spaces, so split after the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class Broker:
    """The test process sends to a private queue on the real Redis; workers are started
    on demand and stopped (and the queue and its unacknowledged messages removed) at the
    end."""

    def __init__(self, *, redis_url, tmp_path, settings):
        import redis

        self.redis_url = redis_url
        self.redis = redis.Redis.from_url(redis_url)
        self.queue = f"glabella-test-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.settings = settings
        self.mail_dir = tmp_path / "mail"
        self.workers: list[tuple[subprocess.Popen, object]] = []
        db = connection.settings_dict
        self.database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def start_worker(self, *, name: str = "worker", pool: str = "solo", env: dict | None = None, wait=True):
        """A worker process consuming this queue, one task at a time; with
        pool="prefork" it runs tasks in one child process that the parent respawns if it
        dies. Returns the process and the path of its log."""
        log_path = self.tmp_path / f"{name}.log"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "test-worker-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": self.database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": self.redis_url,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PRIVATE_MEDIA_ROOT": str(self.settings.PRIVATE_MEDIA_ROOT),
            # The test's issuing key (conftest._credential_keys): the worker signs with it.
            "CREDENTIAL_KEYS": self.settings.CREDENTIAL_KEYS,
            "CREDENTIAL_KEYS_FILE": str(self.settings.CREDENTIAL_KEYS_FILE),
            **(env or {}),
        }
        log = open(log_path, "w")  # noqa: SIM115 (closed in close())
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", "--concurrency=1",
             "-Q", self.queue, "-n", f"{name}-{self.queue}@%h", "--without-heartbeat", "--without-gossip",
             "--without-mingle", "--loglevel=INFO"],
            env=worker_env, stdout=log, stderr=subprocess.STDOUT, cwd=self.settings.BASE_DIR,
        )  # fmt: skip
        self.workers.append((process, log))
        if wait:
            wait_for(lambda: " ready." in log_path.read_text(), what=f"{name} to start", log=log_path)
        return process, log_path

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def unacked(self) -> dict[bytes, list]:
        """Messages of this queue a worker took but never acknowledged, by delivery tag."""
        found = {}
        for tag, payload in self.redis.hgetall("unacked").items():
            with contextlib.suppress(ValueError, TypeError):
                message, _exchange, routing_key = json.loads(payload)
                if routing_key == self.queue:
                    found[tag] = message
        return found

    def length(self) -> int:
        """Messages waiting in this queue (Redis LLEN), not yet taken by a worker."""
        return self.redis.llen(self.queue)

    def barrier(self, timeout: float = TIMEOUT) -> None:
        """Send a no-op task to the back of this queue and wait for its result.

        The queue is a Redis list (pushed at one end, popped at the other) and each
        worker takes one message at a time (prefetch multiplier 1, one process or pool
        child, acks_late), so when the no-op has run, every message queued before it has
        been taken and run to its end (or, if it waits for an ETA or countdown, is held
        unacknowledged: see ``wait_idle``)."""
        app.tasks[BARRIER_TASK].apply_async(args=("barrier",), queue=self.queue).get(timeout=timeout)

    def wait_idle(self, *, keep: tuple[bytes, ...] = (), timeout: float = TIMEOUT, log: Path | None = None) -> None:
        """Wait until the workers have nothing left to do: everything queued so far ran
        (``barrier``), nothing waits in the queue and no message is held unacknowledged
        (a task running, or a retry waiting for its countdown), except the delivery tags
        in ``keep``. What a test asserts after this cannot be changed by a message that
        was already on its way."""
        self.barrier(timeout=timeout)
        wait_for(
            lambda: self.length() == 0 and set(self.unacked()) <= set(keep),
            timeout=timeout,
            what="the queue to be empty and every message acknowledged",
            log=log,
        )

    def purge(self) -> None:
        """Drop every message of this queue, waiting or taken and unacknowledged."""
        for tag in self.unacked():
            self.redis.hdel("unacked", tag)
            self.redis.zrem("unacked_index", tag)
        self.redis.delete(self.queue)

    def close(self) -> None:
        for process, log in self.workers:
            self.stop(process)
            log.close()
        self.purge()


@contextlib.contextmanager
def private_queue(*, redis_url, tmp_path, settings):
    """A Broker whose queue this process's Celery sends to (not eagerly) until the block
    ends; then its workers are stopped and its messages dropped."""
    broker = Broker(redis_url=redis_url, tmp_path=tmp_path, settings=settings)
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = broker.queue
    try:
        yield broker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        broker.close()
