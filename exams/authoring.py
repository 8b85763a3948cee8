"""Exam settings in Glabella's own page: attempts, wait, time limit, what trainees see
after submitting, and the blueprint as a table of topics × items per attempt, each
beside the bank's active items on that topic. The bank must be able to fill the
blueprint (the same pools exams.services.attempts._draw draws from: active items not in
a case set, per topic; active case sets), or the form says where it falls short.
Pass marks are for administrators only; a course's instructors set the rest."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from core.services import audit_record
from courses.models import Course

from .models import CaseSet, ExamSettings, ItemStatus, Question, Topic


def msg_topic_short(have: int, topic: str) -> str:
    return ngettext(
        "The bank has {have} active item on {topic} outside case sets; lower the count or activate more items.",
        "The bank has {have} active items on {topic} outside case sets; lower the count or activate more items.",
        have,
    ).format(have=have, topic=topic)


def msg_cases_short(have: int) -> str:
    return ngettext(
        "The bank has {have} active case set; lower the number or activate more case sets.",
        "The bank has {have} active case sets; lower the number or activate more case sets.",
        have,
    ).format(have=have)


MSG_NO_ITEMS = _("An attempt needs at least one item: give a count for at least one topic or one case set.")


def bank_availability(course: Course) -> tuple[dict[str, int], int]:
    """(active standalone items per topic, active case sets): two queries."""
    per_topic = dict(
        Question.objects.filter(course=course, status=ItemStatus.ACTIVE, case_set__isnull=True)
        .values_list("topic")
        .annotate(n=Count("pk"))
        .values_list("topic", "n")
    )
    cases = CaseSet.objects.filter(course=course, status=ItemStatus.ACTIVE).count()
    return {topic: per_topic.get(topic, 0) for topic in Topic.values}, cases


def blueprint_field(topic: str) -> str:
    return f"topic_{topic}"


class ExamSettingsForm(forms.ModelForm):
    """The settings, with one count field per topic in place of the blueprint's JSON."""

    class Meta:
        model = ExamSettings
        fields = [
            "time_limit_minutes", "pass_mark_percent", "attempts_allowed", "wait_hours", "review",
            "case_sets_per_attempt",
        ]  # fmt: skip
        widgets = {"review": forms.RadioSelect}

    def __init__(self, *args, available: dict[str, int], cases_available: int, may_set_pass_mark: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.available = available
        self.cases_available = cases_available
        if not may_set_pass_mark:
            del self.fields["pass_mark_percent"]
        self.fields["case_sets_per_attempt"].help_text = ngettext(
            "%(n)s active case set in the bank.", "%(n)s active case sets in the bank.", cases_available
        ) % {"n": cases_available}
        blueprint = self.instance.blueprint or {}
        for value, label in Topic.choices:
            self.fields[blueprint_field(value)] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=500,
                initial=int(blueprint.get(value, 0)),
                help_text=_("%(n)s available") % {"n": available.get(value, 0)},
            )

    def topic_rows(self):
        """(bound field, topic label, available) per topic, for the blueprint table."""
        return [(self[blueprint_field(value)], label, self.available.get(value, 0)) for value, label in Topic.choices]

    def other_fields(self):
        return [self[name] for name in self.fields if not name.startswith("topic_")]

    def clean(self):
        cleaned = super().clean()
        total = 0
        for value, label in Topic.choices:
            need = cleaned.get(blueprint_field(value))
            if need is None:
                continue
            total += need
            have = self.available.get(value, 0)
            if need > have:
                self.add_error(blueprint_field(value), msg_topic_short(have, label))
        sets = cleaned.get("case_sets_per_attempt")
        if sets is not None and sets > self.cases_available:
            self.add_error("case_sets_per_attempt", msg_cases_short(self.cases_available))
        if not self.errors and total == 0 and not sets:
            raise ValidationError(MSG_NO_ITEMS, code="empty")
        return cleaned

    def blueprint(self) -> dict[str, int]:
        return {
            value: self.cleaned_data[blueprint_field(value)]
            for value in Topic.values
            if self.cleaned_data.get(blueprint_field(value))
        }


@transaction.atomic
def exam_settings_save(*, settings: ExamSettings, blueprint: dict[str, int], actor: User) -> ExamSettings:
    """Save the settings with their blueprint (audited, with what changed)."""
    created = settings._state.adding
    before = {} if created else dict(
        ExamSettings.objects.filter(pk=settings.pk).values(
            "blueprint", "case_sets_per_attempt", "time_limit_minutes", "pass_mark_percent", "attempts_allowed",
            "wait_hours", "review",
        ).first() or {}
    )  # fmt: skip
    settings.blueprint = blueprint
    settings.full_clean()
    settings.save()
    after = {
        "blueprint": settings.blueprint,
        "case_sets_per_attempt": settings.case_sets_per_attempt,
        "time_limit_minutes": settings.time_limit_minutes,
        "pass_mark_percent": settings.pass_mark_percent,
        "attempts_allowed": settings.attempts_allowed,
        "wait_hours": settings.wait_hours,
        "review": settings.review,
    }
    changed = {
        key: {"before": before.get(key), "after": value} for key, value in after.items() if before.get(key) != value
    }
    audit_record(
        actor=actor,
        action="exam_settings.created" if created else "exam_settings.updated",
        obj=settings,
        summary=f"{settings.course.code}: exam settings, {settings.item_count} item(s) per attempt",
        details={"course": settings.course.code, "changed": changed},
    )
    return settings
