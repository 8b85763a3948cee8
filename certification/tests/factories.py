"""Awards and certificates written straight to the database (for tests about who may
see what, not about how certificates come to be), and trainees who have done everything
a certificate needs, built through the real services (so the award is made the way it
is in the product)."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, UserFactory, add_totp
from certification.credentials.openbadge import credential_issue
from certification.models import Award, Certificate, serial_new
from certification.services.status_lists import status_position_allocate
from courses.tests.factories import EnrolmentFactory
from exams.practical import services as practical
from exams.tests.factories import AssessmentFactory, AttemptFactory
from tests.support.practical import build_eligible, full_marks, held_today, schedule


class AwardFactory(factory.django.DjangoModelFactory):
    """An award with its evidence: a verified licence, a passed written attempt and a
    passed practical assessment of the same enrolment."""

    class Meta:
        model = Award

    enrolment = factory.SubFactory(EnrolmentFactory)
    trainee = factory.SelfAttribute("enrolment.trainee")
    course = factory.SelfAttribute("enrolment.course")
    licence = factory.SubFactory(LicenceFactory, holder=factory.SelfAttribute("..trainee"), verified=True)
    written_attempt = factory.SubFactory(AttemptFactory, enrolment=factory.SelfAttribute("..enrolment"), passing=True)
    assessment = factory.SubFactory(AssessmentFactory, enrolment=factory.SelfAttribute("..enrolment"), passing=True)
    handson_sessions = 1


class CertificateFactory(factory.django.DjangoModelFactory):
    """An issued certificate of ``award``, its details copied from the award as issuing
    does, valid for two years from today, with a stand-in PDF (``content``) stored under
    its serial."""

    class Meta:
        model = Certificate
        skip_postgeneration_save = True  # ``signed`` saves what it changes

    class Params:
        content = factory.LazyAttribute(
            lambda o: f"%PDF-1.7\n% stand-in document for {o.award.enrolment_id}\n".encode()
        )
        today = factory.LazyFunction(timezone.localdate)

    award = factory.SubFactory(AwardFactory)
    holder = factory.SelfAttribute("award.trainee")
    holder_name = factory.LazyAttribute(lambda o: o.holder.legal_name or "Ada Trainee")
    holder_profession = "Physician (MD)"
    course_code = factory.SelfAttribute("award.course.code")
    course_title = factory.SelfAttribute("award.course.title")
    accrediting_body = factory.SelfAttribute("award.course.accrediting_body")
    accreditation_number = factory.SelfAttribute("award.course.accreditation_number")
    credit_hours = factory.SelfAttribute("award.course.credit_hours")
    certified_on = factory.SelfAttribute("today")
    issued_on = factory.SelfAttribute("today")
    expires_on = factory.LazyAttribute(lambda o: o.today + datetime.timedelta(days=730))
    status = Certificate.Status.ISSUED
    serial = factory.LazyFunction(serial_new)
    pdf_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    rendered_at = factory.LazyFunction(timezone.now)
    # Saved to private storage as certificates/<serial>.pdf when the row is saved.
    pdf = factory.LazyAttribute(lambda o: ContentFile(o.content, name=f"{o.serial}.pdf"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Its status list position is drawn as issuing draws it (the service's lock and
        # random index), unless the test gives one.
        if "status_list" not in kwargs:
            kwargs["status_list"], kwargs["status_index"] = status_position_allocate()
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def signed(obj, create, extracted, **kwargs):
        """The signed credential, stored as the render task stores it (needs the test
        key conftest provides); ``signed=False`` leaves it out, as on certificates
        issued before credentials were signed."""
        if create and extracted is not False and obj.credential is None and obj.pdf_sha256:
            obj.credential = credential_issue(obj)
            obj.save(update_fields=["credential"])


def certificate_issued(enrolment, *, licence, attempt, assessment, content=None, **fields):
    """An award and an issued certificate of ``enrolment`` written straight to the
    database; ``fields`` override the certificate's."""
    award = AwardFactory(
        enrolment=enrolment, trainee=enrolment.trainee, course=enrolment.course, licence=licence,
        written_attempt=attempt, assessment=assessment, handson_sessions=1,
    )  # fmt: skip
    if content:
        fields["content"] = content
    return CertificateFactory(award=award, **fields)


def pass_practical(enrolment, examiner, assessment=None):
    """Schedule (unless given) and score the practical with full marks: the pass that
    completes the award."""
    assessment = held_today(assessment or schedule(enrolment, [examiner]))
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
