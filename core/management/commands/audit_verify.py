from django.core.management.base import BaseCommand, CommandError

from core import audit_chain
from core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain in id order and report the first broken link "
        "(exit status 1). Prints the number of events and the head hash when it is intact."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="Also require that the trail contains this hash (one printed earlier): "
            "catches events deleted from the end.",
        )

    def handle(self, *args, head=None, **options):
        rows = (
            AuditEvent.objects.order_by("id")
            .values("id", "prev_hash", "hash", *audit_chain.HASHED_FIELDS)
            .iterator(chunk_size=2000)
        )
        report = audit_chain.verify(rows)
        if not report.intact:
            event = AuditEvent.objects.filter(pk=report.broken_at).first()
            what = f" ({event.created_at:%Y-%m-%d %H:%M:%S} {event.action} {event.object_type}:{event.object_id})"
            raise CommandError(
                f"Audit trail broken at event {report.broken_at}{what if event else ''}: {report.reason}. "
                f"{report.checked} event(s) before it verify."
            )
        if head and not AuditEvent.objects.filter(hash=head).exists():
            raise CommandError(
                f"Audit trail verifies ({report.checked} events) but does not contain {head}: "
                "events were removed from its end."
            )
        self.stdout.write(f"Audit trail intact: {report.checked} events, head {report.head or '(empty)'}")
