from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache

from .health import HEARTBEAT_CACHE_KEY


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def email_send_task(self, *, to: list[str], subject: str, body: str) -> None:
    """Send one email (plain text and its HTML alternative, core.emails). SMTP errors
    (OSError and its subclasses) retry with backoff; the text is rendered by the caller so
    a retry sends the same words."""
    from .emails import email_build

    email_build(to=to, subject=subject, body=body).send(fail_silently=False)


@shared_task(ignore_result=True, expires=60)
def worker_heartbeat_task() -> None:
    """Beat sends this every WORKER_HEARTBEAT_SECONDS; the worker that takes it writes
    the time into the shared cache, where /readyz looks for a recent one (core.health).
    Expires after a minute unsent: a backlog of heartbeats would prove nothing."""
    cache.set(HEARTBEAT_CACHE_KEY, time.time(), timeout=None)
