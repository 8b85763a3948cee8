"""Chain the events written before the hash chain existed, in id order, exactly as
core.services.audit_record chains new ones. On PostgreSQL the append-only trigger is
switched off for this one transaction (ALTER TABLE takes an exclusive lock, so nothing
else writes meanwhile) and back on before it commits."""

from django.db import migrations

from core import audit_chain

TRIGGER = "core_auditevent_no_update_delete"
BATCH = 1000


def chain(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred checks
        schema_editor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
    previous, last_id = audit_chain.GENESIS, 0
    while batch := list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH]):
        for event in batch:
            event.prev_hash = previous
            fields = {name: getattr(event, name) for name in audit_chain.HASHED_FIELDS}
            event.hash = previous = audit_chain.event_hash(**fields, prev_hash=previous)
        AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"])
        last_id = batch[-1].id
    if postgresql:
        schema_editor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain_fields")]
    operations = [migrations.RunPython(chain, migrations.RunPython.noop)]
