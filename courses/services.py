"""Writes for courses: authoring (lesson HTML sanitised on save), enrolment and study.

Enrolment rules (enrolment_blockers lists the ones that fail, each with what to do):
a published course whose accreditation is current; a verified, unexpired licence of a
profession the course accepts, from a jurisdiction whose rule allows that profession to
be certified; a free seat; not enrolled already.

A course with open runs (cohorts) takes enrolments onto a run instead: the trainee
chooses one, and it must be a run of this course, open, before its enrolment closing day,
with a free place. Its places replace the course's seats (``capacity``), which then do
not apply. Run rules are blockers with ``field="run"``, so forms show them at the run
choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, User
from accounts.selectors import licence_valid_for
from core.services import audit_record

from .models import Course, CourseRun, Enrolment, Lesson, LessonCompletion, LessonImage
from .sanitize import lesson_html_clean

MSG_NOT_PUBLISHED = _("This course is not open for enrolment.")
MSG_ACCREDITATION_LAPSED = _("This course's accreditation is not current, so it cannot take enrolments at the moment.")
MSG_NO_VALID_LICENCE = _("You need a verified, unexpired licence before you can enrol.")
MSG_LICENCE_AWAITING = _("Your licence is awaiting verification; you can enrol once it is verified.")
MSG_PROFESSION_NOT_ELIGIBLE = _(
    "This course is open to {professions}; none of your verified licences is for one of those."
)
MSG_JURISDICTION_RULE = _("{jurisdiction} does not allow a {profession} to be certified for botulinum toxin injection.")
MSG_COURSE_FULL = _("This course is full.")
MSG_ALREADY_ENROLLED = _("You are already enrolled in this course.")
MSG_RUN_REQUIRED = _("Choose the run (dates and place) you want to join.")
MSG_RUN_OTHER_COURSE = _("That run is not a run of this course.")
MSG_RUN_NOT_OPEN = _("{run} is not open for enrolment.")
MSG_RUN_CLOSED_ON = _("Enrolment for {run} closed on {date}.")
MSG_RUN_FULL = _("{run} is full.")
MSG_NOT_ENROLLED = _("You are not enrolled in this course.")
MSG_LESSON_NOT_IN_COURSE = _("That lesson is not part of this course.")


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str
    action_label: str = ""
    action_url: str = ""
    field: str | None = None  # the form field the rule is about (None: the enrolment as a whole)


def run_places_taken(run: CourseRun) -> int:
    return run.enrolments.filter(status=Enrolment.Status.ACTIVE).count()


def run_blockers(*, run: CourseRun, course: Course, taken: int | None = None, today=None) -> list[Blocker]:
    """The rules a run must meet to take an enrolment (whoever the trainee is): a run of
    this course, open, on or before its last enrolment day, with a free place. ``taken``:
    the run's active enrolments, when the caller has counted them."""
    if run.course_id != course.pk:
        return [Blocker("run_course", MSG_RUN_OTHER_COURSE, field="run")]
    today = today or timezone.localdate()
    if run.status != CourseRun.Status.OPEN:
        return [Blocker("run_not_open", str(MSG_RUN_NOT_OPEN).format(run=run.title), field="run")]
    if today > run.last_enrolment_day:
        return [
            Blocker(
                "run_closed",
                str(MSG_RUN_CLOSED_ON).format(run=run.title, date=dateformat.format(run.last_enrolment_day, "j F Y")),
                field="run",
            )
        ]
    if taken is None:
        taken = run_places_taken(run)
    if taken >= run.places:
        return [Blocker("run_full", str(MSG_RUN_FULL).format(run=run.title), field="run")]
    return []


def course_has_open_runs(course: Course) -> bool:
    return course.runs.filter(status=CourseRun.Status.OPEN).exists()


def enrolment_blockers(
    *,
    trainee: User,
    course: Course,
    run: CourseRun | None = None,
    active_count: int | None = None,
    has_open_runs: bool | None = None,
) -> list[Blocker]:
    """Every enrolment rule the trainee fails for this course (and the run chosen, for a
    course with open runs), with the next step. ``active_count`` and ``has_open_runs``:
    what the caller has already read (the course page), to save the queries."""
    blockers: list[Blocker] = []
    if course.status != Course.Status.PUBLISHED:
        blockers.append(Blocker("not_published", MSG_NOT_PUBLISHED))
    if not course.accreditation_is_current():
        blockers.append(Blocker("accreditation", MSG_ACCREDITATION_LAPSED))
    if Enrolment.objects.filter(trainee=trainee, course=course, status=Enrolment.Status.ACTIVE).exists():
        blockers.append(Blocker("enrolled", MSG_ALREADY_ENROLLED))
        return blockers
    licences = list(licence_valid_for(user=trainee))
    if not licences:
        waiting = trainee.licences.filter(status=Licence.Status.SUBMITTED).exists()
        blockers.append(
            Blocker(
                "licence",
                MSG_LICENCE_AWAITING if waiting else MSG_NO_VALID_LICENCE,
                "" if waiting else _("Submit a licence"),
                "" if waiting else reverse("accounts:licence_create"),
            )
        )
    else:
        eligible = [lic for lic in licences if lic.profession in course.eligible_professions]
        if not eligible:
            blockers.append(
                Blocker(
                    "profession",
                    str(MSG_PROFESSION_NOT_ELIGIBLE).format(
                        professions=", ".join(course.eligible_profession_labels).lower() or "—"
                    ),
                )
            )
        elif not any(lic.jurisdiction.allows(lic.profession) for lic in eligible):
            licence = eligible[0]
            blockers.append(
                Blocker(
                    "jurisdiction",
                    str(MSG_JURISDICTION_RULE).format(
                        jurisdiction=licence.jurisdiction.name,
                        profession=licence.get_profession_display().lower(),
                    ),
                )
            )
    if run is not None:
        blockers.extend(run_blockers(run=run, course=course))
    elif has_open_runs if has_open_runs is not None else course_has_open_runs(course):
        blockers.append(Blocker("run_required", MSG_RUN_REQUIRED, field="run"))
    else:
        if active_count is None:
            active_count = course.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
        if active_count >= course.capacity:
            blockers.append(Blocker("full", MSG_COURSE_FULL))
    return blockers


def _blockers_error(blockers: list[Blocker]) -> ValidationError:
    """A ValidationError that names the field of each rule (``run``) or none."""
    if not any(b.field for b in blockers):
        return ValidationError([b.message for b in blockers], code=blockers[0].code)
    errors: dict[str, list[ValidationError]] = {}
    for blocker in blockers:
        errors.setdefault(blocker.field or NON_FIELD_ERRORS, []).append(
            ValidationError(blocker.message, code=blocker.code)
        )
    return ValidationError(errors)


@transaction.atomic
def enrolment_create(*, trainee: User, course: Course, run: CourseRun | None = None) -> Enrolment:
    """Enrol the trainee (onto ``run``, for a course with open runs), or raise
    ValidationError with every rule that fails (run rules at the field ``run``).

    Holds a SELECT FOR UPDATE lock on the run row while counting its places (or, for a
    course taken without runs, on the course row while counting seats), so that
    concurrent requests for the last places cannot overfill it. Re-enrolling after
    withdrawing may choose another run; the progress made is kept."""
    if run is not None:
        run = CourseRun.objects.select_for_update().get(pk=run.pk)
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
    blockers = enrolment_blockers(trainee=trainee, course=course, run=run)
    if blockers:
        raise _blockers_error(blockers)
    enrolment = Enrolment.objects.filter(trainee=trainee, course=course).first()
    try:
        with transaction.atomic():
            if enrolment is None:
                enrolment = Enrolment.objects.create(trainee=trainee, course=course, run=run)
            else:  # re-enrolling after withdrawing keeps the progress made
                enrolment.status = Enrolment.Status.ACTIVE
                enrolment.enrolled_at = timezone.now()
                enrolment.withdrawn_at = None
                enrolment.run = run
                enrolment.save(update_fields=["status", "enrolled_at", "withdrawn_at", "run"])
    except IntegrityError:
        raise ValidationError(MSG_ALREADY_ENROLLED, code="enrolled") from None
    audit_record(
        actor=trainee,
        action="enrolment.created",
        obj=enrolment,
        summary=f"{trainee.email} enrolled in {course.code}" + (f" ({run.code})" if run else ""),
        details={"run": run.code} if run else None,
    )
    return enrolment


MSG_NOT_ACTIVE = _("Only an active enrolment can be placed on a run.")


@transaction.atomic
def enrolment_assign_run(*, enrolment: Enrolment, run: CourseRun, actor: User | None) -> Enrolment:
    """Place an active enrolment made without a run (before the course had runs) onto one
    of its course's runs, under the run's rules (open, before its closing day, a free
    place). Holds a SELECT FOR UPDATE lock on the run row while counting its places."""
    run = CourseRun.objects.select_for_update().get(pk=run.pk)
    enrolment = Enrolment.objects.select_for_update().select_related("trainee", "course").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(MSG_NOT_ACTIVE, code="not_active")
    if enrolment.run_id == run.pk:
        return enrolment
    blockers = run_blockers(run=run, course=enrolment.course)
    if blockers:
        raise _blockers_error(blockers)
    before = enrolment.run.code if enrolment.run else None
    enrolment.run = run
    enrolment.save(update_fields=["run"])
    audit_record(
        actor=actor,
        action="enrolment.run_assigned",
        obj=enrolment,
        summary=f"{enrolment.trainee.email} placed on {enrolment.course.code} {run.code}",
        details={"run": run.code, "before": before},
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, trainee: User, course: Course) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(trainee=trainee, course=course, status=Enrolment.Status.ACTIVE)
        .first()
    )
    if enrolment is None:
        raise ValidationError(MSG_NOT_ENROLLED, code="not_enrolled")
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    audit_record(
        actor=trainee,
        action="enrolment.withdrawn",
        obj=enrolment,
        # The run's place is free again: places count active enrolments only.
        summary=f"{trainee.email} withdrew from {course.code}" + (f" ({enrolment.run.code})" if enrolment.run else ""),
    )
    # The exam's pending bookings go too, and their pre-drawn papers are discarded.
    from exams.sittings.services import bookings_cancel_withdrawn

    bookings_cancel_withdrawn(enrolment=enrolment, actor=trainee)
    return enrolment


def lesson_open(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember where the trainee is, so that 'Continue' resumes there."""
    if enrolment.last_lesson_id != lesson.pk:
        enrolment.last_lesson = lesson
        enrolment.save(update_fields=["last_lesson"])


def lesson_complete(*, enrolment: Enrolment, lesson: Lesson) -> LessonCompletion:
    """Mark a lesson complete (idempotent)."""
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(MSG_NOT_ENROLLED, code="not_enrolled")
    if lesson.module.course_id != enrolment.course_id:
        raise ValidationError(MSG_LESSON_NOT_IN_COURSE, code="lesson")
    completion, _created = LessonCompletion.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    return completion


def lesson_save(*, lesson: Lesson) -> Lesson:
    """Save a lesson with its HTML sanitised: what an author typed never reaches a
    trainee's browser unfiltered."""
    lesson.body_html = lesson_html_clean(lesson.body_html)
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def course_save(*, course: Course, actor: User | None) -> Course:
    """Save a course (audited). A replaced director's signature is audited too, and the
    old file deleted once the change is committed: no orphaned signatures are left on
    disk to be found or misused."""
    created = course.pk is None
    old_signature = "" if created else (
        Course.objects.filter(pk=course.pk).values_list("director_signature", flat=True).first() or ""
    )  # fmt: skip
    course.full_clean()
    course.save()
    audit_record(
        actor=actor,
        action="course.created" if created else "course.updated",
        obj=course,
        summary=f"{course.code}: {course.get_status_display()}",
        details={
            "status": course.status,
            "capacity": course.capacity,
            # The hands-on requirement certificates rest on.
            "handson": {
                "performed": course.handson_min_sessions,
                "types": course.handson_type_minimums,
                "areas": course.handson_area_minimums,
                "recent_competent": course.handson_recent_competent,
            },
        },
    )
    new_signature = course.director_signature.name or ""
    if old_signature and old_signature != new_signature:
        audit_record(
            actor=actor,
            action="course.signature_replaced",
            obj=course,
            summary=f"{course.code}: director's signature replaced; the old file is deleted",
            details={"old": old_signature, "new": new_signature},
        )
        storage = course.director_signature.storage
        transaction.on_commit(lambda: storage.delete(old_signature), robust=True)
    return course


def lesson_image_add(*, course: Course, upload, alt_text: str) -> LessonImage:
    """``upload`` is an uploaded file, or a document core.uploads has already checked."""
    from django.core.files.base import ContentFile

    from core.uploads import CheckedDocument, check_document

    checked = upload if isinstance(upload, CheckedDocument) else check_document(upload)
    if not checked.content_type.startswith("image/"):
        raise ValidationError({"image": _("Lesson images must be JPEG or PNG.")})
    image = LessonImage(course=course, content_type=checked.content_type, alt_text=alt_text)
    image.image.save(f"image{checked.extension}", ContentFile(checked.content), save=False)
    image.save()
    return image
