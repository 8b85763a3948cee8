"""The audit trail is a hash chain: audit_verify passes on an honest trail and names the
first broken link when a row was edited, removed or forked, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from core import audit_chain
from core.models import AuditEvent
from core.services import audit_record

pytestmark = pytest.mark.django_db
TRIGGER = "core_auditevent_no_update_delete"


def tamper(sql: str, params=()) -> None:
    """Raw SQL past the append-only guard: the model refuses, and on PostgreSQL the
    trigger is switched off for this statement (inside the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks of this transaction wait.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trail(trainee, administrator):
    return [
        audit_record(actor=trainee, action="licence.submitted", obj=trainee, summary="submitted"),
        audit_record(
            actor=administrator,
            action="licence.verified",
            obj=trainee,
            summary="verified",
            details={"number": "A100001", "expires_on": datetime.date(2027, 1, 31)},
        ),  # fmt: skip
        audit_record(actor=None, action="licence.expired", obj=trainee, summary="expired by the nightly job"),
        audit_record(actor=trainee, action="enrolment.created", obj=administrator, summary="enrolled"),
    ]


def test_each_event_carries_the_hash_of_the_one_before(trail):
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in events] == [e.pk for e in trail]
    assert events[0].prev_hash == audit_chain.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == 4
    assert all(len(e.hash) == 64 for e in events)
    assert verify() == f"Audit trail intact: 4 events, head {events[-1].hash}\n"
    assert verify("--head", events[1].hash).startswith("Audit trail intact")


def test_an_empty_trail_verifies():
    assert verify() == "Audit trail intact: 0 events, head (empty)\n"


def test_details_hash_the_same_before_the_insert_and_read_back(trainee):
    details = {
        "when": datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC),
        "on": datetime.date(2026, 3, 4),
        "dose": Decimal("12.50"),
        "id": uuid.UUID(int=7),
        "codes": ("M-0147", "M-0148"),
        "nested": {"b": [1, 2.0, 1e20, 0.1, -0.0, True, None], "a": "Ünïcödé ✓ 漢字"},
        3: "an int key",
    }
    event = audit_record(actor=trainee, action="session.signed", obj=trainee, summary="s" * 400, details=details)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.summary == "s" * 300
    assert stored.details["dose"] == "12.50"
    assert stored.details["3"] == "an int key"
    assert stored.hash == event.hash
    assert verify().startswith("Audit trail intact: 1 events")


def test_an_edited_event_is_the_first_broken_link(trail):
    tamper("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["not verified", trail[1].pk])
    with pytest.raises(CommandError, match=rf"broken at event {trail[1].pk} \(.* licence.verified accounts.user:"):
        verify()
    with pytest.raises(CommandError, match="its hash does not match its contents. 1 event"):
        verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor_id", None), ("created_at", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)),
     ("object_id", "999"), ("details", '{"number": "B1"}'), ("action", "licence.rejected")],
)  # fmt: skip
def test_any_edited_column_is_caught(trail, column, value):
    tamper(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, trail[1].pk])  # noqa: S608 (a test's own columns)
    with pytest.raises(CommandError, match=f"broken at event {trail[1].pk}"):
        verify()


def test_rewriting_an_event_and_its_own_hash_breaks_the_next_link(trail):
    target = AuditEvent.objects.get(pk=trail[1].pk)
    forged = audit_chain.event_hash(
        **{**{n: getattr(target, n) for n in audit_chain.HASHED_FIELDS}, "summary": "not verified"},
        prev_hash=target.prev_hash,
    )
    tamper("UPDATE core_auditevent SET summary = %s, hash = %s WHERE id = %s", ["not verified", forged, target.pk])
    link = f"broken at event {trail[2].pk} .*prev_hash does not match event {target.pk}"
    with pytest.raises(CommandError, match=link):
        verify()


def test_a_removed_event_breaks_the_chain_and_a_removed_tail_is_caught_with_the_head(trail):
    head = trail[-1].hash
    tamper("DELETE FROM core_auditevent WHERE id = %s", [trail[-1].pk])
    assert verify().startswith("Audit trail intact: 3 events")  # a shorter chain still links up...
    with pytest.raises(CommandError, match="does not contain .*removed from its end"):
        verify("--head", head)  # ...but not to the head recorded earlier
    tamper("DELETE FROM core_auditevent WHERE id = %s", [trail[1].pk])
    with pytest.raises(CommandError, match=f"broken at event {trail[2].pk}"):
        verify()


def test_the_command_exits_non_zero_on_a_broken_chain(trail, capsys):
    tamper("UPDATE core_auditevent SET summary = 'x' WHERE id = %s", [trail[0].pk])
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert exit_.value.code == 1
    assert f"Audit trail broken at event {trail[0].pk}" in capsys.readouterr().err


def test_a_fork_is_refused_by_the_database(trail):
    last = AuditEvent.objects.order_by("-id").first()
    twin = AuditEvent(action="x", object_type="x", object_id="1", summary="fork", prev_hash=last.prev_hash, hash="0")
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.bulk_create([twin])


@pytest.mark.postgres
def test_concurrent_writers_chain_one_after_another(postgres, transactional_db, trainee):
    writers, per_writer = 8, 5
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            barrier.wait(timeout=30)
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", obj=trainee, summary=f"{n}.{i}")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert AuditEvent.objects.filter(action="test.concurrent").count() == writers * per_writer
    assert verify().startswith(f"Audit trail intact: {writers * per_writer} events")


@pytest.mark.postgres
def test_the_migration_chains_events_written_before_the_chain(postgres, transactional_db):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_audit_chain_fields")])
    old = executor.loader.project_state([("core", "0003_audit_chain_fields")]).apps.get_model("core", "AuditEvent")
    for n in range(5):
        old.objects.create(action="legacy.event", object_type="accounts.user", object_id=str(n), summary=f"old {n}",
                           details={"n": n, "on": f"2025-01-0{n + 1}"})  # fmt: skip
    assert set(old.objects.values_list("hash", flat=True)) == {""}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    events = list(AuditEvent.objects.order_by("id"))
    assert all(e.hash for e in events)
    assert verify().startswith("Audit trail intact: 5 events")
    # New events go on from the migrated head; the trigger is back on.
    audit_record(actor=None, action="new.event", obj=events[0], summary="after the migration")
    assert verify().startswith("Audit trail intact: 6 events")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = 'x' WHERE id = %s", [events[0].pk])
