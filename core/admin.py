from django.contrib import admin

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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__email")
    date_hierarchy = "created_at"
