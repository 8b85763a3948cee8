from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from accounts.models import Profession
from core.admin import ReadOnlyAdminMixin
from core.uploads import check_document

from . import services
from .handson import services as handson_services
from .handson.face_sites import format_units as fmt
from .models import Course, InjectionSession, Lesson, LessonImage, Module, Product, ProductAreaReference


class UploadRequestMixin:
    """Hands the admin's request to its form, so that uploads count against the user's
    upload rate (core.uploads)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form)(form.__name__, (form,), {"request": request})


class CourseAdminForm(forms.ModelForm):
    request = None
    eligible_professions = forms.MultipleChoiceField(
        choices=Profession.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = Course
        fields = [
            "code", "title", "summary", "description", "status", "accrediting_body", "accreditation_number",
            "credit_hours", "accreditation_valid_from", "accreditation_valid_until", "eligible_professions",
            "instructors", "capacity", "certificate_validity_months", "certificate_auto_issue", "director_name",
            "director_title", "director_signature", "handson_min_sessions", "handson_type_minimums",
            "handson_area_minimums", "handson_recent_competent", "handson_mentor_cases_count",
        ]  # fmt: skip
        # The signature is a private file (no URL), which the clearable widget would link to.
        widgets = {"director_signature": forms.FileInput}

    def clean_director_signature(self):
        """A new signature is checked by content and stored re-encoded (no metadata)."""
        upload = self.cleaned_data.get("director_signature")
        if not isinstance(upload, UploadedFile):
            return upload
        checked = check_document(upload, request=self.request)
        if not checked.content_type.startswith("image/"):
            raise ValidationError("The signature must be a PNG or JPEG image.")
        return ContentFile(checked.content, name=f"signature{checked.extension}")


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ("position", "title", "summary")


@admin.register(Course)
class CourseAdmin(UploadRequestMixin, admin.ModelAdmin):
    form = CourseAdminForm
    list_display = ("code", "title", "status", "capacity", "credit_hours", "accreditation_valid_until")
    list_filter = ("status", "accrediting_body")
    search_fields = ("code", "title")
    filter_horizontal = ("instructors",)
    inlines = [ModuleInline]
    readonly_fields = ("signature_on_file",)

    @admin.display(description="Signature on file")
    def signature_on_file(self, obj):
        return obj.director_signature.name if obj.director_signature else "—"

    def save_model(self, request, obj, form, change):
        services.course_save(course=obj, actor=request.user)


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ("module", "position", "title", "minutes", "body_html")
        widgets = {"body_html": forms.Textarea(attrs={"rows": 20})}


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonAdminForm
    list_display = ("title", "module", "position", "minutes")
    list_filter = ("module__course",)
    list_select_related = ("module", "module__course")
    search_fields = ("title",)

    def save_model(self, request, obj, form, change):
        # Through the service: the HTML is sanitised before it is stored.
        services.lesson_save(lesson=obj)


class LessonImageAdminForm(forms.ModelForm):
    upload = forms.FileField(help_text="JPEG or PNG, up to 10 MB.")
    request = None

    class Meta:
        model = LessonImage
        fields = ("course", "alt_text")

    def clean_upload(self):
        checked = check_document(self.cleaned_data["upload"], request=self.request)
        if not checked.content_type.startswith("image/"):
            raise ValidationError("Lesson images must be JPEG or PNG.")
        return checked  # checked once: the service stores it as it is


@admin.register(LessonImage)
class LessonImageAdmin(UploadRequestMixin, admin.ModelAdmin):
    form = LessonImageAdminForm
    list_display = ("alt_text", "course", "id")
    readonly_fields = ("lesson_html",)

    @admin.display(description="HTML to paste into a lesson")
    def lesson_html(self, obj):
        if obj.pk is None:
            return "—"
        return f'<img src="/courses/{obj.course.code}/images/{obj.pk}/" alt="{obj.alt_text}">'

    def has_change_permission(self, request, obj=None):
        return obj is None

    def save_model(self, request, obj, form, change):
        image = services.lesson_image_add(course=obj.course, upload=form.cleaned_data["upload"], alt_text=obj.alt_text)
        obj.pk = image.pk


@admin.register(InjectionSession)
class InjectionSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: sessions are recorded, signed and amended by instructors in the app,
    which audits every step. Signed sessions are never editable here."""

    list_display = ("performed_on", "case_type", "model_code", "enrolment", "instructor", "status")
    list_filter = ("status", "case_type", "enrolment__course")
    list_select_related = ("enrolment__trainee", "enrolment__course", "instructor")
    # The warnings are stored as codes; shown here as the sentences the app shows.
    exclude = ("dose_warnings",)
    readonly_fields = ("dose_warning_sentences",)

    @admin.display(description="Dose warnings")
    def dose_warning_sentences(self, obj):
        return "; ".join(obj.dose_warning_texts) or "—"


class ProductAreaReferenceInline(admin.TabularInline):
    model = ProductAreaReference
    extra = 0
    fields = ("area_code", "units", "sites", "given_with", "citation")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Products and their label references. The figures drive the dose warnings: a
    clinician must review every change, and every change is audited. A product used by a
    session cannot be deleted; make it inactive instead."""

    list_display = ("short_name", "generic_name", "unit_label", "cap_display", "active")
    list_filter = ("active",)
    readonly_fields = ("presets_display",)
    inlines = [ProductAreaReferenceInline]
    fields = (
        "code", "generic_name", "brand_names", "unit_label", "vial_sizes", "reconstitution_presets",
        "presets_display", "cap_units", "cap_citation", "active", "position",
    )  # fmt: skip

    @admin.display(description="Cumulative cap")
    def cap_display(self, obj):
        return f"{obj.cap_units} U / 3 months" if obj.cap_units else "no label cap"

    @admin.display(description="Presets (U per 0.1 mL)")
    def presets_display(self, obj):
        rows = obj.preset_rows if obj.pk else []
        return "; ".join(f"{fmt(v)} U in {fmt(m)} mL = {fmt(c)} U per 0.1 mL" for v, m, c in rows) or "—"

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        handson_services.product_record_change(product=form.instance, actor=request.user, created=not change)
