from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdminMixin

from . import selectors, services
from .models import Jurisdiction, Licence, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "legal_name",
        "profession",
        "is_trainee",
        "is_instructor",
        "is_examiner",
        "is_administrator",
        "is_active",
    )
    list_filter = ("is_trainee", "is_instructor", "is_examiner", "is_administrator", "is_active")
    search_fields = ("email", "legal_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("legal_name", "profession")}),
        (
            "Roles",
            {
                "fields": (
                    "is_trainee",
                    "is_instructor",
                    "is_examiner",
                    "is_administrator",
                    "is_active",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        # A name checked against a verified licence changes only through an approved
        # name change request (accounts.services.name_change_approve), which audits it.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and selectors.legal_name_locked(obj):
            fields = (*fields, "legal_name")
        return fields

    def save_model(self, request, obj, form, change):
        # Roles go through the service so that staff status and the audit trail follow.
        roles = {
            k: form.cleaned_data.get(f"is_{k}", getattr(obj, f"is_{k}"))
            for k in ("trainee", "instructor", "examiner", "administrator")
        }
        obj.is_staff = obj.is_superuser = obj.is_administrator
        super().save_model(request, obj, form, change)
        services.user_roles_set(user=obj, actor=request.user, **roles)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "region", "is_active")
    search_fields = ("name", "country", "region")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: decisions are made in the verification queue, which audits them."""

    list_display = (
        "holder",
        "profession",
        "number",
        "jurisdiction",
        "expires_on",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "profession", "jurisdiction")
    search_fields = ("number", "holder__email", "holder__legal_name")
    list_select_related = ("holder", "jurisdiction")
    # The scan is private (no URL): linked through the view that checks who is asking.
    exclude = ("document",)
    readonly_fields = ("document_link",)

    @admin.display(description="Document")
    def document_link(self, obj):
        if not obj.pk or not obj.document:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("accounts:licence_document", args=[obj.pk]), "Open the scan")
