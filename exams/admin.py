from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Attempt, CaseSet, ExamSettings, Option, Question


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ("position", "text", "is_correct")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Editing an item never changes attempts already taken: they keep a snapshot."""

    list_display = ("ref", "course", "topic", "kind", "difficulty", "status", "case_set")
    list_filter = ("course", "status", "topic", "kind", "difficulty")
    search_fields = ("ref", "stem")
    inlines = [OptionInline]


@admin.register(CaseSet)
class CaseSetAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "course", "status")
    list_filter = ("course", "status")


@admin.register(ExamSettings)
class ExamSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "course",
        "time_limit_minutes",
        "pass_mark_percent",
        "attempts_allowed",
        "wait_hours",
        "review",
    )


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "number", "status", "score", "max_score", "percent", "passed", "started_at")
    list_filter = ("status", "passed", "enrolment__course")
    list_select_related = ("enrolment__trainee", "enrolment__course")
