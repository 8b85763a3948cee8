from django.contrib import admin
from django.db import models

from .models import AuditEvent


class ReadOnlyAdminMixin:
    """For records whose every change goes through a service that audits it (licence
    decisions, signed sessions, graded attempts, the audit trail itself): the Django
    admin may show them, never add, change or delete them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_exclude(self, request, obj=None):
        # Files in private storage have no URL, so the admin cannot link them; the
        # app's own pages serve them to whoever may see them.
        private = [f.name for f in self.model._meta.fields if isinstance(f, models.FileField)]
        return [*(super().get_exclude(request, obj) or []), *private]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__email")
    date_hierarchy = "created_at"
