import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import TraineeFactory, UserFactory
from courses.models import Course, CourseRun, Enrolment, InjectionSession, Lesson, Mentor, Module, SessionSite
from tests.support.handson import GLABELLA, RATINGS
from tests.support.products import product


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"BTA-{100 + n}")
    title = factory.Sequence(lambda n: f"Botulinum toxin course {n}")
    summary = "Foundations of facial aesthetics with botulinum toxin type A."
    description = "Pharmacology, anatomy, assessment, technique, complications and ethics."
    accrediting_body = "Aesthetic Medicine Accreditation Council"
    accreditation_number = factory.Sequence(lambda n: f"AMAC-2026-{n:04d}")
    credit_hours = 16
    accreditation_valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    accreditation_valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=700))
    eligible_professions = factory.LazyFunction(lambda: ["md", "do", "np", "pa", "rn"])
    capacity = 20
    status = Course.Status.PUBLISHED

    @factory.post_generation
    def instructors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.instructors.add(*extracted)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n + 1)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body_html = "<p>The procerus pulls the medial brows down.</p>"
    minutes = 15
    position = factory.Sequence(lambda n: n + 1)


class CourseRunFactory(factory.django.DjangoModelFactory):
    """An open run of a course, a month away, three days long, with 12 places."""

    class Meta:
        model = CourseRun

    course = factory.SubFactory(CourseFactory)
    code = factory.Sequence(lambda n: f"run-{n}")
    title = factory.Sequence(lambda n: f"Cohort {n}, Leeds")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda run: run.starts_on + datetime.timedelta(days=2))
    places = 12
    location = "Aire Clinic, Leeds"
    status = CourseRun.Status.OPEN


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    trainee = factory.SubFactory(TraineeFactory)
    course = factory.SubFactory(CourseFactory)


def course_with_lessons(count: int, **course_kwargs) -> Course:
    course = CourseFactory(**course_kwargs)
    module = ModuleFactory(course=course, position=1)
    for index in range(count):
        LessonFactory(module=module, position=index + 1)
    return course


class InjectionSessionFactory(factory.django.DjangoModelFactory):
    """A hands-on session written straight to the database, with its sites (``sites``: a
    {site code: units} dict, the five glabellar sites by default). A draft unless
    ``signed=True``. For tests about reading and showing sessions; tests about recording
    them go through the services (tests.support.handson.record)."""

    class Meta:
        model = InjectionSession
        skip_postgeneration_save = True

    class Params:
        signed = factory.Trait(
            status=InjectionSession.Status.SIGNED,
            signed_at=factory.LazyFunction(timezone.now),
        )

    enrolment = factory.SubFactory(EnrolmentFactory)
    instructor = factory.SubFactory(UserFactory, is_trainee=False, is_instructor=True)
    performed_on = factory.LazyFunction(timezone.localdate)
    clinic = "Riverside Clinic"
    model_code = factory.Sequence(lambda n: f"M-{n % 10000:04d}")
    consent_confirmed = True
    product = factory.LazyFunction(product)
    lot_number = "C1234A"
    lot_expiry = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=100))
    ratings = factory.LazyFunction(lambda: dict(RATINGS))
    overall_independence = "competent"
    status = InjectionSession.Status.DRAFT

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):
        if not create:
            return
        units_by_site = GLABELLA if extracted is None else extracted
        for code, units in units_by_site.items():
            SessionSite.objects.create(session=obj, site_code=code, units=units)


class SessionSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSite

    session = factory.SubFactory(InjectionSessionFactory, sites={})
    site_code = "procerus"
    units = 4


class MentorFactory(factory.django.DjangoModelFactory):
    """A trainee's mentor, awaiting verification unless ``verified=True``."""

    class Meta:
        model = Mentor

    class Params:
        verified = factory.Trait(status=Mentor.Status.VERIFIED, decided_at=factory.LazyFunction(timezone.now))

    trainee = factory.SubFactory(TraineeFactory)
    full_name = factory.Sequence(lambda n: f"Dr Morgan Mentor {n}")
    email = factory.Sequence(lambda n: f"mentor{n}@clinic.example")
    profession = Mentor.Profession.DOCTOR
    register = Mentor.Register.GMC
    registration_number = factory.Sequence(lambda n: f"{7000000 + n}")
    independent_prescriber = True
    years_injecting = 8
