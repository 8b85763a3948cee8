"""The audit trail's hash chain.

Each event stores ``prev_hash`` (the ``hash`` of the event before it, by id; empty for
the first) and ``hash``: SHA-256 over the canonical JSON of its own fields and
``prev_hash``. Rewriting, deleting or inserting an event in the middle breaks the link
to the next one; ``manage.py audit_verify`` walks the chain and names the first broken
link. Truncating the newest events leaves a shorter chain that still verifies: keep the
head that ``audit_verify`` prints somewhere else (the backups record it) to notice that.

The functions here are pure (no ORM), so the data migration that chained the events that
existed before the chain (core 0004) computes exactly what ``audit_record`` does.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

VERSION = 1
GENESIS = ""
# pg_advisory_xact_lock key that serialises writers of the chain on PostgreSQL ("glab-aud").
LOCK_KEY = int.from_bytes(b"glab-aud", "big")
# The columns the hash covers, besides prev_hash; also what audit_verify reads.
HASHED_FIELDS = ("created_at", "actor_id", "action", "object_type", "object_id", "summary", "details")


def normalise_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """``details`` as the JSON it will be stored as (dates, UUIDs and decimals become
    strings, tuples lists, keys strings), so that the hash computed before the insert is
    the one computed from the row read back."""
    return json.loads(json.dumps(dict(details or {}), cls=DjangoJSONEncoder))


def _number(value: int | float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(str(value))
    # 1, 1.0 and 1e0 read back from jsonb may differ in type; their value does not.
    exact = decimal.Context(prec=4000)
    text = format(decimal.Decimal(repr(value) if isinstance(value, float) else value).normalize(exact), "f")
    return "0" if text in ("-0", "0") else text


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, numbers by value."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    raise TypeError(f"not JSON: {type(value).__name__}")


def _timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps are timezone-aware")
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    created_at: datetime.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    document = {
        "v": VERSION,
        "created_at": _timestamp(created_at),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Walk events in id order (mappings with ``id``, ``prev_hash``, ``hash`` and
    HASHED_FIELDS) and stop at the first broken link."""
    previous, previous_id, checked = GENESIS, None, 0
    for row in rows:
        fields = {name: row[name] for name in HASHED_FIELDS}
        if row["prev_hash"] != previous:
            after = f"event {previous_id}" if previous_id is not None else "the start of the trail"
            return ChainReport(checked, previous, row["id"], f"its prev_hash does not match {after}")
        if row["hash"] != event_hash(**fields, prev_hash=row["prev_hash"]):
            return ChainReport(checked, previous, row["id"], "its hash does not match its contents")
        previous, previous_id, checked = row["hash"], row["id"], checked + 1
    return ChainReport(checked, previous)
