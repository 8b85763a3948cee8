from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdminMixin

from .models import Award, Certificate


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
    readonly_fields = ("pdf_link",)

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if not obj.pk or not obj.pdf:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("certification:pdf", args=[obj.pk]), obj.pdf.name)
