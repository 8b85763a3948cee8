"""The factories build rows the database and the services accept."""

import hashlib

import pytest

from certification.models import Certificate
from certification.tests.factories import AwardFactory, CertificateFactory
from courses.handson import selectors as handson
from courses.models import InjectionSession
from courses.tests.factories import InjectionSessionFactory, SessionSiteFactory
from exams.models import Criterion
from exams.practical import selectors as practical
from exams.tests.factories import (
    CRITERIA,
    AssessmentFactory,
    AttemptFactory,
    CriterionFactory,
    RubricVersionFactory,
    StationFactory,
)
from tests.support.handson import GLABELLA

pytestmark = pytest.mark.django_db


def test_injection_sessions_draft_and_signed_with_their_sites():
    draft = InjectionSessionFactory()
    assert draft.status == InjectionSession.Status.DRAFT
    assert {s.site_code: s.units for s in draft.sites.all()} == GLABELLA
    signed = InjectionSessionFactory(signed=True, enrolment=draft.enrolment, sites={"procerus": 6})
    assert signed.status == InjectionSession.Status.SIGNED
    assert signed.signed_at is not None
    assert [(s.site_code, s.units) for s in signed.sites.all()] == [("procerus", 6)]
    assert SessionSiteFactory(session=draft, site_code="frontalis_1").units == 4
    sessions = handson.sessions_for_enrolments([draft.enrolment_id])[draft.enrolment_id]
    assert handson.requirement_status(course=draft.enrolment.course, sessions=sessions).signed == 1


def test_stations_rubric_versions_and_criteria():
    station = StationFactory(with_rubric=True)
    rubric = practical.current_rubric(station)
    assert rubric.number == 1
    assert [(c.points, c.critical) for c in rubric.criteria.order_by("position")] == list(CRITERIA)
    assert rubric.criteria.first().text == f"{station.title} criterion 1"
    second = StationFactory(practical=station.practical)
    assert second.position == 2
    assert not second.versions.exists()
    bare = RubricVersionFactory(station=second, criteria=())
    CriterionFactory(rubric=bare, points=3, critical=True)
    assert Criterion.objects.filter(rubric=bare).count() == 1


def test_written_attempts_and_assessments(examiner):
    attempt = AttemptFactory()
    assert (attempt.status, attempt.passed) == ("open", None)
    passed = AttemptFactory(enrolment=attempt.enrolment, number=2, passing=True)
    passed.refresh_from_db()
    assert (passed.status, passed.passed, passed.score, passed.max_score) == ("submitted", True, 9, 10)
    assert passed.started_at < passed.deadline == passed.submitted_at
    rubric = RubricVersionFactory()
    assessment = AssessmentFactory(rubrics=[rubric], examiners=[examiner])
    assert list(assessment.rubrics.all()) == [rubric]
    assert list(assessment.examiners.all()) == [examiner]
    assert AssessmentFactory(passing=True).status == "completed"


def test_awards_and_issued_certificates():
    award = AwardFactory()
    assert award.trainee == award.enrolment.trainee == award.licence.holder
    assert award.written_attempt.passed
    assert award.assessment.passed
    certificate = CertificateFactory(award=award)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.holder == award.trainee
    assert certificate.pdf.name == f"certificates/{certificate.serial}.pdf"
    assert hashlib.sha256(certificate.pdf.read()).hexdigest() == certificate.pdf_sha256
    assert (
        CertificateFactory(content=b"%PDF-1.7\n% other\n").pdf_sha256
        == hashlib.sha256(b"%PDF-1.7\n% other\n").hexdigest()
    )
