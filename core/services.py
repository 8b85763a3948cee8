"""Services shared by every app: the audit trail, after-commit enqueueing and nightly
batches run one row per transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import audit_chain
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
    event exists exactly when the change it describes does.

    The event is chained to the one before it (core.audit_chain). On PostgreSQL a
    transaction-scoped advisory lock serialises the writers from reading the last hash
    until the caller's transaction ends, so concurrent writers chain one after another
    instead of forking (a fork would also be refused by the unique prev_hash); on SQLite
    the database's single write lock does the same."""
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.LOCK_KEY])
        prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or audit_chain.GENESIS
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            summary=summary[:300],
            details=audit_chain.normalise_details(details),
            prev_hash=prev_hash,
        )
        event.hash = audit_chain.event_hash(
            **{name: getattr(event, name) for name in audit_chain.HASHED_FIELDS}, prev_hash=prev_hash
        )
        event.save(force_insert=True)
    return event


def enqueue_on_commit(task, *args: Any, fallback: Callable[[], Any] | None = None, **kwargs: Any) -> None:
    """Send ``task`` to Celery once the current transaction commits (at once when none
    is open). A rolled-back transaction enqueues nothing. A broker that is down is logged,
    not raised: the change is already committed, and either periodic sweeps pick up the
    work or ``fallback`` does it now, in this process. The log names the task and its
    positional arguments (ids), never the keyword ones (an email's text)."""

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            if task.app.conf.task_always_eager:
                raise  # the task itself failed, in this process (robust: Django logs it)
            logger.exception("Could not enqueue %s%r after the commit; is the broker down?", task.name, args)
            if fallback is not None:
                fallback()

    transaction.on_commit(send, robust=True)


def each_in_own_transaction(ids: Iterable[Any], step: Callable[[Any], bool], *, what: str) -> int:
    """Run ``step(id)`` for each id, each call in its own transaction; return how many
    calls returned True (changed their row).

    For nightly batches: ``step`` locks its row (``select_for_update(skip_locked=True)``),
    checks it still qualifies, changes it and records its audit event, and that commits
    before the next row is touched. So the audit trail's lock (core.services.audit_record)
    and the row locks are held for one row at a time, and a row that fails is rolled back
    alone: it is logged, the others go on, and the first failure is raised at the end so
    that the task retries (the rows already done no longer qualify)."""
    changed, failure = 0, None
    for pk in ids:
        try:
            with transaction.atomic():
                changed += bool(step(pk))
        except Exception as error:
            logger.exception("%s: %s failed; the other rows go on", what, pk)
            failure = failure or error
    if failure is not None:
        raise failure
    return changed
