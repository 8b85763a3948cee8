"""Authoring the practical exam in Glabella's own pages: the exam's overall pass mark and
attempts, its OSCE stations, and each station's rubric (criteria, points, critical
flags, pass mark). Administrators only (rubrics carry pass marks).

A rubric version that an assessment was scheduled with, or that a score was recorded
against, is frozen: saving the rubric then creates the next version, which future
assessments use (assessment_schedule takes each station's newest version). A version
nobody has used yet is corrected in place."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record
from courses.models import Course
from exams.models import Criterion, PracticalExam, RubricVersion, Station, StationScore

MSG_NO_CRITERIA = _("A rubric needs at least one criterion.")
MSG_PASS_ABOVE_TOTAL = _("The pass mark cannot be above the rubric's total of {total} points.")


def rubric_is_used(version: RubricVersion) -> bool:
    """Scheduled with, or scored against: frozen."""
    return version.assessments.exists() or StationScore.objects.filter(rubric=version).exists()


class PracticalExamForm(forms.ModelForm):
    class Meta:
        model = PracticalExam
        fields = ["overall_pass_percent", "attempts_allowed"]


class StationForm(forms.ModelForm):
    class Meta:
        model = Station
        fields = ["title", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}


class RubricForm(forms.Form):
    pass_mark = forms.DecimalField(label=_("Pass mark (points)"), min_value=0, max_digits=6, decimal_places=2)
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Kept with the version, e.g. “criterion 3 reworded”."),
    )


class CriterionForm(forms.Form):
    text = forms.CharField(label=_("Criterion"), max_length=300)
    descriptor = forms.CharField(
        label=_("What earns the points"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100)
    critical = forms.BooleanField(
        label=_("Critical"), required=False, help_text=_("Missing it fails the station whatever the total.")
    )


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(MSG_NO_CRITERIA, code="empty")

    def criteria(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


CriterionFormSet = forms.formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True)


def criteria_initial(version: RubricVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {"text": c.text, "descriptor": c.descriptor, "points": c.points, "critical": c.critical}
        for c in version.criteria.all()
    ]


def check_pass_mark(pass_mark: Decimal, criteria: list[dict]) -> None:
    total = sum(c["points"] for c in criteria)
    if pass_mark > total:
        raise ValidationError({"pass_mark": str(MSG_PASS_ABOVE_TOTAL).format(total=total)}, code="pass_mark")


@transaction.atomic
def practical_exam_save(*, course: Course, exam: PracticalExam, actor: User) -> PracticalExam:
    created = exam._state.adding
    exam.course = course
    exam.full_clean()
    exam.save()
    audit_record(
        actor=actor,
        action="practical.created" if created else "practical.updated",
        obj=exam,
        summary=f"{course.code}: practical pass mark {exam.overall_pass_percent}%, {exam.attempts_allowed} attempt(s)",
        details={"overall_pass_percent": exam.overall_pass_percent, "attempts_allowed": exam.attempts_allowed},
    )
    return exam


@transaction.atomic
def station_save(*, station: Station, actor: User) -> Station:
    created = station.pk is None
    if created:
        station.position = (
            Station.objects.filter(practical=station.practical).aggregate(top=Max("position"))["top"] or 0
        ) + 1
    station.full_clean()
    station.save()
    audit_record(
        actor=actor,
        action="practical.station_created" if created else "practical.station_updated",
        obj=station,
        summary=f"{station.practical.course_id}: station “{station.title}”",
        details={"title": station.title, "instructions": station.instructions},
    )
    return station


@transaction.atomic
def rubric_save(
    *, station: Station, pass_mark: Decimal, criteria: list[dict], note: str, actor: User
) -> tuple[RubricVersion, bool]:
    """Save the station's rubric: in place while its newest version is unused, else as a
    new version. Returns (the version, whether it is new). The station row is locked so
    that two saves number their versions one after the other."""
    if not criteria:
        raise ValidationError(MSG_NO_CRITERIA, code="empty")
    check_pass_mark(pass_mark, criteria)
    station = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
    current = station.versions.order_by("-number").first()
    if current is not None and not rubric_is_used(current):
        version, new = current, False
        version.pass_mark = pass_mark
        version.note = note
        version.full_clean()
        version.save()
        version.criteria.all().delete()
    else:
        version = RubricVersion(station=station, number=(current.number + 1) if current else 1, pass_mark=pass_mark)
        version.note = note
        version.full_clean()
        version.save()
        new = True
    Criterion.objects.bulk_create([Criterion(rubric=version, position=i, **c) for i, c in enumerate(criteria, start=1)])
    audit_record(
        actor=actor,
        action="practical.rubric_version_created" if new else "practical.rubric_updated",
        obj=version,
        summary=f"{station}: rubric v{version.number}, pass mark {pass_mark} of {sum(c['points'] for c in criteria)}",
        details={
            "pass_mark": str(pass_mark),
            "note": note,
            "criteria": [[c["text"], c["points"], c["critical"]] for c in criteria],
            "replaces": current.number if (new and current) else None,
        },
    )
    return version, new
