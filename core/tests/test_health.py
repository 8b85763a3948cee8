"""Running on more than one machine: /healthz and /readyz for load balancers, request
ids in responses and JSON log lines, and the id carried into the Celery tasks a request
enqueues."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from config.celery import REQUEST_ID_TASK_HEADER, app, request_id_publish, request_id_restore
from core import health
from core.logging import JsonFormatter, RequestIdFilter, current_request_id, request_id_var
from core.tasks import worker_heartbeat_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_readiness():
    health.memo_clear()
    yield
    health.memo_clear()
    request_id_var.set("")


@pytest.fixture
def celery_on_a_broker(monkeypatch):
    """Celery as in production: tasks go to a broker (here one that is not there)."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")


# /healthz ----------------------------------------------------------------------------


def test_healthz_says_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    assert reverse("healthz") == "/healthz"


def test_probes_by_address_over_http_are_answered_not_redirected(settings):
    # A load balancer probes each machine by its address, over plain HTTP.
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.3.7")
        assert response.status_code == 200, path
    # Every other page still checks the host and redirects to HTTPS.
    assert client.get("/", HTTP_HOST="10.0.3.7").status_code == 400
    assert client.get("/").status_code == 301


def test_probes_need_no_sign_in_nor_second_factor(client_for):
    from accounts.tests.factories import AdministratorFactory

    administrator_without_app = AdministratorFactory(email="new-admin@example.com")
    client = client_for(administrator_without_app)
    assert client.get(reverse("accounts:admin_dashboard")).status_code == 302  # to set up the app
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


# /readyz -----------------------------------------------------------------------------


def test_readyz_on_the_embedded_default_checks_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "skipped", "worker": "skipped"},
    }
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError("connection to server at 10.0.0.5 failed: password authentication failed")

    monkeypatch.setattr(health, "connection", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["database"] == "fail"
    assert response.json()["checks"]["cache"] == "ok"
    # No error text, host or credential in the public answer (it is logged instead).
    assert b"10.0.0.5" not in response.content
    assert b"password" not in response.content


def test_readyz_is_503_when_the_broker_is_unreachable_and_no_worker_beats(client, celery_on_a_broker):
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 5  # a probe never hangs on a dead broker
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "fail", "worker": "stale"}


def test_the_worker_check_wants_a_heartbeat_within_three_beat_periods(monkeypatch, settings):
    monkeypatch.setattr(health, "_celery_uses_a_broker", lambda: True)
    assert health.check_worker() == "stale"  # no worker has ever beaten
    worker_heartbeat_task()  # what a worker does when beat sends it
    assert health.check_worker() == "ok"
    later = time.time() + 3 * settings.WORKER_HEARTBEAT_SECONDS + 1
    monkeypatch.setattr(health.time, "time", lambda: later)
    assert health.check_worker() == "stale"


def test_beat_sends_the_heartbeat_every_thirty_seconds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == "core.tasks.worker_heartbeat_task"
    assert entry["schedule"] == 30.0
    assert worker_heartbeat_task.name == entry["task"]


def test_a_flood_of_probes_runs_the_checks_once_a_second(client, monkeypatch):
    calls = []
    monkeypatch.setitem(health.CHECKS, "database", lambda: calls.append(1) or "ok")
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
    assert len(calls) == 1
    health.memo_clear()  # as when the second has passed
    client.get("/readyz")
    assert len(calls) == 2


def test_readyz_with_redis_and_a_recent_heartbeat_is_ready(client, redis_url, monkeypatch):
    # The real broker (REDIS_URL), not eager: broker and worker are checked for real.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", redis_url)
    assert client.get("/readyz").json()["checks"]["worker"] == "stale"
    health.memo_clear()
    worker_heartbeat_task()
    response = client.get("/readyz")
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"},
    }


# Request ids ---------------------------------------------------------------------------


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/"), client.get("/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz")["X-Request-ID"])


def test_the_proxys_request_id_is_kept_when_valid_and_replaced_when_not(client):
    assert client.get("/", HTTP_X_REQUEST_ID="lb-7f3a-0042")["X-Request-ID"] == "lb-7f3a-0042"
    for forged in ("a" * 65, "abc def", "id\r\nSet-Cookie: x=1", "ünïcode", "id_with_underscore", "id;drop"):
        returned = client.get("/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert returned != forged
        assert re.fullmatch(r"[0-9a-f]{32}", returned)


@pytest.fixture
def json_log():
    """What the log's JSON handler writes, for the loggers a request uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("django.request", "core.tests")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_log_line_written_for_a_request_is_json_with_its_id(client, json_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404-abc")
    assert response.status_code == 404
    (line,) = [entry for entry in json_log() if entry["logger"] == "django.request"]
    assert line["request_id"] == "req-404-abc"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["status_code"] == 404
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_log_line_outside_any_request_has_no_id(json_log):
    logging.getLogger("core.tests").warning("nightly sweep")
    (line,) = json_log()
    assert line["request_id"] is None
    assert line["message"] == "nightly sweep"


def test_logs_are_json_lines_unless_debugging(settings):
    # The test settings run with DEBUG off, as production does.
    assert settings.LOG_JSON is True
    console = settings.LOGGING["handlers"]["console"]
    assert console["formatter"] == "json"
    assert console["filters"] == ["request_id"]
    root_formatters = [type(handler.formatter) for handler in logging.getLogger().handlers]
    assert JsonFormatter in root_formatters


# Request ids in Celery tasks -----------------------------------------------------------


class PublishStopped(Exception):
    """Raised by the test's own publish receiver: the message never reaches a broker."""


def test_a_task_enqueued_by_a_request_carries_the_requests_id(client, trainee, transactional_db, celery_on_a_broker):
    # given Celery on a broker, and a receiver that records what is published and stops it
    published = []

    def record(sender=None, headers=None, **kwargs):
        published.append((sender, dict(headers)))
        raise PublishStopped

    from celery.signals import before_task_publish

    before_task_publish.connect(record, weak=False)
    try:
        # when a password reset (an email sent through Celery) is asked for
        response = client.post(
            reverse("account_reset_password"), {"email": trainee.email}, HTTP_X_REQUEST_ID="req-reset-7"
        )
    finally:
        before_task_publish.disconnect(record)
    assert response.status_code == 302
    # then the email task's message carried the request's id
    assert published
    sender, headers = published[0]
    assert sender == "core.tasks.email_send_task"
    assert headers[REQUEST_ID_TASK_HEADER] == "req-reset-7"


def test_a_task_published_outside_a_request_carries_no_id():
    headers = {}
    request_id_publish(sender="core.tasks.worker_heartbeat_task", headers=headers)
    assert headers == {}


class WorkerTask:
    """A task as the worker's task_prerun sees it: its request holds the message's headers."""

    def __init__(self, carried=None, *, eager=False):
        self.request = SimpleNamespace(is_eager=eager)
        if carried is not None:
            setattr(self.request, REQUEST_ID_TASK_HEADER, carried)


def test_the_worker_restores_the_id_for_the_tasks_log_lines(json_log):
    request_id_restore(task=WorkerTask("req-reset-7"))
    assert current_request_id() == "req-reset-7"
    logging.getLogger("core.tests").warning("sending an email")
    assert json_log()[-1]["request_id"] == "req-reset-7"
    # The next task, from beat, has none: the previous id does not leak into it.
    request_id_restore(task=WorkerTask())
    assert current_request_id() == ""


def test_the_worker_does_not_trust_a_forged_id_from_the_broker():
    request_id_restore(task=WorkerTask("x\nFAKE LOG LINE"))
    assert re.fullmatch(r"[0-9a-f]{32}", current_request_id())


def test_an_eager_task_keeps_the_requests_id():
    request_id_var.set("req-eager")
    request_id_restore(task=WorkerTask(None, eager=True))
    assert current_request_id() == "req-eager"


def test_the_worker_signal_sets_the_id_before_the_task_runs():
    from celery.signals import task_prerun

    task = WorkerTask("req-signal-1")
    task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    assert current_request_id() == "req-signal-1"


def test_the_id_travels_in_the_message_to_the_workers_task_request(monkeypatch):
    # A real publish to an in-process broker, read back as a worker reads it.
    from celery.app.task import Context
    from celery.worker.request import Request
    from kombu import Connection

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    request_id_var.set("req-travels-1")
    with Connection("memory://") as broker:
        worker_heartbeat_task.apply_async(connection=broker, queue="request-id-test")
        request_id_var.set("")
        message = broker.SimpleQueue("request-id-test").get(timeout=1)
        task = WorkerTask()
        task.request = Context(Request(message, app=app, task=worker_heartbeat_task).request_dict)
    request_id_restore(task=task)
    assert current_request_id() == "req-travels-1"
