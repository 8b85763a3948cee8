"""Defects fixed while exams/ was split into packages (issue 14): locks that took joined
rows, raw SQL naming tables by hand, a pass mark adopted twice, ``attempt_answer``'s
signature, status literals, message constants, and the selectors other apps read."""

from __future__ import annotations

import datetime
import inspect
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import LessonCompletion
from courses.tests.factories import CourseFactory, EnrolmentFactory, course_with_lessons
from exams import selectors as written_selectors
from exams.models import Assessment, Attempt, AttemptItem, Criterion, PracticalExam, RubricVersion, Station
from exams.practical import selectors as practical_selectors
from exams.practical import services as practical_services
from exams.practical import standard_setting
from exams.services import answers, attempts
from exams.tests.factories import exam_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def locks(monkeypatch):
    """Every ``select_for_update()`` made while the test runs: (model, its ``of``)."""
    taken: list[tuple[type, tuple]] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        taken.append((self.model, kwargs.get("of", ())))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return taken


@pytest.fixture
def station(db):
    """A course's practical exam with one station and its first rubric version."""
    exam = PracticalExam.objects.create(course=CourseFactory())
    station = Station.objects.create(practical=exam, title="Glabella on a model", position=1)
    rubric = RubricVersion.objects.create(station=station, number=1, pass_mark=4)
    for position, (points, critical) in enumerate([(2, True), (2, False), (1, False)], start=1):
        Criterion.objects.create(rubric=rubric, position=position, text=f"Criterion {position}", points=points,
                                 critical=critical)  # fmt: skip
    return station


@pytest.fixture
def sitting():
    """A trainee ready for the written exam of a course (licence, theory done)."""
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = course_with_lessons(1)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course.modules.first().lessons.first())
    exam_for(course)
    return enrolment


# select_for_update with select_related locks only its own row -------------------------------


def test_scheduling_locks_the_enrolment_row_only(locks, station, administrator):
    enrolment = EnrolmentFactory(course=station.practical.course)
    with pytest.raises(ValidationError):  # not eligible: the lock is taken before the rules are read
        practical_services.assessment_schedule(
            enrolment=enrolment, scheduled_at=timezone.now() + datetime.timedelta(days=1), place="Lab",
            stations=[station], examiners=[], actor=administrator,
        )  # fmt: skip
    assert (type(enrolment), ("self",)) in locks
    assert all(of == ("self",) for _model, of in locks)


def test_scheduling_locks_no_joined_row_on_postgresql(postgres, station, administrator):
    enrolment = EnrolmentFactory(course=station.practical.course)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
        practical_services.assessment_schedule(
            enrolment=enrolment, scheduled_at=timezone.now() + datetime.timedelta(days=1), place="Lab",
            stations=[station], examiners=[], actor=administrator,
        )  # fmt: skip
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking
    assert all("FOR UPDATE OF" in sql for sql in locking)


# Raw SQL names the models' tables and columns --------------------------------------------


def test_the_fixed_statements_name_the_models_tables_quoted():
    quote = connection.ops.quote_name
    assert quote(AttemptItem._meta.db_table) in answers._ANSWER_OPEN_UPDATE
    assert quote(AttemptItem._meta.db_table) in answers._ANSWER_OPEN_SELECT
    assert quote(Attempt._meta.db_table) in written_selectors._PAGE_ATTEMPT_SQL
    assert quote(AttemptItem._meta.db_table) in written_selectors._PAGE_ITEMS_SQL
    # Built once, at import, by the builders.
    assert answers._answer_sql() == (answers._ANSWER_OPEN_SELECT, answers._ANSWER_OPEN_UPDATE)
    assert written_selectors._page_attempt_sql() == written_selectors._PAGE_ATTEMPT_SQL
    assert written_selectors._page_items_sql() == written_selectors._PAGE_ITEMS_SQL


def test_the_fixed_statements_follow_a_renamed_table_and_column(monkeypatch):
    monkeypatch.setattr(AttemptItem._meta, "db_table", "renamed_items")
    monkeypatch.setattr(Attempt._meta, "db_table", "renamed_attempts")
    monkeypatch.setattr(AttemptItem._meta.get_field("response"), "column", "reply")
    select, update = answers._answer_sql()
    statements = [select, update, written_selectors._page_attempt_sql(), written_selectors._page_items_sql()]
    assert not any("exams_attemptitem" in sql or "exams_attempt " in sql for sql in statements)
    assert '"renamed_items"' in select
    assert '"renamed_attempts"' in select
    assert update.startswith('UPDATE "renamed_items" SET "reply" = %s')
    assert '"renamed_attempts"' in statements[2]
    assert '"renamed_items"' in statements[3]
    assert '"reply"' in statements[3]


# A pass mark adopted twice ----------------------------------------------------------------


def test_posting_the_adoption_twice_makes_one_version_and_no_error(client_for, administrator, station, locks):
    url = reverse("exams:standard_setting", args=[station.pk])
    client = client_for(administrator)
    page = client.get(url)
    form = {"pass_mark": "3.50", "based_on": page.context["form"]["based_on"].value()}

    first = client.post(url, form)
    second = client.post(url, form, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert list(station.versions.order_by("number").values_list("number", "pass_mark")) == [
        (1, Decimal("4.00")),
        (2, Decimal("3.50")),
    ]
    shown = [str(m) for m in second.context["messages"]]
    assert any("Nothing was adopted" in m and "version 2 is current now" in m for m in shown)
    assert (Station, ("self",)) in locks


def test_adopting_from_a_stale_version_changes_nothing(station, administrator):
    version = standard_setting.rubric_adopt_pass_mark(
        station=station, pass_mark=Decimal("3.5"), actor=administrator, based_on=1
    )
    assert version.number == 2
    with pytest.raises(ValidationError) as error:
        standard_setting.rubric_adopt_pass_mark(
            station=station, pass_mark=Decimal("3.5"), actor=administrator, based_on=1
        )
    assert error.value.code == "unchanged"
    assert station.versions.count() == 2


def test_adopting_for_a_station_without_a_rubric_is_refused_not_a_crash(station, administrator):
    station.versions.all().delete()
    with pytest.raises(ValidationError) as error:
        standard_setting.rubric_adopt_pass_mark(station=station, pass_mark=Decimal(3), actor=administrator)
    assert error.value.code == "no_rubric"


# attempt_answer takes the attempt's id --------------------------------------------------


def test_attempt_answer_takes_the_attempt_id_keyword_only(sitting):
    parameters = inspect.signature(answers.attempt_answer).parameters
    assert "attempt" not in parameters
    assert parameters["attempt_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["attempt_id"].annotation in (uuid.UUID, "uuid.UUID")
    attempt = attempts.attempt_start(trainee=sitting.trainee, enrolment=sitting)
    item = attempt.items.order_by("position").first()
    saved = answers.attempt_answer(
        attempt_id=attempt.pk, trainee=sitting.trainee, position=item.position, keys=item.correct_keys
    )
    assert saved.response == sorted(item.correct_keys)
    with pytest.raises(TypeError):
        answers.attempt_answer(attempt=attempt, trainee=sitting.trainee, position=item.position, keys=[])


# Status literals: the templates ask the models ------------------------------------------


def test_models_say_whether_open_or_completed():
    assert Attempt(status=Attempt.Status.OPEN).is_open
    assert not Attempt(status=Attempt.Status.SUBMITTED).is_open
    assert Assessment(status=Assessment.Status.COMPLETED).is_completed
    assert not Assessment(status=Assessment.Status.SCHEDULED).is_completed


def test_the_exam_home_links_the_open_attempt(client_for, sitting):
    attempt = attempts.attempt_start(trainee=sitting.trainee, enrolment=sitting)
    page = client_for(sitting.trainee).get(reverse("exams:home", args=[sitting.course.code])).content.decode()
    assert f'<a href="{reverse("exams:attempt", args=[attempt.pk])}">in progress</a>' in page


# Message constants are translatable where they are defined ------------------------------


@pytest.mark.parametrize(
    ("module", "name", "text"),
    [
        (attempts, "MSG_THEORY_INCOMPLETE", "Complete every lesson of the course before the written exam."),
        (attempts, "MSG_NO_ATTEMPTS_LEFT", "You have used all {n} attempts allowed."),
        (answers, "MSG_ONE_ANSWER", "Choose one answer for a single-best-answer question."),
        (practical_services, "MSG_WRITTEN", "The written exam has not been passed yet."),
        (practical_services, "MSG_POINTS", "Enter between 0 and {max} points."),
        (standard_setting, "MSG_NOT_ENOUGH",
         "Borderline regression needs at least {n} submitted results with two different global grades."),
    ],
)  # fmt: skip
def test_message_constants_are_lazy_translations_with_the_same_text(module, name, text):
    message = getattr(module, name)
    assert isinstance(message, Promise)
    with translation.override("en"):
        assert str(message) == text


def test_blockers_are_plain_strings_with_the_exact_texts(sitting):
    LessonCompletion.objects.filter(enrolment=sitting).delete()
    blockers = attempts.attempt_blockers(enrolment=sitting)
    assert blockers == ["Complete every lesson of the course before the written exam."]
    assert all(type(b) is str for b in blockers)


# The selectors other apps read ----------------------------------------------------------


def test_written_pass_best_is_the_highest_passed_graded_attempt(sitting):
    assert written_selectors.written_pass_best(sitting) is None
    now = timezone.now()

    def attempt(number, percent, passed):
        return Attempt.objects.create(
            enrolment=sitting, number=number, status=Attempt.Status.SUBMITTED, started_at=now,
            deadline=now + datetime.timedelta(hours=1), submitted_at=now, pass_mark_percent=50, review="full",
            score=1, max_score=1, percent=Decimal(percent), passed=passed,
        )  # fmt: skip

    attempt(1, 40, False)
    assert written_selectors.written_pass_best(sitting) is None
    second = attempt(2, 80, True)
    attempt(3, 80, True)
    attempt(4, 60, True)
    assert written_selectors.written_pass_best(sitting) == second


def test_practical_pass_latest_is_the_last_completed_pass(station):
    enrolment = EnrolmentFactory(course=station.practical.course)
    assert practical_selectors.practical_pass_latest(enrolment) is None
    now = timezone.now()

    def assessment(number, passed, days_ago, status=Assessment.Status.COMPLETED):
        done = status == Assessment.Status.COMPLETED
        return Assessment.objects.create(
            enrolment=enrolment, number=number, scheduled_at=now, place="Lab", status=status,
            passed=passed if done else None, completed_at=now - datetime.timedelta(days=days_ago) if done else None,
        )  # fmt: skip

    assessment(1, False, 10)
    assert practical_selectors.practical_pass_latest(enrolment) is None
    assessment(2, True, 5)
    latest = assessment(3, True, 1)
    assessment(4, None, 0, status=Assessment.Status.SCHEDULED)
    assert practical_selectors.practical_pass_latest(enrolment) == latest
