"""Case types (observed / supervised / independent under oversight) and the hands-on
requirement counted by case type and area: the rule, what the trainee and the
instructors see, the form, the audit, and the migration of existing courses."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from core.models import AuditEvent
from courses import services as course_services
from courses.handson import selectors as handson_selectors
from courses.handson import services as handson
from courses.models import Course, Enrolment, InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory, InjectionSessionFactory
from tests.support.handson import GLABELLA, RATINGS, data, post_data, record

pytestmark = pytest.mark.django_db


def _enrolment(instructor, **requirement):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], **requirement)
    return EnrolmentFactory(trainee=trainee, course=course)


def _cases(enrolment, case_type, count, *, sites=None, overall="competent", days_ago=0):
    for _ in range(count):
        InjectionSessionFactory(
            enrolment=enrolment, signed=True, case_type=case_type, sites=sites, overall_independence=overall,
            performed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        )  # fmt: skip


def _status(enrolment):
    sessions = handson_selectors.sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    return handson_selectors.requirement_status(course=enrolment.course, sessions=sessions)


# The rule ---------------------------------------------------------------------------------

UK_ROUTE = {
    "handson_min_sessions": 10,
    "handson_type_minimums": {"observed": 10, "supervised": 10},
    "handson_area_minimums": {"glabella": 4},
    "handson_recent_competent": 0,
}


def test_ten_observed_and_ten_supervised_meet_the_requirement_and_nine_observed_do_not(instructor):
    enrolment = _enrolment(instructor, **UK_ROUTE)
    _cases(enrolment, "observed", 9)
    _cases(enrolment, "supervised", 10)
    status = _status(enrolment)
    assert [(t.name, t.done, t.need) for t in status.types] == [("Observed", 9, 10), ("Supervised", 10, 10)]
    assert [t.name for t in status.missing_types] == ["Observed"]
    assert not status.met
    assert not handson_selectors.handson_requirement_met(enrolment=enrolment)

    _cases(enrolment, "observed", 1)
    assert _status(enrolment).met
    assert handson_selectors.handson_requirement_met(enrolment=enrolment)


def test_independent_cases_count_toward_their_own_minimum_the_total_and_the_areas(instructor):
    enrolment = _enrolment(
        instructor, handson_min_sessions=3, handson_type_minimums={"supervised": 1, "independent": 2},
        handson_area_minimums={"glabella": 3}, handson_recent_competent=2,
    )  # fmt: skip
    _cases(enrolment, "supervised", 1, days_ago=10)
    _cases(enrolment, "independent", 1)
    status = _status(enrolment)
    assert (status.performed, status.required) == (2, 3)
    assert [(t.code, t.done, t.need) for t in status.types] == [("supervised", 1, 1), ("independent", 1, 2)]
    assert not status.met

    _cases(enrolment, "independent", 1)
    status = _status(enrolment)
    assert (status.performed, status.areas[0].done, status.recent_competent) == (3, 3, 2)
    assert status.met


def test_observed_cases_do_not_count_toward_area_minimums_the_total_or_recent_competence(instructor):
    enrolment = _enrolment(
        instructor, handson_min_sessions=2, handson_type_minimums={"observed": 2},
        handson_area_minimums={"glabella": 2}, handson_recent_competent=2,
    )  # fmt: skip
    _cases(enrolment, "supervised", 1, overall="limited", days_ago=5)
    _cases(enrolment, "observed", 3, overall="competent")  # the instructor treated, rated by mistake
    status = _status(enrolment)
    assert status.types[0].done == 3  # the observed minimum is met
    assert (status.signed, status.performed) == (4, 1)
    assert status.areas[0].done == 1  # glabella: only the case the trainee treated
    assert status.recent_competent == 0  # the latest case treated was "limited"; observed ones are skipped
    assert not status.met

    _cases(enrolment, "supervised", 2, overall="competent")
    assert _status(enrolment).met


def test_drafts_and_superseded_cases_count_toward_no_case_type(instructor):
    enrolment = _enrolment(
        instructor, handson_min_sessions=0, handson_type_minimums={"observed": 1}, handson_area_minimums={},
        handson_recent_competent=0,
    )  # fmt: skip
    InjectionSessionFactory(enrolment=enrolment, case_type="observed")  # a draft
    InjectionSessionFactory(
        enrolment=enrolment, case_type="observed", status=InjectionSession.Status.SUPERSEDED, signed_at=timezone.now()
    )
    assert _status(enrolment).types[0].done == 0
    assert not _status(enrolment).met


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"watched": 3}, "“watched” is not a case type"),
        ({"observed": -1}, "The cases required for observed must be a whole number."),
        ({"observed": "10"}, "The cases required for observed must be a whole number."),
        ({"supervised": True}, "The cases required for supervised must be a whole number."),
        (["observed"], "Give a mapping of case type to cases"),
    ],
)
def test_per_type_minimums_are_checked_like_area_minimums(value, message):
    course = CourseFactory.build(handson_type_minimums=value)
    with pytest.raises(ValidationError) as error:
        course.full_clean(exclude=["instructors"])
    assert message in error.value.message_dict["handson_type_minimums"][0]


def test_a_change_of_the_requirement_is_audited(instructor):
    course = CourseFactory(instructors=[instructor])
    course.handson_type_minimums = {"observed": 10, "supervised": 10}
    course_services.course_save(course=course, actor=None)
    event = AuditEvent.objects.filter(action="course.updated", object_id=str(course.pk)).latest("id")
    assert event.details["handson"]["types"] == {"observed": 10, "supervised": 10}


def test_the_database_refuses_an_unknown_case_type(instructor):
    session = InjectionSessionFactory()
    with pytest.raises(IntegrityError):
        InjectionSession.objects.filter(pk=session.pk).update(case_type="watched")


# What people see ----------------------------------------------------------------------------


@pytest.fixture
def in_progress(instructor):
    """A trainee of the UK route with 3 observed and 7 supervised signed cases (every one
    on the glabella)."""
    enrolment = _enrolment(instructor, **UK_ROUTE)
    _cases(enrolment, "observed", 3)
    _cases(enrolment, "supervised", 7)
    return enrolment


def test_the_trainee_dashboard_shows_progress_per_case_type(client_for, in_progress):
    page = client_for(in_progress.trainee).get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Observed 3 of 10 · Supervised 7 of 10." in page
    assert 'aria-label="Observed" aria-valuemin="0" aria-valuemax="10" aria-valuenow="3"' in page
    assert 'aria-label="Supervised" aria-valuemin="0" aria-valuemax="10" aria-valuenow="7"' in page
    assert "w-pct-30" in page
    assert "w-pct-70" in page


def test_the_pathway_on_the_course_page_shows_progress_per_case_type(client_for, in_progress):
    page = client_for(in_progress.trainee).get(reverse("courses:detail", args=[in_progress.course.code]))
    text = page.content.decode()
    assert "Observed 3 of 10 · Supervised 7 of 10." in text
    assert "Observed: 10 signed cases" in text  # the requirement, as the course page states it
    assert "Glabellar lines: in 4 cases you treat" in text


def test_the_total_shows_when_it_asks_for_more_than_the_per_type_minimums(client_for, instructor):
    enrolment = _enrolment(
        instructor, handson_min_sessions=4, handson_type_minimums={"observed": 2, "supervised": 1},
        handson_area_minimums={}, handson_recent_competent=0,
    )  # fmt: skip
    _cases(enrolment, "supervised", 1)
    page = client_for(enrolment.trainee).get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Observed 0 of 2 · Supervised 1 of 1 · Cases treated 1 of 4." in page


def test_the_roster_shows_each_trainees_progress_per_case_type(client_for, instructor, in_progress):
    page = client_for(instructor).get(reverse("courses:roster", args=[in_progress.course.code])).content.decode()
    assert 'aria-label="Observed" aria-valuemin="0" aria-valuemax="10" aria-valuenow="3"' in page
    assert 'aria-label="Supervised" aria-valuemin="0" aria-valuemax="10" aria-valuenow="7"' in page
    assert "Still needed: Observed 3 of 10; Supervised 7 of 10" in page


def test_the_logbook_and_the_session_page_show_the_case_type(client_for, in_progress):
    client = client_for(in_progress.trainee)
    logbook = client.get(reverse("courses:logbook", args=[in_progress.course.code])).content.decode()
    assert logbook.count('<td data-label="Case type">Observed</td>') == 3
    assert logbook.count('<td data-label="Case type">Supervised</td>') == 7
    assert "Still missing: Observed (3/10), Supervised (7/10)" in logbook
    observed = in_progress.sessions.filter(case_type="observed").first()
    detail = client.get(reverse("courses:session_detail", args=[observed.pk])).content.decode()
    assert "<dt>Case type</dt><dd>Observed</dd>" in detail


# The form ----------------------------------------------------------------------------------


def test_the_form_offers_the_three_case_types_each_explained(client_for, instructor, enrolment):
    page = client_for(instructor).get(reverse("courses:session_create", args=[enrolment.course.code]))
    text = page.content.decode()
    assert text.count('name="case_type"') == 3
    assert "Observed: the trainee watched you or a mentor treat the model." in text
    assert "Supervised: the trainee treated the model with you at their side." in text
    assert "Independent under oversight: the trainee treated alone, with you on site to step in." in text
    assert 'value="supervised" required id="id_case_type_1" checked' in text  # the usual case, preselected


@pytest.mark.parametrize("value", ["watched", "", None])
def test_the_form_refuses_an_unknown_or_missing_case_type_at_the_field(client_for, instructor, enrolment, value):
    url = reverse("courses:session_create", args=[enrolment.course.code])
    response = client_for(instructor).post(url, post_data(enrolment, case_type=value, clinic="Harbour Clinic"))
    assert response.status_code == 200
    assert response.context["form"].errors["case_type"] == [str(handson.MSG_CASE_TYPE)]
    page = response.content.decode()
    assert 'id="id_case_type_error"' in page
    assert 'value="Harbour Clinic"' in page  # what was typed is kept
    assert not InjectionSession.objects.exists()


def test_the_service_refuses_an_unknown_case_type_at_the_field(instructor, enrolment):
    with pytest.raises(ValidationError) as error:
        record(enrolment, instructor, case_type="watched")
    assert error.value.message_dict["case_type"] == [str(handson.MSG_CASE_TYPE)]
    assert not InjectionSession.objects.exists()


def test_an_observed_case_is_recorded_with_every_rating_not_observed(client_for, instructor, enrolment):
    overrides = {f"rating_{code}": "not_observed" for code in RATINGS}
    response = client_for(instructor).post(
        reverse("courses:session_create", args=[enrolment.course.code]),
        post_data(enrolment, case_type="observed", overall_independence="not_observed", **overrides),
    )
    session = InjectionSession.objects.get()
    assert response["Location"] == reverse("courses:session_detail", args=[session.pk])
    assert session.case_type == "observed"
    assert set(session.ratings.values()) == {"not_observed"}


def test_editing_a_draft_keeps_its_case_type_and_signing_audits_it(client_for, instructor, enrolment):
    draft = record(enrolment, instructor, sign=False, case_type="independent")
    page = client_for(instructor).get(reverse("courses:session_edit", args=[draft.pk])).content.decode()
    assert 'value="independent" required id="id_case_type_2" checked' in page
    handson.session_sign(session_id=draft.pk, instructor=instructor)
    event = AuditEvent.objects.get(action="session.signed", object_id=str(draft.pk))
    assert event.details["case_type"] == "independent"


def test_an_amendment_that_changes_the_case_type_is_audited_and_recounted(instructor, enrolment):
    original = record(enrolment, instructor, case_type="supervised")
    amendment = handson.session_amend(
        original_id=original.pk, instructor=instructor, data=data(case_type="observed"), units_by_site=GLABELLA,
        ratings=RATINGS, reason="The trainee watched; the instructor treated.", acknowledged=True,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="session.amended", object_id=str(amendment.pk))
    assert event.details["case_type"] == ["supervised", "observed"]
    status = _status(enrolment)
    assert (status.signed, status.performed) == (1, 0)


# The migration -----------------------------------------------------------------------------


def test_the_migration_keeps_existing_courses_verdicts(transactional_db, instructor):
    """Sessions written before case types existed become supervised cases, and a course
    that asked for 4 signed sessions still needs 4 cases the trainee treated."""
    from django.db.migrations.executor import MigrationExecutor

    course = CourseFactory(
        instructors=[instructor], handson_min_sessions=4, handson_area_minimums={"glabella": 2},
        handson_recent_competent=1,
    )  # fmt: skip
    enough, short = EnrolmentFactory(course=course), EnrolmentFactory(course=course)
    executor = MigrationExecutor(connection)
    # The courses migration just before the one adding case types (whatever it is numbered).
    (case_types,) = [key for key in executor.loader.disk_migrations if key[0] == "courses" and "case_types" in key[1]]
    before = [dep for dep in executor.loader.disk_migrations[case_types].dependencies if dep[0] == "courses"]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldSession, OldSite = old.get_model("courses", "InjectionSession"), old.get_model("courses", "SessionSite")
        # A flushed database (other transactional tests) may have lost the seeded products.
        botox, _created = old.get_model("courses", "Product").objects.get_or_create(
            code="onabotulinumtoxinA", defaults={"generic_name": "onabotulinumtoxinA", "unit_label": "Allergan units"}
        )
        today = timezone.localdate()
        for enrolment_id, count in ((enough.pk, 4), (short.pk, 3)):
            for _ in range(count):
                session = OldSession.objects.create(
                    enrolment_id=enrolment_id, instructor_id=instructor.pk, performed_on=today, clinic="Clinic",
                    model_code="M-0147", consent_confirmed=True, lot_number="L1", product_id=botox.pk,
                    lot_expiry=today + datetime.timedelta(days=30), ratings=RATINGS, overall_independence="competent",
                    status="signed", signed_at=timezone.now(),
                )  # fmt: skip
                OldSite.objects.create(session=session, site_code="procerus", units=4)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    enough, short = Enrolment.objects.get(pk=enough.pk), Enrolment.objects.get(pk=short.pk)
    assert set(InjectionSession.objects.values_list("case_type", flat=True)) == {"supervised"}
    assert Course.objects.get(pk=course.pk).handson_type_minimums == {}
    assert (_status(enough).performed, _status(enough).met) == (4, True)
    assert (_status(short).performed, _status(short).met) == (3, False)
