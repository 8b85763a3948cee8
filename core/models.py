from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")

    def bulk_create(self, *args, **kwargs):
        raise TypeError("Audit events are added one at a time by core.services.audit_record (the hash chain).")

    def bulk_update(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened to a record that matters (a licence decision, a sign-off,
    a grade, a certificate event). Rows are only ever inserted: the model refuses updates
    and deletes, and on PostgreSQL a trigger refuses them too. Each event carries the hash
    of the one before it (core.audit_chain; ``manage.py audit_verify`` checks the chain)."""

    # Set by audit_record before the insert, because the hash covers it.
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted (a scheduled job)."),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("hash of the previous event"), max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            # Two events chained to the same predecessor would be a fork: refused, whatever
            # wrote them.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_chain_no_fork"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
