"""The written exam: the question bank (items, case sets), a course's exam settings, and
attempts with their snapshotted items."""

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

    class KeyRelease(models.TextChoices):
        """When a full review may show the answer key: never while the candidate has an
        attempt left (exams.selectors.attempt_review), whatever is chosen here."""

        AFTER_LAST_ATTEMPT = "after_last_attempt", _("After the candidate's last attempt")
        AFTER_SITTING_CLOSES = "after_sitting_closes", _("After the sitting closes for everyone")
        NEVER = "never", _("Never")

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
    allow_unscheduled = models.BooleanField(
        _("allow attempts outside a sitting"),
        default=False,
        help_text=_("For practice exams: trainees may start whenever they are eligible, without booking a sitting."),
    )
    key_release = models.CharField(
        _("answer key shown"),
        max_length=20,
        choices=KeyRelease.choices,
        default=KeyRelease.AFTER_LAST_ATTEMPT,
        help_text=_(
            "A full review shows the answer key and explanations only when the candidate has no attempt left;"
            " this says whether it waits for the sitting to close too, or is never shown."
        ),
    )

    class Meta:
        verbose_name_plural = "exam settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100), name="exam_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1), name="exam_time_limit_positive"),
            models.CheckConstraint(condition=Q(attempts_allowed__gte=1), name="exam_attempts_positive"),
            models.CheckConstraint(
                condition=Q(key_release__in=["after_last_attempt", "after_sitting_closes", "never"]),
                name="exam_key_release_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Written exam settings of {self.course.code}"

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
    # Set while an invigilator has paused this attempt: the clock stops (on resume the
    # deadline moves on by the time paused, so ``deadline`` stays the one server deadline).
    paused_at = models.DateTimeField(null=True, blank=True)
    closed_by_deadline = models.BooleanField(default=False)
    pass_mark_percent = models.PositiveSmallIntegerField()
    review = models.CharField(max_length=10, choices=ExamSettings.Review.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    topic_breakdown = models.JSONField(default=dict, blank=True)

    class Meta:
        # Literals in the constraints: Meta's body cannot see Status (class scopes do not nest).
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

    @property
    def is_open(self) -> bool:
        """Still being taken (for templates, which cannot name ``Attempt.Status.OPEN``)."""
        return self.status == Attempt.Status.OPEN


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    stem = models.TextField()
    case_title = models.CharField(max_length=200, blank=True)
    case_vignette = models.TextField(blank=True)
    # [{"key": "<option id>", "text": "..."}] in the order this trainee sees them. The keys
    # never reach the browser: pages and posts use exams.option_tokens (per attempt).
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
