"""An award is made exactly once, the moment the last requirement is met."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Licence
from certification.models import Award, Certificate
from certification.services import awards
from certification.tests.factories import pass_practical, qualified
from core.models import AuditEvent
from exams.models import Assessment
from exams.practical import services as practical
from tests.support.practical import build_eligible, held_today, schedule

pytestmark = pytest.mark.django_db


def test_passing_the_practical_makes_the_award_with_its_evidence(
    instructor, examiner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = qualified(instructor, examiner=examiner)
    award = Award.objects.get()
    assert (award.trainee, award.course, award.enrolment) == (enrolment.trainee, enrolment.course, enrolment)
    assert award.licence == enrolment.trainee.licences.get()
    assert award.written_attempt.passed
    assert award.assessment.passed
    assert award.handson_sessions == 1
    assert AuditEvent.objects.filter(action="award.made", object_id=str(award.pk)).count() == 1
    # Not automatic: the trainee is told an administrator will issue; nothing is queued.
    assert not Certificate.objects.exists()
    assert any("You have qualified" in m.subject for m in mailoutbox)


def test_no_award_without_a_valid_licence_until_one_is_verified(instructor, examiner, administrator):
    enrolment = build_eligible(instructor)
    licence = enrolment.trainee.licences.get()
    assessment = schedule(enrolment, [examiner])
    Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.EXPIRED)  # lapses before the exam day
    pass_practical(enrolment, examiner, assessment)
    assert not Award.objects.exists()

    renewed = Licence.objects.create(
        holder=enrolment.trainee, profession=licence.profession, number="RENEWED-1", jurisdiction=licence.jurisdiction,
        expires_on=timezone.localdate() + datetime.timedelta(days=400), document=licence.document,
        document_content_type=licence.document_content_type,
    )  # fmt: skip
    account_services.licence_verify(licence_id=renewed.pk, actor=administrator)
    assert Award.objects.get().licence == renewed


def test_a_failed_practical_makes_no_award(instructor, examiner):
    enrolment = build_eligible(instructor)
    assessment = held_today(schedule(enrolment, [examiner]))
    for rubric in assessment.rubrics.all():
        practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner,
                             points={str(c.pk): 0 for c in rubric.criteria.all()}, global_grade=0,
                             comments="Unsafe", submit=True)  # fmt: skip
    assert Assessment.objects.get().passed is False
    assert awards.award_if_eligible(enrolment_id=enrolment.pk) is None
    assert not Award.objects.exists()


def test_checking_again_returns_the_same_award(instructor, examiner):
    enrolment = qualified(instructor, examiner=examiner)
    first = Award.objects.get()
    assert awards.award_if_eligible(enrolment_id=enrolment.pk) == first
    awards.awards_for_trainee(trainee=enrolment.trainee)
    assert Award.objects.count() == 1


def test_auto_issue_renders_and_emails_without_an_administrator(
    instructor, examiner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = qualified(instructor, examiner=examiner, auto_issue=True)
    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.holder == enrolment.trainee
    assert certificate.created_by is None
    sent = [m for m in mailoutbox if certificate.serial in m.subject]
    assert len(sent) == 1
    assert sent[0].attachments[0][0] == f"{certificate.serial}.pdf"
    # No "an administrator will issue it" email when nobody has to.
    assert not any("You have qualified" in m.subject for m in mailoutbox)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_triggers_make_one_award_and_one_email(postgres, instructor, examiner):
    """The race the exactly-once promise is about, on PostgreSQL: twenty requests that
    each see the last pass arrive at once."""
    enrolment = build_eligible(instructor)
    type(enrolment.course).objects.filter(pk=enrolment.course_id).update(certificate_auto_issue=True)
    assessment = schedule(enrolment, [examiner])
    # The pass is written directly, so that no award exists before the race starts.
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.COMPLETED, passed=True, percent=100, completed_at=timezone.now()
    )
    mail.outbox = []
    barrier = threading.Barrier(20)
    errors = []

    def trigger():
        try:
            barrier.wait()
            awards.award_if_eligible(enrolment_id=enrolment.pk)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=trigger) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Award.objects.count() == 1
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().status == Certificate.Status.ISSUED
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="award.made").count() == 1
