"""The Celery application. Tasks live in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

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
