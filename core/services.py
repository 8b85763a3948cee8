"""Services shared by every app: the audit trail and after-commit enqueueing."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models, transaction

from .models import AuditEvent

logger = logging.getLogger(__name__)


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction, so that the
    event exists exactly when the change it describes does."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        details=details or {},
    )


def enqueue_on_commit(task, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` to Celery once the current transaction commits (at once when none
    is open). A rolled-back transaction enqueues nothing. A broker that is down is logged,
    not raised: the change is already committed and periodic sweeps pick up the work."""

    def send() -> None:
        task.delay(*args, **kwargs)

    transaction.on_commit(send, robust=True)
