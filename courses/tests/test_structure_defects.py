"""Defects fixed while courses/ was restructured (issue 14): each test fails without its fix."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses import services as course_services
from courses.handson import face_sites
from courses.handson import services as handson_services
from courses.models import COMPETENCIES, InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.labels import BOTOX
from tests.support.products import product

pytestmark = pytest.mark.django_db

# The on-label glabellar dose: 20 U over the 5 sites, no dose warning.
GLABELLA = {
    "procerus": Decimal(4),
    "corrugator_medial_r": Decimal(4),
    "corrugator_medial_l": Decimal(4),
    "corrugator_lateral_r": Decimal(4),
    "corrugator_lateral_l": Decimal(4),
}
RATINGS = dict.fromkeys((code for code, _label in COMPETENCIES), "competent")


def data(**overrides) -> dict:
    today = timezone.localdate()
    values = {
        "performed_on": today, "case_type": "supervised",
        "clinic": "Riverside Clinic", "model_code": "M-0147", "consent_confirmed": True,
        "product": product("onabotulinumtoxinA"), "vial_units": Decimal(100), "diluent_ml": Decimal("2.5"),
        "lot_number": "C1234A", "lot_expiry": today + datetime.timedelta(days=100), "complications": "",
        "complication_management": "", "overall_independence": "competent", "went_well": "", "to_improve": "",
        "agreed_actions": "",
    }  # fmt: skip
    return values | overrides


def record(enrolment, instructor, units=None, sign=True, **overrides) -> InjectionSession:
    session = handson_services.session_save_draft(
        enrolment=enrolment, instructor=instructor, data=data(**overrides), units_by_site=units or GLABELLA,
        ratings=RATINGS, acknowledged=True,
    )  # fmt: skip
    if sign:
        handson_services.session_sign(session_id=session.pk, instructor=instructor)
    return InjectionSession.objects.get(pk=session.pk)


@pytest.fixture
def enrolment(instructor):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=1, handson_area_minimums={})
    return EnrolmentFactory(trainee=trainee, course=course)


# select_for_update() with select_related() locks the session row only -------------------


@pytest.fixture
def locking_queries(monkeypatch):
    """(select_related, select_for_update_of) of every SELECT … FOR UPDATE of a session,
    whatever the database (SQLite compiles FOR UPDATE away, so the query is read)."""
    seen = []
    as_sql = SQLCompiler.as_sql

    def spy(self, *args, **kwargs):
        query = self.query
        if query.model is InjectionSession and query.select_for_update:
            seen.append((query.select_related, query.select_for_update_of))
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    return seen


def test_signing_and_amending_lock_only_the_session_row(enrolment, instructor, locking_queries):
    # given a draft
    draft = record(enrolment, instructor, sign=False)
    # when it is signed, then amended
    handson_services.session_sign(session_id=draft.pk, instructor=instructor)
    handson_services.session_amend(
        original_id=draft.pk, instructor=instructor, data=data(), units_by_site=GLABELLA, ratings=RATINGS,
        reason="Wrong clinic.", acknowledged=True,
    )  # fmt: skip
    # then each lock that joins the enrolment, course and trainee names the session alone
    joined = [of for related, of in locking_queries if related]
    assert len(joined) == 2
    assert joined == [("self",), ("self",)]


def test_on_postgresql_the_sign_off_lock_is_for_update_of_the_session_table(postgres, enrolment, instructor):
    draft = record(enrolment, instructor, sign=False)
    with CaptureQueriesContext(connection) as queries:
        handson_services.session_sign(session_id=draft.pk, instructor=instructor)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    locked_tables = locks[0].split(" FOR UPDATE OF ", 1)[1].split()[0]  # "a", "b" would keep the comma
    assert locked_tables == f'"{InjectionSession._meta.db_table}"'


# A service raises a domain error, never Http404 ---------------------------------------


def test_reflecting_on_someone_elses_session_is_refused_without_http404(enrolment, instructor):
    session = record(enrolment, instructor)
    stranger = TraineeFactory()
    with pytest.raises(PermissionDenied):
        handson_services.session_reflect(session=session, trainee=stranger, text="Not mine to write.")
    session.refresh_from_db()
    assert session.reflection == ""


def test_the_reflection_page_of_someone_elses_session_is_still_a_404(client_for, enrolment, instructor):
    session = record(enrolment, instructor)
    response = client_for(TraineeFactory()).post(
        reverse("courses:session_reflect", args=[session.pk]), {"reflection": "Not mine to write."}
    )
    assert response.status_code == 404


# Status values come from the TextChoices, not string literals ---------------------------

COURSES = Path(__file__).resolve().parent.parent
STATUS_LITERAL = re.compile(r"""status(__\w+)?\s*(==|!=|=)\s*["']""")


def test_no_status_is_compared_with_a_string_literal_in_code_or_templates():
    # models/ is left out: the choices are defined there, and the constraints (which Meta
    # writes out) mirror the migrations.
    sources = [
        path
        for pattern in ("**/*.py", "**/*.html")
        for path in COURSES.glob(pattern)
        if not {"tests", "migrations", "models"} & set(path.relative_to(COURSES).parts)
    ]
    assert len(sources) > 20
    offenders = [
        f"{path.relative_to(COURSES)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_LITERAL.search(line)
    ]
    assert offenders == []


def test_the_session_page_offers_sign_off_for_a_draft_and_amendment_once_signed(client_for, enrolment, instructor):
    draft = record(enrolment, instructor, sign=False)
    client = client_for(instructor)
    page = client.get(reverse("courses:session_detail", args=[draft.pk])).content.decode()
    assert "Sign off and lock" in page
    assert "Correct with an amendment" not in page
    handson_services.session_sign(session_id=draft.pk, instructor=instructor)
    page = client.get(reverse("courses:session_detail", args=[draft.pk])).content.decode()
    assert "Sign off and lock" not in page
    assert "Correct with an amendment" in page


# Messages are marked for translation where they are defined -----------------------------


@pytest.mark.parametrize("module", [course_services, handson_services], ids=["courses", "handson"])
def test_message_constants_are_lazy_translations(module):
    constants = {name: value for name, value in vars(module).items() if name.startswith("MSG_")}
    assert len(constants) >= 10
    plain = [name for name, value in constants.items() if not isinstance(value, Promise)]
    assert plain == []


def test_a_lazy_message_still_reads_exactly_as_before(enrolment, instructor):
    session = record(enrolment, instructor)
    with pytest.raises(ValidationError) as error:
        handson_services.session_sign(session_id=session.pk, instructor=instructor)
    assert error.value.messages == ["This session is signed and locked; record a correction as an amendment."]


# Dose warnings are stored as codes and worded when shown --------------------------------

MIGRATION = importlib.import_module("courses.migrations.0005_dose_warning_codes")
OVER_GLABELLA = {**GLABELLA, "procerus": Decimal(14)}
OFF_REFERENCE = {
    "code": "area_off_reference",
    "params": {"area": "glabella", "units": "30", "reference": "20", "sites": "5"},
}
OFF_REFERENCE_TEXT = "Glabellar lines: 30 U given; the on-label dose is 20 U over 5 sites."


def test_a_session_stores_warning_codes_and_its_page_shows_the_sentence(client_for, enrolment, instructor):
    # when a session is recorded with 30 U to the glabellar lines
    session = record(enrolment, instructor, units=OVER_GLABELLA)
    # then the database holds the code and its parameters, not a sentence
    assert InjectionSession.objects.values_list("dose_warnings", flat=True).get(pk=session.pk) == [OFF_REFERENCE]
    # and the session page words it
    page = client_for(instructor).get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert OFF_REFERENCE_TEXT in page


def test_warning_text_is_translated_with_the_function_it_is_given():
    french = {
        face_sites.WARNING_TEXTS["area_off_reference"]: (
            "%(area)s : %(units)s U administrées ; la dose de l'AMM est de %(reference)s U sur %(sites)s points."
        )
    }
    assert face_sites.warning_text(OFF_REFERENCE) == OFF_REFERENCE_TEXT
    assert face_sites.warning_text(OFF_REFERENCE, french.get) == (
        "Glabellar lines : 30 U administrées ; la dose de l'AMM est de 20 U sur 5 points."
    )
    assert face_sites.warning_text({"code": "legacy", "params": {"text": "As it was."}}) == "As it was."


def every_kind_of_warning() -> list[dict]:
    """Every kind of warning the log wrote as a sentence before 0005 (against Botox's label,
    then applied to every product; issue 15 made the checks per product)."""
    forehead_only = {f"frontalis_{i}": 2 for i in range(1, 6)}
    masseter = {f"masseter_{p}_{s}": 70 for p in ("upper", "anterior", "lower") for s in "rl"}
    warnings = face_sites.dose_warning_codes(OVER_GLABELLA | {"lateral_canthal_upper_r": Decimal("2.5")}, BOTOX)
    warnings += face_sites.dose_warning_codes(forehead_only, BOTOX) + face_sites.dose_warning_codes(masseter, BOTOX)
    warnings = [w for w in warnings if not face_sites.is_informational(w)]
    warnings.append(
        {"code": "model_over_maximum", "params": {"model_code": "M-0500", "units": "540", "maximum": "400"}}
    )
    return warnings


def test_every_kind_of_warning_reads_back_from_its_sentence():
    warnings = every_kind_of_warning()
    assert {w["code"] for w in warnings} == set(MIGRATION.SENTENCES)
    for warning in warnings:
        sentence = face_sites.warning_text(warning)
        assert MIGRATION.sentence_to_code(sentence) == warning
        assert MIGRATION.code_to_sentence(warning) == sentence


def test_the_migration_turns_stored_sentences_into_codes_and_back(enrolment, instructor):
    # given sessions recorded before warnings had codes
    old = record(enrolment, instructor, units=OVER_GLABELLA, model_code="M-0001")
    odd = record(enrolment, instructor, model_code="M-0002")
    sentences = [face_sites.warning_text(w) for w in every_kind_of_warning()]
    InjectionSession.objects.filter(pk=old.pk).update(dose_warnings=sentences)
    InjectionSession.objects.filter(pk=odd.pk).update(dose_warnings=["Something the log never wrote."])
    # when the migration runs
    MIGRATION.forwards(django_apps, None)
    # then the sentences are codes, and what it cannot read is kept as it was
    old.refresh_from_db()
    odd.refresh_from_db()
    assert old.dose_warnings == every_kind_of_warning()
    assert old.dose_warning_texts == sentences
    assert odd.dose_warnings == [{"code": "legacy", "params": {"text": "Something the log never wrote."}}]
    assert odd.dose_warning_texts == ["Something the log never wrote."]
    # and running it again changes nothing; reversing it restores the sentences
    MIGRATION.forwards(django_apps, None)
    old.refresh_from_db()
    assert old.dose_warnings == every_kind_of_warning()
    MIGRATION.backwards(django_apps, None)
    old.refresh_from_db()
    odd.refresh_from_db()
    assert old.dose_warnings == sentences
    assert odd.dose_warnings == ["Something the log never wrote."]


def test_the_admin_shows_a_sessions_warnings_as_sentences(client_for, administrator, enrolment, instructor):
    session = record(enrolment, instructor, units=OVER_GLABELLA)
    page = client_for(administrator).get(reverse("admin:courses_injectionsession_change", args=[session.pk]))
    assert page.status_code == 200
    assert OFF_REFERENCE_TEXT in page.content.decode()
