"""Reads of the written exam: attempts and their items for the exam pages, passes for
the practical exam and certificates."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import Course, Enrolment
from courses.selectors import course_can_manage

from .models import Accommodation, Attempt, AttemptItem, Booking, ExamSettings, Sitting


def get_attempt_for(user: User, pk) -> Attempt:
    """The attempt if it is the user's own; 404 otherwise (even for staff: results are
    read on the result page, answers only by their owner)."""
    try:
        return Attempt.objects.select_related("enrolment__course").get(pk=pk, enrolment__trainee_id=user.pk)
    except Attempt.DoesNotExist:
        raise Http404 from None


def sql_name(model, name: str | None = None) -> str:
    """The model's table, or the column of its field ``name``, quoted for this database:
    the fixed statements name what the models name, so a renamed table or column cannot
    leave them behind (they are built once, at import)."""
    meta = model._meta
    return connection.ops.quote_name(meta.db_table if name is None else meta.get_field(name).column)


# The exam page's two reads (the attempt, its items) are fixed SQL statements: built by
# the ORM (select_related/only, values_list) they were a quarter of the page's time
# (2.2 and 1.9 ms for the attempt and its items against 0.8 and 1.1 ms as plain SQL,
# timed in-process on PostgreSQL; the difference is the ORM's query compilation and
# model building). Values come out through the backend's and the fields' converters
# (db_converter), as the ORM's would.
_PAGE_ATTEMPT_FIELDS = ("number", "status", "deadline", "paused_at", "closed_by_deadline", "enrolment_id")


def _page_attempt_sql() -> str:
    """The attempt, its enrolment's course and the course's code for the trainee. Reads
    courses' Enrolment and Course tables: the joins are what make it one statement (the
    exception to reading courses through its selectors). Only model names go in."""
    a, e, c = Attempt, Enrolment, Course
    columns = ", ".join(f"a.{sql_name(a, name)}" for name in _PAGE_ATTEMPT_FIELDS)
    return (
        f"SELECT {columns}, e.{sql_name(e, 'course')}, c.{sql_name(c, 'code')}"  # noqa: S608  # nosec B608
        f" FROM {sql_name(a)} a"
        f" JOIN {sql_name(e)} e ON e.{sql_name(e, 'id')} = a.{sql_name(a, 'enrolment')}"
        f" JOIN {sql_name(c)} c ON c.{sql_name(c, 'id')} = e.{sql_name(e, 'course')}"
        f" WHERE a.{sql_name(a, 'id')} = %s AND e.{sql_name(e, 'trainee')} = %s"
    )


_PAGE_ATTEMPT_SQL = _page_attempt_sql()


def get_attempt_for_page(user: User, pk) -> Attempt:
    """``get_attempt_for`` for the exam page: the attempt with only what the page, the
    deadline check and the redirect to the result read (the other fields are deferred,
    so ``refresh_from_db`` reloads them), and its enrolment's course with its code."""
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_ATTEMPT_SQL, [Attempt._meta.pk.get_db_prep_value(pk, connection), user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    values = {
        name: db_converter(Attempt, name)(value) for name, value in zip(_PAGE_ATTEMPT_FIELDS, row[:6], strict=True)
    }
    attempt = _loaded(Attempt, id=Attempt._meta.pk.to_python(pk), **values)
    attempt.enrolment = _loaded(Enrolment, id=row[5], course_id=row[6])
    attempt.enrolment.course = _loaded(Course, id=row[6], code=row[7])
    return attempt


def _loaded(model, **values):
    """An instance as the ORM would load it with only these fields (the others
    deferred): Model.from_db wants the values in the model's field order."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def db_converter(model, name):
    """The conversion the ORM applies to the column ``model.name`` as read from the
    database (the backend's converters, then the field's: JSON decoded, SQLite's
    booleans, decimals and datetimes made Python's), as a function of the value."""
    field = model._meta.get_field(name)
    col = field.get_col(model._meta.db_table)
    converters = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]

    def convert(value):
        for converter in converters:
            value = converter(value, col, connection)
        return value

    return convert


def attempt_items(attempt: Attempt, *, for_review: bool = False) -> list[AttemptItem]:
    """The attempt's items in order. Unless ``for_review`` (after submission), the
    correct keys and explanations are not even loaded."""
    items = attempt.items.all().order_by("position")
    if not for_review:
        items = items.defer("correct_keys", "explanation", "is_correct")
    return list(items)


class PageItem(NamedTuple):
    """What the exam page shows of an item (exams.rendering.questions_html)."""

    position: int
    kind: str
    stem: str
    case_title: str
    case_vignette: str
    options: list
    response: list
    flagged: bool


_PAGE_ITEM_COLUMNS = ("position", "kind", "stem", "case_title", "case_vignette", "options", "response", "flagged")


def _page_items_sql() -> str:
    """The attempt's items in order, only the columns the page shows."""
    i = AttemptItem
    columns = ", ".join(sql_name(i, name) for name in _PAGE_ITEM_COLUMNS)
    return (
        f"SELECT {columns} FROM {sql_name(i)}"  # noqa: S608  # nosec B608
        f" WHERE {sql_name(i, 'attempt')} = %s ORDER BY {sql_name(i, 'position')}"
    )


_PAGE_ITEMS_SQL = _page_items_sql()


def attempt_page_items(attempt: Attempt) -> list[PageItem]:
    """The attempt's items in order, as the exam page shows them: one query, only the
    columns shown, and tuples rather than model instances (building 40 instances cost
    more than the query)."""
    options, response, flagged = (db_converter(AttemptItem, name) for name in ("options", "response", "flagged"))
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_ITEMS_SQL, [Attempt._meta.pk.get_db_prep_value(attempt.pk, connection)])
        rows = cursor.fetchall()
    return [PageItem(*row[:5], options(row[5]), response(row[6]), flagged(row[7])) for row in rows]


def written_exam_passed(*, enrolment: Enrolment) -> bool:
    """Has this trainee passed the written exam of the course? (For the practical exam
    and certificates.)"""
    return enrolment.attempts.filter(status=Attempt.Status.SUBMITTED, passed=True).exists()


def written_pass_best(enrolment: Enrolment) -> Attempt | None:
    """The trainee's best passed, graded written attempt of the course (highest
    percentage, the earlier of equals), or None: the evidence an award records."""
    return (
        enrolment.attempts.filter(status=Attempt.Status.SUBMITTED, passed=True).order_by("-percent", "number").first()
    )


def attempts_for(*, enrolment: Enrolment) -> list[Attempt]:
    return list(enrolment.attempts.order_by("-number"))


# Exception to reading through courses.selectors: the exam pages' own one-query look-ups.
def get_active_enrolment(user: User, course: Course) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(trainee=user, course=course, status=Enrolment.Status.ACTIVE)
        .select_related("course", "trainee")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def get_active_enrolment_in(user: User, code: str) -> Enrolment:
    """``get_active_enrolment(user, get_course_for(user, code))`` in one query, for the
    start of an attempt (what the start storm of exam day hits): the same 404s (no such
    course, a course the user may not see, no active enrolment in it), without the course
    page's lesson and seat counts."""
    enrolment = (
        Enrolment.objects.filter(trainee=user, course__code=code, status=Enrolment.Status.ACTIVE)
        .select_related("course")
        .first()
    )
    if enrolment is None:
        raise Http404
    course = enrolment.course
    if course.status != Course.Status.PUBLISHED and not course_can_manage(user, course):
        raise Http404
    enrolment.trainee = user
    return enrolment


def enrolments_with_written_pass(enrolment_ids) -> set:
    """Which of these enrolments have a passed written attempt (one query)."""
    return set(
        Attempt.objects.filter(enrolment_id__in=list(enrolment_ids), status=Attempt.Status.SUBMITTED, passed=True)
        .order_by()  # without it the default ordering's started_at joins the DISTINCT: a row per attempt
        .values_list("enrolment_id", flat=True)
        .distinct()
    )


class WrittenState(NamedTuple):
    """Where a trainee stands with a course's written exam, for the pathway's sentence."""

    passed: bool
    in_progress: bool  # an attempt is open now
    submitted: int
    attempts_allowed: int
    retry_at: datetime.datetime | None  # a failed attempt's wait ends then (None: no wait)
    scheduled_only: bool = False  # attempts start only in a booked sitting
    sitting: Sitting | None = None  # the booked sitting not yet taken, if any

    @property
    def attempts_left(self) -> int:
        return max(self.attempts_allowed - self.submitted, 0)


def written_states(enrolments) -> dict:
    """{enrolment id: WrittenState} for these enrolments (with ``course_id``): four queries
    however many. The same facts ``exams.services.attempts`` decides a start from
    (accommodations' extra attempts included)."""
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    submitted = Q(status=Attempt.Status.SUBMITTED)
    rows = {
        row["enrolment_id"]: row
        for row in Attempt.objects.filter(enrolment_id__in=[e.pk for e in enrolments])
        .order_by()
        .values("enrolment_id")
        .annotate(
            submitted=Count("pk", filter=submitted),
            passed=Count("pk", filter=submitted & Q(passed=True)),
            open=Count("pk", filter=Q(status=Attempt.Status.OPEN)),
            last_submitted=Max("submitted_at", filter=submitted),
        )
    }
    exam_settings = {
        s.course_id: s for s in ExamSettings.objects.filter(course_id__in={e.course_id for e in enrolments})
    }
    ids = [e.pk for e in enrolments]
    extra = dict(Accommodation.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", "extra_attempts"))
    booked = {
        b.enrolment_id: b.sitting
        for b in Booking.objects.filter(
            enrolment_id__in=ids,
            status=Booking.Status.BOOKED,
            attempt__isnull=True,
            sitting__closes_at__gt=timezone.now(),
        ).select_related("sitting")
    }
    states = {}
    for enrolment in enrolments:
        row = rows.get(enrolment.pk, {})
        settings = exam_settings.get(enrolment.course_id)
        last, wait = row.get("last_submitted"), settings.wait_hours if settings else 0
        states[enrolment.pk] = WrittenState(
            passed=bool(row.get("passed")),
            in_progress=bool(row.get("open")),
            submitted=row.get("submitted", 0),
            attempts_allowed=(settings.attempts_allowed if settings else 0) + extra.get(enrolment.pk, 0),
            retry_at=last + datetime.timedelta(hours=wait) if last and wait else None,
            scheduled_only=bool(settings) and not settings.allow_unscheduled,
            sitting=booked.get(enrolment.pk),
        )
    return states


# The review a candidate sees after submitting -----------------------------------------

MSG_KEY_AFTER_LAST = _("The answer key and explanations are shown after your last attempt.")
MSG_KEY_AFTER_SITTING = _("The answer key and explanations are shown once the sitting has closed ({when}).")
MSG_KEY_NEVER = _("The answer key is not released for this exam.")

_REVIEW_ORDER = [ExamSettings.Review.SCORE, ExamSettings.Review.TOPICS, ExamSettings.Review.FULL]


class AttemptReview(NamedTuple):
    """What the result page (and anything else that shows a candidate their attempt) may
    show: the score always; ``topics`` (correct/total per topic) when the review allows;
    ``items`` (with the correct keys and explanations) only when the key is released;
    ``note``: why the key is not shown (or empty)."""

    level: str
    topics: list
    items: list
    note: str


def review_level(
    *,
    review: str,
    key_release: str,
    attempts_left: bool,
    sitting_closes_at: datetime.datetime | None,
    now: datetime.datetime,
) -> tuple[str, str]:
    """The review policy (pure): the level shown (``ExamSettings.Review``) and why the
    key is held back. Whatever ``review`` says, a candidate with an attempt left sees the
    score and feedback by topic at most; the key is released after the last attempt, or
    also only once the sitting has closed for everyone (an unscheduled attempt, with no
    sitting, counts as closed), or never."""
    Review, Release = ExamSettings.Review, ExamSettings.KeyRelease
    if review != Review.FULL:
        return review, ""
    if key_release == Release.NEVER:
        return Review.TOPICS, str(MSG_KEY_NEVER)
    if attempts_left:
        return Review.TOPICS, str(MSG_KEY_AFTER_LAST)
    if key_release == Release.AFTER_SITTING_CLOSES and sitting_closes_at is not None and now < sitting_closes_at:
        when = timezone.localtime(sitting_closes_at).strftime("%d %b %Y %H:%M")
        return Review.TOPICS, str(MSG_KEY_AFTER_SITTING).format(when=when)
    return Review.FULL, ""


def attempts_allowed_for(*, enrolment: Enrolment, settings: ExamSettings) -> int:
    """How many attempts this candidate may make: the exam's, plus an accommodation's
    extra attempts (one query)."""
    extra = Accommodation.objects.filter(enrolment=enrolment).values_list("extra_attempts", flat=True).first()
    return settings.attempts_allowed + (extra or 0)


def _sitting_closes_at(attempt: Attempt) -> datetime.datetime | None:
    """When the attempt's sitting closes for everyone; None for an unscheduled attempt
    (one query)."""
    return Booking.objects.filter(attempt=attempt).values_list("sitting__closes_at", flat=True).first()


def attempt_review(attempt: Attempt, *, now: datetime.datetime | None = None) -> AttemptReview:
    """The one place that decides what a submitted attempt's candidate sees of it (the
    result view and any export go through here). The review is the stricter of the
    attempt's (fixed when it started) and the exam's now, so an administrator who
    tightens it tightens it for attempts already taken; then ``review_level``. The key
    and explanations are not even read unless released. Five queries (the settings,
    the candidate's attempts, the accommodation, the sitting, the items when released)."""
    now = now or timezone.now()
    settings = ExamSettings.objects.filter(course_id=attempt.enrolment.course_id).first()
    current = settings.review if settings else ExamSettings.Review.SCORE
    review = min(attempt.review, current, key=_REVIEW_ORDER.index)
    statuses = list(attempt.enrolment.attempts.values_list("status", "passed"))
    passed = any(p for status, p in statuses if status == Attempt.Status.SUBMITTED)
    open_any = any(status == Attempt.Status.OPEN for status, _p in statuses)
    allowed = attempts_allowed_for(enrolment=attempt.enrolment, settings=settings) if settings else 0
    attempts_left = not passed and (open_any or len(statuses) < allowed)
    level, note = review_level(
        review=review,
        key_release=settings.key_release if settings else ExamSettings.KeyRelease.NEVER,
        attempts_left=attempts_left,
        sitting_closes_at=_sitting_closes_at(attempt),
        now=now,
    )
    Review = ExamSettings.Review
    topics = []
    if level in (Review.TOPICS, Review.FULL):
        topics = [
            {"topic": topic, **v, "percent": round(100 * v["correct"] / v["total"])}
            for topic, v in sorted(attempt.topic_breakdown.items())
            if v["total"]
        ]
    items = attempt_items(attempt, for_review=True) if level == Review.FULL else []
    return AttemptReview(level, topics, items, note)


def review_policy_summary(settings: ExamSettings) -> str:
    """What a candidate will see after each attempt, in a sentence (the exam's page)."""
    Review, Release = ExamSettings.Review, ExamSettings.KeyRelease
    if settings.review == Review.SCORE:
        return str(_("Your score and whether you passed."))
    if settings.review == Review.TOPICS or settings.key_release == Release.NEVER:
        return str(_("Your score and feedback by topic. The answer key is not shown."))
    if settings.key_release == Release.AFTER_SITTING_CLOSES:
        return str(
            _(
                "Your score and feedback by topic; the answer key and explanations after your last attempt,"
                " once the sitting has closed."
            )
        )
    return str(_("Your score and feedback by topic; the answer key and explanations after your last attempt."))
