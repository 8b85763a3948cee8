"""Reads for the authoring pages: which courses a user may author, and one of them by
code (404 for a course that is not the user's to edit)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from courses.models import Course, CourseRun, Enrolment, Lesson, LessonImage, Module


def can_edit_settings(user: User) -> bool:
    """Accreditation, validity, certificates, requirement, pass marks: administrators only."""
    return bool(user.is_authenticated and user.is_administrator)


def course_list_for_author(user: User) -> QuerySet[Course]:
    """Every course for an administrator; the courses an instructor teaches otherwise.
    One query whatever the number of courses (counts are annotations)."""
    courses = Course.objects.all() if user.is_administrator else Course.objects.filter(instructors=user)
    return courses.annotate(
        module_count=Count("modules", distinct=True),
        lesson_count=Count("modules__lessons", distinct=True),
        seats_taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True),
    ).order_by("title")


def get_course_for_author(user: User, code: str) -> Course:
    """The course the user may author, or 404 (also for an instructor who does not teach it)."""
    course = Course.objects.filter(code=code).first()
    if course is None:
        raise Http404
    if user.is_administrator:
        return course
    if user.is_instructor and course.instructors.filter(pk=user.pk).exists():
        return course
    raise Http404


def course_outline(course: Course) -> list[Module]:
    """The modules with their lessons (two queries)."""
    return list(
        Module.objects.filter(course=course)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.only("id", "title", "minutes", "position", "module_id"))
        )
    )


def get_module(course: Course, module_id: int) -> Module:
    module = Module.objects.filter(course=course, pk=module_id).first()
    if module is None:
        raise Http404
    return module


def get_lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.select_related("module").filter(module__course=course, pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


def course_images(course: Course) -> list[LessonImage]:
    return list(LessonImage.objects.filter(course=course).order_by("alt_text"))


def run_list_for_course(course: Course) -> list[CourseRun]:
    """The course's runs, earliest first, each with ``places_taken`` (its active
    enrolments). One query."""
    return list(
        CourseRun.objects.filter(course=course)
        .annotate(places_taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE)))
        .order_by("starts_on", "code")
    )


def get_run(course: Course, run_id: int) -> CourseRun:
    """A run of this course, or 404 (also for another course's run)."""
    run = (
        CourseRun.objects.filter(course=course, pk=run_id)
        .annotate(places_taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE)))
        .first()
    )
    if run is None:
        raise Http404
    run.course = course
    return run


def run_roster(run: CourseRun) -> list[Enrolment]:
    """Everyone who enrolled on the run (withdrawn ones too, after the enrolled), with
    their trainee. One query."""
    return list(
        Enrolment.objects.filter(run=run)
        .select_related("trainee")
        .order_by("status", "trainee__legal_name", "trainee__email")
    )


def lessons_showing(images: list[LessonImage], course: Course) -> dict:
    """For each image (by id), the course's lessons whose text shows it, in outline order.
    One query whatever the number of images or lessons: a lesson shows an image when its
    HTML holds the image's id (its only way in is the image's URL, courses.sanitize)."""
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position", "id")
        .only("id", "title", "body_html", "module_id")
    )
    return {image.pk: [lesson for lesson in lessons if str(image.pk) in lesson.body_html] for image in images}


def course_image_rows(course: Course) -> list[tuple[LessonImage, list[Lesson]]]:
    """The course's images with the lessons that show each (two queries)."""
    images = course_images(course)
    using = lessons_showing(images, course)
    return [(image, using[image.pk]) for image in images]


def get_image(course: Course, image_id) -> LessonImage:
    image = LessonImage.objects.filter(course=course, pk=image_id).first()
    if image is None:
        raise Http404
    return image
