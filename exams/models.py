import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    PHARMACOLOGY = "pharmacology", _("Pharmacology")
    ANATOMY = "anatomy", _("Anatomy")
    ASSESSMENT = "assessment", _("Patient assessment")
    TECHNIQUE = "technique", _("Technique")
    COMPLICATIONS = "complications", _("Complications")
    ETHICS = "ethics", _("Ethics and regulation")


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class CaseSet(models.Model):
    """A clinical vignette shared by several items."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="case_sets")
    ref = models.CharField(_("reference"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    vignette = models.TextField(_("vignette"))
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)

    class Meta:
        ordering = ["ref"]
        constraints = [models.UniqueConstraint(fields=["course", "ref"], name="caseset_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.title}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single best answer")
        MULTIPLE = "multiple", _("Multiple response (all or nothing)")

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="questions")
    case_set = models.ForeignKey(CaseSet, on_delete=models.CASCADE, null=True, blank=True, related_name="questions")
    ref = models.CharField(_("reference"), max_length=40)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices)
    stem = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["course", "ref"], name="question_ref_unique"),
            models.CheckConstraint(condition=Q(kind__in=["single", "multiple"]), name="question_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.stem[:60]}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class ExamSettings(models.Model):
    class Review(models.TextChoices):
        SCORE = "score", _("Score and pass/fail only")
        TOPICS = "topics", _("Score and per-topic breakdown")
        FULL = "full", _("Full review with correct answers and explanations")

    course = models.OneToOneField(
        "courses.Course", on_delete=models.CASCADE, primary_key=True, related_name="exam_settings"
    )
    blueprint = models.JSONField(
        _("items per topic"), default=dict, help_text=_('e.g. {"pharmacology": 6, "anatomy": 6}')
    )
    case_sets_per_attempt = models.PositiveSmallIntegerField(_("case sets per attempt"), default=1)
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), default=60)
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=70)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    wait_hours = models.PositiveSmallIntegerField(_("wait between attempts (hours)"), default=24)
    review = models.CharField(_("after submitting, show"), max_length=10, choices=Review.choices, default=Review.TOPICS)

    class Meta:
        verbose_name_plural = "exam settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100), name="exam_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1), name="exam_time_limit_positive"),
            models.CheckConstraint(condition=Q(attempts_allowed__gte=1), name="exam_attempts_positive"),
        ]

    def __str__(self) -> str:
        return f"Exam settings for {self.course_id}"

    @property
    def item_count(self) -> int:
        return sum(int(n) for n in self.blueprint.values())


class Attempt(models.Model):
    """One sitting of the written exam. Its items are snapshots: editing the bank never
    changes an attempt already taken. The deadline is kept here, on the server."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_by_deadline = models.BooleanField(default=False)
    pass_mark_percent = models.PositiveSmallIntegerField()
    review = models.CharField(max_length=10, choices=ExamSettings.Review.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    topic_breakdown = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="open"), name="attempt_one_open_per_enrolment"
            ),
            models.UniqueConstraint(fields=["enrolment", "number"], name="attempt_number_unique"),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="attempt_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(submitted_at__isnull=False, score__isnull=False, passed__isnull=False),
                name="attempt_submitted_is_graded",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} ({self.get_status_display()})"


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    stem = models.TextField()
    case_title = models.CharField(max_length=200, blank=True)
    case_vignette = models.TextField(blank=True)
    # [{"key": "<option id>", "text": "..."}] in the order this trainee sees them.
    options = models.JSONField()
    correct_keys = models.JSONField()
    explanation = models.TextField(blank=True)
    response = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"


# Practical examination (DESIGN.md §4 "Practical") ------------------------------------


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="assessment_number_unique"),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="scheduled"), name="assessment_one_scheduled"
            ),
            models.CheckConstraint(
                condition=Q(status="scheduled") | Q(passed__isnull=False, completed_at__isnull=False),
                name="assessment_completed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Practical {self.number} on {self.scheduled_at:%Y-%m-%d}"


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
