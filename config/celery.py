"""The Celery application. Tasks live in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("glabella")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Database connections in workers. Celery's Django fixup closes every connection before
# and after each task unless CELERY_DB_REUSE_MAX is set (it is, in the settings), and each
# task then opened a new PostgreSQL connection: a new server process with cold caches,
# ~20 ms a task. Instead a worker treats its connection as a request does: reused, and
# closed at a task's start and end only if it broke or is older than CONN_MAX_AGE (the
# health check then runs before the next task's first query). Eager tasks run inside the
# caller's request or transaction and are left alone.
@task_prerun.connect(dispatch_uid="config.celery.close_old_connections_prerun")
@task_postrun.connect(dispatch_uid="config.celery.close_old_connections_postrun")
def close_old_connections(sender=None, **kwargs) -> None:
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


# Request ids (core.logging). A task published while a request is handled carries the
# request's id in its message headers; the worker puts it back in the context for the
# task's run, so the task's log lines show the id of the request that caused them.
# A task published outside a request (beat, a management command) carries none.
REQUEST_ID_TASK_HEADER = "glabella_request_id"


@before_task_publish.connect(dispatch_uid="config.celery.request_id_publish")
def request_id_publish(sender=None, headers=None, **kwargs) -> None:
    from core.logging import current_request_id

    request_id = current_request_id()
    if request_id and headers is not None and REQUEST_ID_TASK_HEADER not in headers:
        headers[REQUEST_ID_TASK_HEADER] = request_id


@task_prerun.connect(dispatch_uid="config.celery.request_id_restore")
def request_id_restore(sender=None, task=None, **kwargs) -> None:
    # An eager task runs inside the request: its id is already the current one.
    if task is None or getattr(task.request, "is_eager", False):
        return
    from core.logging import request_id_from, request_id_var

    carried = getattr(task.request, REQUEST_ID_TASK_HEADER, None)
    # A message's headers come from whoever could publish to the broker: checked as the
    # proxy's are, never trusted blindly into a log line.
    request_id_var.set(request_id_from(carried) if carried else "")


@setup_logging.connect(dispatch_uid="config.celery.logging_from_settings")
def logging_from_settings(**kwargs) -> None:
    """Workers and beat log as the web processes do (settings.LOGGING: JSON lines with
    the request id), instead of Celery's own format."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
