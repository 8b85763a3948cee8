from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User

from .models import Course, CourseRun, Enrolment, Lesson, LessonCompletion, LessonImage, Module


def _count(queryset: QuerySet, group: str) -> Coalesce:
    """A correlated COUNT subquery grouped by ``group`` (avoids the row multiplication
    that two JOINed Counts on one query would cause)."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def _lesson_total(course_ref: str) -> Coalesce:
    return _count(Lesson.objects.filter(module__course=OuterRef(course_ref)), "module__course")


def _active_enrolments(course_ref: str) -> Coalesce:
    return _count(Enrolment.objects.filter(course=OuterRef(course_ref), status=Enrolment.Status.ACTIVE), "course")


def _run_places_taken(run_ref: str) -> Coalesce:
    return _count(Enrolment.objects.filter(run=OuterRef(run_ref), status=Enrolment.Status.ACTIVE), "run")


def _lessons_done(enrolment_ref: str) -> Coalesce:
    return _count(LessonCompletion.objects.filter(enrolment=OuterRef(enrolment_ref)), "enrolment")


def course_list_published(
    *, query: str = "", profession: str = "", accrediting_body: str = "", min_credits: Decimal | None = None
) -> QuerySet[Course]:
    open_runs = CourseRun.objects.filter(course=OuterRef("pk"), status=CourseRun.Status.OPEN).order_by(
        "starts_on", "code"
    )
    courses = (
        Course.objects.filter(status=Course.Status.PUBLISHED)
        .annotate(lesson_total=_lesson_total("pk"), seats_taken=_active_enrolments("pk"))
        .annotate(seats_left=F("capacity") - F("seats_taken"))
        # A course with open runs: its next run, for the card (the course page lists them all).
        .annotate(
            open_run_count=_count(open_runs, "course"),
            next_run_starts=Subquery(open_runs.values("starts_on")[:1]),
            next_run_ends=Subquery(open_runs.values("ends_on")[:1]),
            next_run_location=Subquery(open_runs.values("location")[:1]),
        )
    )
    if query:
        courses = courses.filter(
            Q(title__icontains=query)
            | Q(code__icontains=query)
            | Q(description__icontains=query)
            | Q(summary__icontains=query)
        )
    if profession:
        # JSON containment differs by database; the list is short, so match the quoted code.
        courses = courses.filter(eligible_professions__icontains=f'"{profession}"')
    if accrediting_body:
        courses = courses.filter(accrediting_body=accrediting_body)
    if min_credits is not None:
        courses = courses.filter(credit_hours__gte=min_credits)
    return courses.order_by("title", "pk")


def accrediting_bodies() -> list[str]:
    return list(
        Course.objects.filter(status=Course.Status.PUBLISHED)
        .order_by("accrediting_body")
        .values_list("accrediting_body", flat=True)
        .distinct()
    )


def get_course_for(user: User, code: str) -> Course:
    """A course page: published ones for everyone; drafts and archived ones only for
    administrators and the course's instructors (404 for anyone else)."""
    courses = Course.objects.annotate(lesson_total=_lesson_total("pk"), seats_taken=_active_enrolments("pk"))
    course = courses.filter(code=code).first()
    if course is None:
        raise Http404
    if course.status != Course.Status.PUBLISHED and not course_can_manage(user, course):
        raise Http404
    return course


def get_course_for_staff(code: str) -> Course:
    """Any course by its code, whatever its status, for pages only administrators reach
    (exam settings, the question bank, item analysis, the practical): 404 if there is none."""
    course = Course.objects.filter(code=code).first()
    if course is None:
        raise Http404
    return course


def course_is_taught_by(course: Course, user: User) -> bool:
    """Is the user one of the course's instructors? (One query; whether the user still
    holds the instructor role is the caller's question.)"""
    return course.instructors.filter(pk=user.pk).exists()


def course_can_manage(user: User, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_administrator or (user.is_instructor and course_is_taught_by(course, user))


def course_syllabus(course: Course) -> list[Module]:
    return list(
        Module.objects.filter(course=course).prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.only("id", "title", "minutes", "position", "module_id"))
        )
    )


def enrolment_for(user: User, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(trainee=user, course=course).select_related("run").first()


def run_list_open(course: Course) -> list[CourseRun]:
    """The course's runs open for enrolment, earliest first, each with ``places_taken``
    and ``places_left``. One query."""
    return list(
        CourseRun.objects.filter(course=course, status=CourseRun.Status.OPEN)
        .annotate(places_taken=_run_places_taken("pk"))
        .annotate(places_left=F("places") - F("places_taken"))
        .order_by("starts_on", "code")
    )


def enrolment_list_for_trainee(*, user: User, include_withdrawn: bool = False) -> list[Enrolment]:
    """The trainee's active enrolments (and withdrawn ones, if asked) with course, lesson
    totals and completions. One query."""
    statuses = [Enrolment.Status.ACTIVE] + ([Enrolment.Status.WITHDRAWN] if include_withdrawn else [])
    return list(
        Enrolment.objects.filter(trainee=user, status__in=statuses)
        .select_related("course", "last_lesson", "run")
        .annotate(
            lesson_total=_lesson_total("course"),
            lessons_done=_lessons_done("pk"),
        )
        .order_by("-enrolled_at")
    )


def enrolment_list_active(*, course: Course) -> QuerySet[Enrolment]:
    """The course's active enrolments with their trainees (a queryset, for form choices)."""
    return Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE).select_related("trainee")


def theory_complete(enrolment: Enrolment) -> bool:
    """Has the trainee completed every lesson of the course? (False for a course without
    lessons.) Two queries."""
    total = Lesson.objects.filter(module__course_id=enrolment.course_id).count()
    done = LessonCompletion.objects.filter(enrolment=enrolment, lesson__module__course_id=enrolment.course_id).count()
    return total > 0 and done >= total


def completed_lesson_ids(enrolment: Enrolment) -> set[int]:
    return set(enrolment.completions.values_list("lesson_id", flat=True))


def get_lesson_for(user: User, course: Course, lesson_id: int) -> tuple[Lesson, Enrolment | None]:
    """The lesson if the user may read it: an actively enrolled trainee, the course's
    instructors or an administrator. 404 for anyone else, and for lessons of other courses."""
    lesson = Lesson.objects.select_related("module").filter(pk=lesson_id, module__course=course).first()
    if lesson is None:
        raise Http404
    enrolment = Enrolment.objects.filter(trainee=user, course=course, status=Enrolment.Status.ACTIVE).first()
    if enrolment is None and not course_can_manage(user, course):
        raise Http404
    return lesson, enrolment


def get_lesson_image_for(user: User, code: str, image_id) -> LessonImage:
    """A lesson image of the course, for whoever may read its lessons: an actively
    enrolled trainee, the course's instructors or an administrator; 404 otherwise."""
    course = get_course_for(user, code)
    enrolment = enrolment_for(user, course)
    active = enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE
    if not active and not course_can_manage(user, course):
        raise Http404
    image = LessonImage.objects.filter(pk=image_id, course=course).first()
    if image is None:
        raise Http404
    return image


def lesson_sequence(course: Course) -> list[tuple[int, str]]:
    return list(
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position", "id")
        .values_list("id", "title")
    )


def courses_taught(*, user: User) -> QuerySet[Course]:
    return (
        Course.objects.filter(instructors=user)
        .annotate(lesson_total=_lesson_total("pk"), seats_taken=_active_enrolments("pk"))
        .order_by("title")
    )


def course_roster(*, course: Course) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
        .select_related("trainee", "last_lesson", "run")
        .annotate(lessons_done=_lessons_done("pk"))
        .order_by("trainee__legal_name", "trainee__email")
    )


def get_taught_course_for(user: User, code: str) -> Course:
    """A course the user teaches (or any course, for an administrator); 404 otherwise."""
    courses = Course.objects.annotate(lesson_total=_lesson_total("pk"), seats_taken=_active_enrolments("pk"))
    if not user.is_administrator:
        courses = courses.filter(instructors=user)
    course = courses.filter(code=code).first()
    if course is None:
        raise Http404
    return course


def course_list_for_staff() -> QuerySet[Course]:
    """Every course with its seats taken and lesson count, for the administrators' dashboard."""
    return Course.objects.annotate(lesson_total=_lesson_total("pk"), seats_taken=_active_enrolments("pk")).order_by(
        "status", "title"
    )
