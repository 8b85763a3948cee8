from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import (
    Assessment,
    Attempt,
    CaseSet,
    Criterion,
    ExamSettings,
    Option,
    PracticalExam,
    Question,
    RubricVersion,
    Station,
    StationScore,
)


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
        "key_release",
    )

    def get_readonly_fields(self, request, obj=None):
        # Once set, the pass mark changes only through standard setting
        # (/staff/exams/<code>/standards/), which versions and audits it.
        return ("pass_mark_percent",) if obj is not None else ()


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "number", "status", "score", "max_score", "percent", "passed", "started_at")
    list_filter = ("status", "passed", "enrolment__course")
    list_select_related = ("enrolment__trainee", "enrolment__course")


class StationInline(admin.TabularInline):
    model = Station
    extra = 0
    fields = ("position", "title", "instructions")


@admin.register(PracticalExam)
class PracticalExamAdmin(admin.ModelAdmin):
    list_display = ("course", "overall_pass_percent", "attempts_allowed")
    inlines = [StationInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("position", "text", "descriptor", "points", "critical")


@admin.register(RubricVersion)
class RubricVersionAdmin(admin.ModelAdmin):
    """A version used by an assessment is frozen: change the rubric by adding a version."""

    list_display = ("station", "number", "pass_mark", "created_at")
    list_filter = ("station__practical__course",)
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.assessments.exists()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.assessments.exists()


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "number", "scheduled_at", "status", "passed")
    list_filter = ("status", "passed")


@admin.register(StationScore)
class StationScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "rubric", "examiner", "total", "global_grade", "status")
