from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdminMixin

from .models import Award, Certificate, StatusList


@admin.register(Award)
class AwardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Awards are made by certification.services.awards only; the admin shows them."""

    list_display = ("trainee", "course", "awarded_at", "handson_sessions")
    list_filter = ("course",)
    search_fields = ("trainee__email", "trainee__legal_name")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Issue, revoke and re-issue at /staff/certificates/, where every change is audited."""

    list_display = ("serial", "holder_name", "course_code", "status", "issued_on", "expires_on")
    list_filter = ("status", "course_code", "paper")
    search_fields = ("serial", "holder_name", "holder__email")
    # The PDF is private (no URL): linked through the view that checks who is asking.
    exclude = ("code", "pdf")
    readonly_fields = ("pdf_link", "status_bits")

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if not obj.pk or not obj.pdf:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("certification:pdf", args=[obj.pk]), obj.pdf.name)

    @admin.display(description="Status list bits")
    def status_bits(self, obj):
        if not obj.pk:
            return "—"
        status_list = obj.status_list
        return ", ".join(
            f"{purpose}: {'set' if status_list.bit(purpose, obj.status_index) else 'clear'}"
            for purpose in StatusList.Purpose
        )


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The bits are written by certification.services.status_lists only."""

    list_display = ("number", "allocated", "size", "revocation_version", "suspension_version", "updated_at")
    exclude = ("revocation", "suspension")
