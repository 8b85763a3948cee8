"""The practical examination (DESIGN.md §4 "Practical"): OSCE stations with versioned
rubrics, assessments and each examiner's marks."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GlobalGrade(models.IntegerChoices):
    FAIL = 0, _("Fail")
    BORDERLINE = 1, _("Borderline")
    PASS = 2, _("Pass")
    GOOD = 3, _("Good")
    EXCELLENT = 4, _("Excellent")


class PracticalExam(models.Model):
    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, primary_key=True, related_name="practical"
    )
    overall_pass_percent = models.PositiveSmallIntegerField(_("overall pass mark (%)"), default=60)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_pass_percent__gte=1, overall_pass_percent__lte=100), name="practical_pass_range"
            ),
            models.CheckConstraint(condition=Q(attempts_allowed__gte=1), name="practical_attempts_positive"),
        ]

    def __str__(self) -> str:
        return f"Practical exam of {self.course_id}"


class Station(models.Model):
    """An OSCE station. Its rubric is versioned: an assessment keeps the version it was
    scheduled (and scored) with."""

    practical = models.ForeignKey(PracticalExam, on_delete=models.CASCADE, related_name="stations")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(default=1)
    instructions = models.TextField(_("instructions for the examiner"), blank=True)

    class Meta:
        ordering = ["practical", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["practical", "position"], name="station_position_unique")]

    def __str__(self) -> str:
        return self.title


class RubricVersion(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    pass_mark = models.DecimalField(_("pass mark (points)"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["station", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["station", "number"], name="rubric_version_unique"),
            models.CheckConstraint(condition=Q(pass_mark__gte=0), name="rubric_pass_mark_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.station} v{self.number}"


class Criterion(models.Model):
    rubric = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("criterion"), max_length=300)
    descriptor = models.TextField(_("what earns the points"), blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    critical = models.BooleanField(_("critical"), default=False)

    class Meta:
        ordering = ["rubric", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gte=1), name="criterion_points_positive")]

    def __str__(self) -> str:
        return self.text


class Assessment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.PROTECT, related_name="assessments")
    number = models.PositiveSmallIntegerField()
    scheduled_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    rubrics = models.ManyToManyField(RubricVersion, related_name="assessments", verbose_name=_("stations"))
    examiners = models.ManyToManyField("accounts.User", related_name="assessments_examined")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    passed = models.BooleanField(null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Literals in the constraints: Meta's body cannot see Status (class scopes do not nest).
        ordering = ["-scheduled_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="assessment_number_unique"),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="scheduled"), name="assessment_one_scheduled"
            ),
            models.CheckConstraint(
                condition=Q(status="scheduled")
                | Q(status="completed", passed__isnull=False, completed_at__isnull=False)
                | Q(status="cancelled", cancelled_at__isnull=False, passed__isnull=True),
                name="assessment_completed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Practical {self.number} on {self.scheduled_at:%Y-%m-%d}"

    @property
    def is_completed(self) -> bool:
        """Every examiner has submitted (for templates, which cannot name
        ``Assessment.Status.COMPLETED``)."""
        return self.status == Assessment.Status.COMPLETED

    @property
    def is_cancelled(self) -> bool:
        return self.status == Assessment.Status.CANCELLED

    @property
    def is_scheduled(self) -> bool:
        return self.status == Assessment.Status.SCHEDULED


class StationScore(models.Model):
    """One examiner's marks for one station of one assessment. Submitted marks are final."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    rubric = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="scores")
    examiner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="station_scores")
    points = models.JSONField(default=dict, blank=True)  # {criterion id: points awarded}
    global_grade = models.PositiveSmallIntegerField(choices=GlobalGrade.choices, null=True, blank=True)
    comments = models.TextField(blank=True)
    total = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "rubric", "examiner"], name="station_score_once"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(global_grade__isnull=False, submitted_at__isnull=False),
                name="station_score_submitted_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric} by {self.examiner_id}: {self.total}"
