"""Writes for the authoring pages. Every change is audited (core.services.audit_record);
lesson HTML goes through courses.services.lesson_save, which sanitises it exactly as
before (courses.sanitize)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from core.services import audit_record
from courses import services as course_services
from courses.models import Course, CourseRun, Lesson, LessonImage, Module

MSG_ORDER_MISMATCH = _("The order sent does not list exactly the items on this page; reload the page and try again.")


def _renumber(items: list, *, scope: str) -> None:
    """Give ``items`` the positions 1..n in this order. Two passes, so that the unique
    (parent, position) constraint never sees two rows at one position."""
    if not items:
        return
    model = type(items[0])
    parent = {scope: getattr(items[0], scope)}
    top = (model.objects.filter(**parent).aggregate(top=Max("position"))["top"] or 0) + 1
    for offset, item in enumerate(items):
        model.objects.filter(pk=item.pk).update(position=top + offset)
    for index, item in enumerate(items, start=1):
        model.objects.filter(pk=item.pk).update(position=index)
        item.position = index


def _next_position(model, **parent) -> int:
    return (model.objects.filter(**parent).aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def module_save(*, module: Module, actor: User) -> Module:
    created = module.pk is None
    if created:
        module.position = _next_position(Module, course=module.course)
    module.full_clean()
    module.save()
    audit_record(
        actor=actor,
        action="module.created" if created else "module.updated",
        obj=module,
        summary=f"{module.course.code}: module “{module.title}”",
        details={"course": module.course.code, "title": module.title, "position": module.position},
    )
    return module


@transaction.atomic
def module_delete(*, module: Module, actor: User) -> None:
    course = module.course
    lessons = list(module.lessons.values_list("title", flat=True))
    audit_record(
        actor=actor,
        action="module.deleted",
        obj=module,
        summary=f"{course.code}: module “{module.title}” deleted (lessons deleted with it: {len(lessons)})",
        details={"course": course.code, "title": module.title, "lessons": lessons},
    )
    module.delete()
    _renumber(list(Module.objects.filter(course=course).order_by("position", "id")), scope="course")


# The id in a lesson image's address (courses.sanitize lets no other image in).
IMAGE_ID_IN_SRC = re.compile(r'src="/courses/[\w-]+/images/([0-9a-f-]{36})/"')
MSG_IMAGE_GONE = _(
    "The lesson text shows an image that is not in this course's image list (it may just have been deleted). "
    "Remove it, or insert one from the list."
)


@transaction.atomic
def lesson_save(*, lesson: Lesson, actor: User) -> Lesson:
    """Sanitised by courses.services.lesson_save, then audited. Every image the text shows
    must be one of the course's: their rows are locked (SELECT FOR UPDATE) so that a
    deletion running meanwhile (lesson_image_delete) either sees this lesson or is seen."""
    created = lesson.pk is None
    if created:
        lesson.position = _next_position(Lesson, module=lesson.module)
    course_services.lesson_save(lesson=lesson)
    shown = set(IMAGE_ID_IN_SRC.findall(lesson.body_html))
    if shown:
        found = LessonImage.objects.select_for_update().filter(course_id=lesson.module.course_id, pk__in=shown)
        if len({str(pk) for pk in found.values_list("pk", flat=True)}) != len(shown):
            raise ValidationError({"body_html": MSG_IMAGE_GONE})
    audit_record(
        actor=actor,
        action="lesson.created" if created else "lesson.updated",
        obj=lesson,
        summary=f"{lesson.module.course.code}: lesson “{lesson.title}”",
        details={
            "course": lesson.module.course.code,
            "module": lesson.module_id,
            "title": lesson.title,
            "minutes": lesson.minutes,
            "characters": len(lesson.body_html),
        },
    )
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson, actor: User) -> None:
    module = lesson.module
    completed = lesson.completions.count()
    audit_record(
        actor=actor,
        action="lesson.deleted",
        obj=lesson,
        summary=f"{module.course.code}: lesson “{lesson.title}” deleted (completions removed: {completed})",
        details={"course": module.course.code, "module": module.pk, "title": lesson.title, "completions": completed},
    )
    lesson.delete()
    _renumber(list(Lesson.objects.filter(module=module).order_by("position", "id")), scope="module")


def _reorder(items: list, ids: list[int], *, scope: str) -> list:
    by_id = {item.pk: item for item in items}
    if len(ids) != len(by_id) or set(ids) != set(by_id):
        raise ValidationError(MSG_ORDER_MISMATCH, code="order")
    ordered = [by_id[i] for i in ids]
    _renumber(ordered, scope=scope)
    return ordered


@transaction.atomic
def modules_reorder(*, course: Course, ids: list[int], actor: User) -> None:
    items = list(Module.objects.select_for_update().filter(course=course).order_by("position", "id"))
    before = [m.pk for m in items]
    _reorder(items, ids, scope="course")
    if before != ids:
        audit_record(
            actor=actor,
            action="module.reordered",
            obj=course,
            summary=f"{course.code}: modules reordered",
            details={"before": before, "after": ids},
        )


@transaction.atomic
def lessons_reorder(*, module: Module, ids: list[int], actor: User) -> None:
    items = list(Lesson.objects.select_for_update().filter(module=module).order_by("position", "id"))
    before = [lesson.pk for lesson in items]
    _reorder(items, ids, scope="module")
    if before != ids:
        audit_record(
            actor=actor,
            action="lesson.reordered",
            obj=module,
            summary=f"{module.course.code}: lessons of “{module.title}” reordered",
            details={"before": before, "after": ids},
        )


def moved(ids: list[int], item_id: int, direction: str) -> list[int]:
    """``ids`` with ``item_id`` moved one place up or down (unchanged at either end)."""
    ids = list(ids)
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids


@transaction.atomic
def lesson_image_add(*, course: Course, upload, alt_text: str, actor: User):
    image = course_services.lesson_image_add(course=course, upload=upload, alt_text=alt_text)
    audit_record(
        actor=actor,
        action="lesson_image.added",
        obj=image,
        summary=f"{course.code}: lesson image “{alt_text}”",
        details={"course": course.code, "content_type": image.content_type},
    )
    return image


def msg_places_below_enrolled(count: int) -> str:
    return ngettext(
        "%(count)s trainee is enrolled on this run: it needs at least one place.",
        "%(count)s trainees are enrolled on this run: it needs at least that many places.",
        count,
    ) % {"count": count}


MSG_RUN_ALREADY_CANCELLED = _("This run is already cancelled.")


def _run_details(run: CourseRun) -> dict:
    return {
        "course": run.course.code,
        "code": run.code,
        "title": run.title,
        "starts_on": run.starts_on.isoformat(),
        "ends_on": run.ends_on.isoformat(),
        "enrolment_closes_on": run.enrolment_closes_on.isoformat() if run.enrolment_closes_on else None,
        "places": run.places,
        "location": run.location,
        "status": run.status,
    }


@transaction.atomic
def run_save(*, run: CourseRun, actor: User) -> CourseRun:
    """Create or change a run (audited with the figures it now holds). Places never drop
    below the trainees enrolled on it. Holds a SELECT FOR UPDATE lock on an existing run's
    row, the lock enrolment takes while counting places, so the count cannot move meanwhile."""
    created = run.pk is None
    if not created:
        CourseRun.objects.select_for_update().filter(pk=run.pk).first()
        enrolled = course_services.run_places_taken(run)
        if run.places is not None and run.places < enrolled:
            raise ValidationError({"places": msg_places_below_enrolled(enrolled)})
    run.full_clean()
    run.save()
    audit_record(
        actor=actor,
        action="course_run.created" if created else "course_run.updated",
        obj=run,
        summary=f"{run.course.code}: run {run.code} ({run.get_status_display()})",
        details=_run_details(run),
    )
    return run


@transaction.atomic
def run_cancel(*, run: CourseRun, actor: User) -> CourseRun:
    """Cancel a run: it takes no more enrolments. Nothing is deleted; the trainees enrolled
    on it stay enrolled (on the run), and the audit row says how many there were."""
    run = CourseRun.objects.select_for_update().select_related("course").get(pk=run.pk)
    if run.status == CourseRun.Status.CANCELLED:
        raise ValidationError(MSG_RUN_ALREADY_CANCELLED, code="cancelled")
    enrolled = course_services.run_places_taken(run)
    before = run.status
    run.status = CourseRun.Status.CANCELLED
    run.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="course_run.cancelled",
        obj=run,
        summary=f"{run.course.code}: run {run.code} cancelled (trainees enrolled on it: {enrolled})",
        details={**_run_details(run), "status_before": before, "enrolled": enrolled},
    )
    return run


MSG_IMAGE_IN_USE = _("“%(image)s” is still shown in %(lessons)s. Remove it from the lesson text first, then delete it.")


def image_in_use_message(image: LessonImage, titles: list[str]) -> str:
    lessons = ", ".join(f"“{title}”" for title in titles)
    return MSG_IMAGE_IN_USE % {"image": image.alt_text, "lessons": lessons}


@transaction.atomic
def lesson_image_delete(*, image: LessonImage, actor: User) -> None:
    """Delete an image no lesson shows: the row now, its stored file once the transaction
    commits (a rollback keeps both). Refused, naming the lessons, while any lesson's text
    shows it. Holds a SELECT FOR UPDATE lock on the image row."""
    image = LessonImage.objects.select_for_update().select_related("course").get(pk=image.pk)
    course = image.course
    titles = list(
        Lesson.objects.filter(module__course=course, body_html__contains=str(image.pk))
        .order_by("module__position", "position", "id")
        .values_list("title", flat=True)
    )
    if titles:
        raise ValidationError(image_in_use_message(image, titles))
    storage, name = image.image.storage, image.image.name
    audit_record(
        actor=actor,
        action="lesson_image.deleted",
        obj=image,
        summary=f"{course.code}: lesson image “{image.alt_text}” deleted",
        details={"course": course.code, "alt_text": image.alt_text, "file": name},
    )
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))
