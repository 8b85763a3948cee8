"""An issued certificate of a new trainee, written straight to the database."""

from __future__ import annotations

from accounts.tests.factories import LicenceFactory, TraineeFactory
from certification.tests.factories import certificate_issued
from courses.tests.factories import EnrolmentFactory
from exams.tests.factories import AssessmentFactory, AttemptFactory


def make_certificate(name="Dr Léa Fontaine-Nakamura", email="lea@example.com", **fields):
    """An issued certificate of a trainee called ``name`` whose licence number
    (LIC-SECRET-<email>) must never be shown publicly; ``fields`` as for
    certification.tests.factories.certificate_issued (``content``: the PDF's bytes)."""
    trainee = TraineeFactory(email=email, legal_name=name)
    licence = LicenceFactory(holder=trainee, verified=True, number=f"LIC-SECRET-{email}")
    enrolment = EnrolmentFactory(trainee=trainee)
    attempt = AttemptFactory(enrolment=enrolment, passing=True)
    assessment = AssessmentFactory(enrolment=enrolment, passing=True)
    return certificate_issued(enrolment, licence=licence, attempt=attempt, assessment=assessment, **fields)
