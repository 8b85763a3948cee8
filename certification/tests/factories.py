"""Trainees who have done everything a certificate needs, built through the real
services (so the award is made the way it is in the product)."""

from __future__ import annotations

from accounts.tests.factories import UserFactory, add_totp
from exams.practical import services as practical
from exams.tests.test_practical import build_eligible, full_marks, schedule


def pass_practical(enrolment, examiner, assessment=None):
    """Schedule (unless given) and score the practical with full marks: the pass that
    completes the award."""
    assessment = assessment or schedule(enrolment, [examiner])
    for rubric in assessment.rubrics.all():
        practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                             global_grade=3, comments="Safe and confident", submit=True)  # fmt: skip
    assessment.refresh_from_db()
    assert assessment.passed
    return assessment


def qualified(instructor, *, examiner=None, auto_issue=False, **course):
    """An enrolment whose trainee passed the written exam and the practical; the award
    has been made by the time this returns."""
    examiner = examiner or add_totp(UserFactory(is_trainee=False, is_examiner=True))
    enrolment = build_eligible(instructor)
    course_fields = {"certificate_auto_issue": auto_issue, **course}
    type(enrolment.course).objects.filter(pk=enrolment.course_id).update(**course_fields)
    enrolment.course.refresh_from_db()
    pass_practical(enrolment, examiner)
    return enrolment


def certificate_issued(enrolment, *, licence, attempt, assessment, content=None, **fields):
    """An award and an issued certificate written straight to the database (for tests
    about who may see what, not about how certificates come to be)."""
    import datetime
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from certification.models import Award, Certificate

    award = Award.objects.create(
        trainee=enrolment.trainee, course=enrolment.course, enrolment=enrolment, licence=licence,
        written_attempt=attempt, assessment=assessment, handson_sessions=1,
    )  # fmt: skip
    today = timezone.localdate()
    content = content or f"%PDF-1.7\n% stand-in document for {enrolment.pk}\n".encode()
    certificate = Certificate(
        award=award, holder=enrolment.trainee, holder_name=enrolment.trainee.legal_name or "Ada Trainee",
        holder_profession="Physician (MD)", course_code=enrolment.course.code, course_title=enrolment.course.title,
        accrediting_body=enrolment.course.accrediting_body, accreditation_number=enrolment.course.accreditation_number,
        credit_hours=enrolment.course.credit_hours, certified_on=today, issued_on=today,
        expires_on=today + datetime.timedelta(days=730), status=Certificate.Status.ISSUED,
        pdf_sha256=hashlib.sha256(content).hexdigest(), rendered_at=timezone.now(),
    )  # fmt: skip
    for name, value in fields.items():
        setattr(certificate, name, value)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(content), save=False)
    certificate.save()
    return certificate
