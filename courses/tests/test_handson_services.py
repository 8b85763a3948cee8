import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from core.models import AuditEvent
from courses.handson import selectors as handson_selectors
from courses.handson import services as handson
from courses.models import InjectionSession, SessionSite
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.handson import GLABELLA, RATINGS, data, record

pytestmark = pytest.mark.django_db

FOREHEAD = {f"frontalis_{i}": Decimal(4) for i in range(1, 6)}
CANTHAL = {f"lateral_canthal_{p}_{s}": Decimal(4) for p in ("upper", "middle", "lower") for s in ("r", "l")}


@pytest.fixture
def setup(instructor):
    trainee = TraineeFactory()
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(
        instructors=[instructor],
        handson_min_sessions=3,
        handson_area_minimums={"glabella": 2, "forehead": 1},
        handson_recent_competent=2,
    )
    return EnrolmentFactory(trainee=trainee, course=course), instructor


def test_reconstitution_gives_units_per_01_ml():
    assert handson.units_per_01ml(Decimal(100), Decimal("2.5")) == Decimal("4.00")
    assert handson.units_per_01ml(Decimal(50), Decimal("1.25")) == Decimal("4.00")
    assert handson.units_per_01ml(Decimal(100), Decimal(1)) == Decimal("10.00")


def test_draft_records_sites_and_sign_locks_and_audits(setup):
    enrolment, instructor = setup
    session = record(enrolment, instructor, sign=False)
    assert session.status == "draft"
    assert {s.site_code: s.units for s in session.sites.all()} == GLABELLA
    assert session.dose_warnings == []
    handson.session_sign(session_id=session.pk, instructor=instructor)
    session.refresh_from_db()
    assert session.status == "signed"
    assert AuditEvent.objects.filter(action="session.signed", object_id=str(session.pk)).count() == 1
    with pytest.raises(ValidationError) as error:
        handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, data=data(), units_by_site=GLABELLA, ratings=RATINGS,
            session=session,
        )  # fmt: skip
    assert error.value.messages == [handson.MSG_LOCKED]
    with pytest.raises(ValidationError):
        handson.session_sign(session_id=session.pk, instructor=instructor)


def test_only_the_course_instructors_record_and_sign(setup):
    enrolment, instructor = setup
    outsider = UserFactory(is_trainee=False, is_instructor=True)
    with pytest.raises(ValidationError) as error:
        record(enrolment, outsider)
    assert error.value.messages == [handson.MSG_NOT_INSTRUCTOR]
    draft = record(enrolment, instructor, sign=False)
    with pytest.raises(ValidationError):
        handson.session_sign(session_id=draft.pk, instructor=outsider)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"performed_on": timezone.localdate() + datetime.timedelta(days=1)},
            "performed_on",
            handson.MSG_FUTURE_DATE,
        ),
        ({"consent_confirmed": False}, "consent_confirmed", handson.MSG_CONSENT),
        ({"model_code": "Jane Smith"}, "model_code", handson.MSG_MODEL_CODE),
        ({"model_code": "12-05-1980"}, "model_code", handson.MSG_MODEL_CODE_DATE),
        ({"model_code": "19800512"}, "model_code", handson.MSG_MODEL_CODE_DATE),
        (
            {"lot_expiry": timezone.localdate() - datetime.timedelta(days=1)},
            "lot_expiry",
            handson.MSG_LOT_EXPIRED,
        ),
    ],
)
def test_bad_session_details_are_refused_and_nothing_is_written(setup, overrides, field, message):
    enrolment, instructor = setup
    with pytest.raises(ValidationError) as error:
        record(enrolment, instructor, **overrides)
    assert error.value.message_dict == {field: [message]}
    assert not InjectionSession.objects.exists()
    assert not SessionSite.objects.exists()


@pytest.mark.parametrize(
    ("units", "field", "message"),
    [
        ({"procerus": Decimal(-1)}, "units_procerus", handson.MSG_UNITS_RANGE),
        ({"procerus": Decimal(150)}, "units_procerus", handson.MSG_UNITS_RANGE),
        ({"philtrum_of_doom": Decimal(4)}, "sites", "There is no injection site called “philtrum_of_doom”."),
        ({}, "sites", handson.MSG_NO_SITES),
    ],
)
def test_bad_units_and_unknown_sites_are_refused(setup, units, field, message):
    enrolment, instructor = setup
    with pytest.raises(ValidationError) as error:
        handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, data=data(), units_by_site=units, ratings=RATINGS
        )
    assert error.value.message_dict == {field: [message]}
    assert not InjectionSession.objects.exists()


def test_dose_off_the_reference_warns_and_needs_acknowledging(setup):
    enrolment, instructor = setup
    heavy = {**GLABELLA, "procerus": Decimal(14)}
    with pytest.raises(ValidationError) as error:
        handson.session_save_draft(
            enrolment=enrolment, instructor=instructor, data=data(), units_by_site=heavy, ratings=RATINGS
        )
    assert error.value.message_dict == {"acknowledge_warnings": [handson.MSG_ACKNOWLEDGE]}
    session = handson.session_save_draft(
        enrolment=enrolment,
        instructor=instructor,
        data=data(),
        units_by_site=heavy,
        ratings=RATINGS,
        acknowledged=True,
    )
    assert session.dose_warning_texts == ["Glabellar lines: 30 U given; the on-label dose is 20 U over 5 sites."]


def test_over_400_units_in_three_months_for_one_model_warns(setup):
    enrolment, instructor = setup
    masseter = {code: Decimal(60) for code in ("masseter_upper_r", "masseter_upper_l", "masseter_lower_r")}
    record(enrolment, instructor, units=masseter, model_code="M-0500")
    record(enrolment, instructor, units=masseter, model_code="M-0500")
    third = record(enrolment, instructor, units=masseter, model_code="M-0500", sign=False)
    assert third.dose_warning_texts[-1] == (
        "Model M-0500: 540 U of Botox in 90 days including earlier sessions; the label maximum is 400 U in 3 months."
    )


def test_an_expired_licence_pauses_new_sessions(setup):
    enrolment, instructor = setup
    enrolment.trainee.licences.update(expires_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        record(enrolment, instructor)
    assert error.value.messages == [handson.MSG_TRAINEE_LICENCE]


def test_amendment_keeps_the_original(setup):
    enrolment, instructor = setup
    original = record(enrolment, instructor)
    with pytest.raises(ValidationError):
        handson.session_amend(
            original_id=original.pk, instructor=instructor, data=data(), units_by_site=GLABELLA, ratings=RATINGS,
            reason=" ",
        )  # fmt: skip
    amendment = handson.session_amend(
        original_id=original.pk, instructor=instructor, data=data(clinic="Harbour Clinic"),
        units_by_site=GLABELLA, ratings=RATINGS, reason="Wrong clinic recorded.",
    )  # fmt: skip
    original.refresh_from_db()
    assert original.status == "superseded"
    assert original.clinic == "Riverside Clinic"
    assert amendment.status == "signed"
    assert amendment.amends == original
    assert amendment.clinic == "Harbour Clinic"
    event = AuditEvent.objects.get(action="session.amended")
    assert event.details == {"amends": str(original.pk), "reason": "Wrong clinic recorded."}
    with pytest.raises(ValidationError):
        handson.session_amend(
            original_id=original.pk, instructor=instructor, data=data(), units_by_site=GLABELLA, ratings=RATINGS,
            reason="again",
        )  # fmt: skip


def test_requirement_counts_signed_sessions_areas_and_recent_competence(setup):
    enrolment, instructor = setup
    assert not handson_selectors.handson_requirement_met(enrolment=enrolment)
    record(enrolment, instructor, overall_independence="limited",
           performed_on=timezone.localdate() - datetime.timedelta(days=3))  # fmt: skip
    record(enrolment, instructor, units={**GLABELLA, **FOREHEAD},
           performed_on=timezone.localdate() - datetime.timedelta(days=2))  # fmt: skip
    record(enrolment, instructor, sign=False)  # a draft never counts
    sessions = handson_selectors.sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    status = handson_selectors.requirement_status(course=enrolment.course, sessions=sessions)
    assert (status.signed, status.required) == (2, 3)
    assert [(a.code, a.done, a.need) for a in status.areas] == [("glabella", 2, 2), ("forehead", 1, 1)]
    assert status.recent_competent == 1
    assert not status.met
    record(enrolment, instructor, units=CANTHAL)
    assert handson_selectors.handson_requirement_met(enrolment=enrolment)


def test_a_superseded_session_does_not_count(setup):
    enrolment, instructor = setup
    first = record(enrolment, instructor)
    handson.session_amend(
        original_id=first.pk,
        instructor=instructor,
        data=data(),
        units_by_site=GLABELLA,
        ratings=RATINGS,
        reason="x",
    )
    sessions = handson_selectors.sessions_for_enrolments([enrolment.pk])[enrolment.pk]
    assert handson_selectors.requirement_status(course=enrolment.course, sessions=sessions).signed == 1


def test_database_refuses_a_session_without_consent(setup):
    enrolment, instructor = setup
    session = record(enrolment, instructor, sign=False)
    session.consent_confirmed = False
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()


def test_the_log_stores_no_patient_identity():
    names = {f.name for f in InjectionSession._meta.get_fields()}
    for forbidden in (
        "patient_name",
        "name",
        "first_name",
        "last_name",
        "date_of_birth",
        "birth_date",
        "dob",
        "photo",
    ):
        assert forbidden not in names
