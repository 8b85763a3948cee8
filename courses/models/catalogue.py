"""The course catalogue: courses with their accreditation and hands-on requirement,
modules, lessons and their images, runs (cohorts), enrolments and lesson completions."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession
from core.storage import get_private_storage
from courses.handson.case_types import CaseType
from courses.handson.face_sites import AREA_BY_CODE


def validate_area_minimums(value) -> None:
    """{"glabella": 3, ...}: known face-chart areas, each a whole number of sessions."""
    if not isinstance(value, dict):
        raise ValidationError(_('Give a mapping of area to sessions, e.g. {"glabella": 3}.'))
    for area, need in value.items():
        if area not in AREA_BY_CODE:
            raise ValidationError(
                _("“%(area)s” is not an area of the face chart (use one of: %(areas)s).")
                % {"area": area, "areas": ", ".join(AREA_BY_CODE)}
            )
        if not isinstance(need, int) or isinstance(need, bool) or need < 0:
            raise ValidationError(_("The sessions required for %(area)s must be a whole number.") % {"area": area})


def validate_type_minimums(value) -> None:
    """{"observed": 10, "supervised": 10}: known case types, each a whole number of cases."""
    if not isinstance(value, dict):
        raise ValidationError(_('Give a mapping of case type to cases, e.g. {"observed": 10, "supervised": 10}.'))
    for case_type, need in value.items():
        if case_type not in CaseType.values:
            raise ValidationError(
                _("“%(type)s” is not a case type (use one of: %(types)s).")
                % {"type": case_type, "types": ", ".join(CaseType.values)}
            )
        if not isinstance(need, int) or isinstance(need, bool) or need < 0:
            raise ValidationError(_("The cases required for %(type)s must be a whole number.") % {"type": case_type})


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    code = models.SlugField(_("code"), max_length=30, unique=True, help_text=_("Short public code, e.g. BTA-101."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    accrediting_body = models.CharField(_("accrediting body"), max_length=200)
    accreditation_number = models.CharField(_("accreditation number"), max_length=100)
    credit_hours = models.DecimalField(_("CME/CE credit hours"), max_digits=5, decimal_places=2)
    accreditation_valid_from = models.DateField(_("accreditation valid from"))
    accreditation_valid_until = models.DateField(_("accreditation valid until"))
    eligible_professions = models.JSONField(_("eligible professions"), default=list, blank=True)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        related_name="courses_taught",
        blank=True,
        limit_choices_to={"is_instructor": True},
    )
    capacity = models.PositiveIntegerField(_("seats"), default=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    certificate_validity_months = models.PositiveSmallIntegerField(_("certificate valid for (months)"), default=24)
    certificate_auto_issue = models.BooleanField(
        _("issue certificates automatically"),
        default=False,
        help_text=_("Issue as soon as a trainee qualifies, instead of waiting in the administrators' queue."),
    )
    # Who signs the certificates of this course.
    director_name = models.CharField(_("programme director"), max_length=200, blank=True)
    director_title = models.CharField(
        _("programme director's title"), max_length=200, blank=True, help_text=_("e.g. “MD, Programme Director”.")
    )
    director_signature = models.FileField(
        _("programme director's signature"),
        storage=get_private_storage,
        upload_to="signatures/",
        max_length=200,
        blank=True,
        help_text=_("A PNG or JPEG of the signature, ideally on a transparent or white background."),
    )
    # The hands-on requirement (courses.handson.case_types): performed cases in all,
    # signed cases per case type, performed cases per area, recent competence. Observed
    # cases count only toward the "observed" minimum.
    handson_min_sessions = models.PositiveSmallIntegerField(
        _("performed cases required"),
        default=10,
        help_text=_("Signed cases the trainee treated (supervised and independent under oversight together)."),
    )
    handson_type_minimums = models.JSONField(
        _("cases required per case type"),
        default=dict,
        blank=True,
        validators=[validate_type_minimums],
        help_text=_('Case type → signed cases of that type, e.g. {"observed": 10, "supervised": 10}.'),
    )
    handson_area_minimums = models.JSONField(
        _("performed cases required per area"),
        default=dict,
        blank=True,
        validators=[validate_area_minimums],
        help_text=_('Area code → performed cases that must include it, e.g. {"glabella": 3, "forehead": 2}.'),
    )
    handson_recent_competent = models.PositiveSmallIntegerField(
        _("latest performed cases that must be rated competent"), default=3
    )
    # Case photographs are deleted this long after upload unless the model consented to
    # teaching use (courses.handson.photos.photos_delete_expired).
    handson_photo_retention_days = models.PositiveIntegerField(
        _("days case photographs are kept"),
        default=730,
        help_text=_("Deleted automatically after this, unless the model consented to their use in teaching."),
    )
    # On by default: the common UK Level 7 route is cases with the trainee's own mentor.
    # A provider that accepts only its own instructors' sessions turns it off.
    handson_mentor_cases_count = models.BooleanField(
        _("cases signed by a trainee's verified mentor count"),
        default=True,
        help_text=_("Off: only sessions signed by the course's instructors count toward the requirement."),
    )
    handson_reviews_required = models.PositiveSmallIntegerField(
        _("performed cases that need a signed review visit"),
        default=0,
        help_text=_("Cases the trainee treated whose review at about two weeks is recorded and signed."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        # Status values are spelled out in the constraints: Meta cannot see the Status class.
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_capacity_positive"),
            models.CheckConstraint(condition=Q(credit_hours__gte=0), name="course_credits_not_negative"),
            models.CheckConstraint(
                condition=Q(accreditation_valid_until__gt=F("accreditation_valid_from")),
                name="course_accreditation_window",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]), name="course_status_valid"
            ),
            models.CheckConstraint(condition=Q(certificate_validity_months__gte=1), name="course_validity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def accreditation_is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.accreditation_valid_from <= today < self.accreditation_valid_until

    @property
    def eligible_profession_labels(self) -> list[str]:
        return [str(Profession(p).label) for p in self.eligible_professions if p in Profession.values]


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["course", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "position"], name="module_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("content"), help_text=_("Rich text; sanitised when saved."))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=15)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["module__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "position"], name="lesson_position_unique")]

    def __str__(self) -> str:
        return self.title


def lesson_image_path(instance: "LessonImage", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"lesson-images/{instance.course_id}/{instance.id.hex}.{extension}"


class LessonImage(models.Model):
    """An image used in lesson text. Served (like lessons) to enrolled trainees, the
    course's instructors and administrators; lesson HTML may only point at these."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(storage=get_private_storage, upload_to=lesson_image_path, max_length=200)
    content_type = models.CharField(max_length=40)
    alt_text = models.CharField(_("description for screen readers"), max_length=300)

    def __str__(self) -> str:
        return self.alt_text


class CourseRun(models.Model):
    """One cohort of a course: its dates, its clinic and its places. Trainees of a course
    that has open runs enrol onto one of them (courses.services.enrolment_create); a run
    will later own its training days, with trainee places and model slots."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for enrolment")
        CLOSED = "closed", _("Closed to enrolment")
        CANCELLED = "cancelled", _("Cancelled")

    # PROTECT: a course with runs is archived, not deleted (its enrolments already protect it).
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="runs")
    code = models.SlugField(_("code"), max_length=30, help_text=_("Short, unique within the course, e.g. 2027-spring."))
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. “Spring 2027, Leeds”."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    enrolment_closes_on = models.DateField(
        _("enrolment closes on"),
        null=True,
        blank=True,
        help_text=_("The last day trainees may enrol. Empty: until the run's last day."),
    )
    places = models.PositiveSmallIntegerField(
        _("places"), default=12, validators=[MinValueValidator(1)], help_text=_("Trainees the run can take.")
    )
    location = models.CharField(
        _("location"), max_length=200, help_text=_("The clinic and city, e.g. “Aire Clinic, Leeds”, or “Online”.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "starts_on", "code"]
        # Status values are spelled out in the constraints: Meta cannot see the Status class.
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="course_run_code_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="course_run_dates_ordered"),
            models.CheckConstraint(
                condition=Q(enrolment_closes_on__isnull=True) | Q(enrolment_closes_on__lte=F("ends_on")),
                name="course_run_enrolment_closes_by_end",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="course_run_places_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed", "cancelled"]), name="course_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} {self.code} — {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        elif self.enrolment_closes_on and self.ends_on and self.enrolment_closes_on > self.ends_on:
            errors["enrolment_closes_on"] = _("Enrolment must close by the run's last day.")
        if errors:
            raise ValidationError(errors)

    @property
    def last_enrolment_day(self):
        """Trainees may enrol up to and including this day."""
        return self.enrolment_closes_on or self.ends_on


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    # The cohort the trainee joined (None for a course taken without runs). Always a run of
    # ``course`` (courses.services.enrolment_create). Kept on withdrawal, as history; only
    # active enrolments take a place.
    run = models.ForeignKey(
        "CourseRun", on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments", verbose_name=_("run")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-enrolled_at"]
        # Status values are spelled out in the constraints: Meta cannot see the Status class.
        constraints = [
            models.UniqueConstraint(fields=["trainee", "course"], name="enrolment_one_per_trainee_course"),
            models.CheckConstraint(condition=Q(status__in=["active", "withdrawn"]), name="enrolment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} in {self.course.code}"


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_completed_once")]

    def __str__(self) -> str:
        return f"{self.lesson} completed {self.completed_at:%Y-%m-%d}"
