"""Standard setting for the written exam (issue #18 part 6): modified Angoff exercises,
the judges' ratings and Hofstee bounds, and the versioned history of the written pass mark."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AngoffExercise(models.Model):
    """Judges rate each item of the bank as it stood when the exercise opened. While it
    is open each judge sees only their own ratings; the result is shown once it closes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for ratings")
        CLOSED = "closed", _("Closed")

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="angoff_exercises")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    questions = models.ManyToManyField("exams.Question", related_name="angoff_exercises")
    judges = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="angoff_exercises_judged")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="angoff_exercises_opened"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="angoff_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == AngoffExercise.Status.OPEN


class AngoffRating(models.Model):
    """One judge's estimate, in percent, that a borderline candidate answers the item
    correctly."""

    exercise = models.ForeignKey(AngoffExercise, on_delete=models.CASCADE, related_name="ratings")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="angoff_ratings")
    question = models.ForeignKey("exams.Question", on_delete=models.PROTECT, related_name="angoff_ratings")
    percent = models.DecimalField(_("borderline candidates correct (%)"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exercise", "judge", "question"], name="angoff_rating_once"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="angoff_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.judge_id} on {self.question_id}: {self.percent}%"


class HofsteeBounds(models.Model):
    """A judge's Hofstee answers: the lowest and highest acceptable cut score and the
    lowest and highest acceptable fail rate, all in percent."""

    exercise = models.ForeignKey(AngoffExercise, on_delete=models.CASCADE, related_name="hofstee")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hofstee_bounds")
    min_cut = models.DecimalField(_("lowest acceptable pass mark (%)"), max_digits=5, decimal_places=2)
    max_cut = models.DecimalField(_("highest acceptable pass mark (%)"), max_digits=5, decimal_places=2)
    min_fail = models.DecimalField(_("lowest acceptable fail rate (%)"), max_digits=5, decimal_places=2)
    max_fail = models.DecimalField(_("highest acceptable fail rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exercise", "judge"], name="hofstee_once"),
            models.CheckConstraint(
                condition=Q(min_cut__gte=0, max_cut__lte=100, min_cut__lt=F("max_cut")), name="hofstee_cut_range"
            ),
            models.CheckConstraint(
                condition=Q(min_fail__gte=0, max_fail__lte=100, min_fail__lt=F("max_fail")), name="hofstee_fail_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Hofstee bounds of {self.judge_id}"


class PassMarkVersion(models.Model):
    """The history of a course's written pass mark: who set it, when, why, from what.
    The current pass mark is in ExamSettings; an attempt copies it when it starts."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="pass_mark_versions")
    number = models.PositiveSmallIntegerField()
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"))
    previous_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    exercise = models.ForeignKey(
        AngoffExercise, on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions"
    )
    cut_score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="pass_mark_version_unique"),
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100), name="pass_mark_version_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} pass mark v{self.number}: {self.pass_mark_percent}%"
