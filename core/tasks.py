from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache
from django.core.mail import EmailMessage

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
    """Send one plain-text email. SMTP errors (OSError and its subclasses) retry with
    backoff; the message is rendered by the caller so a retry sends the same text."""
    EmailMessage(subject=subject, body=body, to=to).send(fail_silently=False)


@shared_task(ignore_result=True, expires=60)
def worker_heartbeat_task() -> None:
    """Beat sends this every WORKER_HEARTBEAT_SECONDS; the worker that takes it writes
    the time into the shared cache, where /readyz looks for a recent one (core.health).
    Expires after a minute unsent: a backlog of heartbeats would prove nothing."""
    cache.set(HEARTBEAT_CACHE_KEY, time.time(), timeout=None)
