import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from courses.tests.factories import CourseFactory, EnrolmentFactory
from exams.models import (
    Assessment,
    Attempt,
    Criterion,
    ExamSettings,
    Option,
    PracticalExam,
    Question,
    RubricVersion,
    Station,
)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    ref = factory.Sequence(lambda n: f"Q-{n:04d}")
    kind = "single"
    topic = "pharmacology"
    difficulty = "medium"
    stem = factory.Sequence(lambda n: f"Question stem {n}?")
    explanation = "Because."
    status = "active"

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create:
            return
        correct = {0} if obj.kind == "single" else {0, 2}
        for index in range(4):
            Option.objects.create(
                question=obj, text=f"{obj.ref} option {index}", is_correct=index in correct, position=index
            )


def exam_for(course, *, per_topic=2, topics=("pharmacology", "anatomy"), **settings):
    """The course's exam: ``per_topic`` active questions per topic. Unscheduled attempts
    are allowed unless ``allow_unscheduled=False`` (tests of sittings)."""
    for topic in topics:
        QuestionFactory.create_batch(per_topic, course=course, topic=topic)
    values = {"blueprint": {t: per_topic for t in topics}, "case_sets_per_attempt": 0, "time_limit_minutes": 30,
              "pass_mark_percent": 50, "attempts_allowed": 2, "wait_hours": 0, "review": "full",
              "allow_unscheduled": True}  # fmt: skip
    values.update(settings)
    return ExamSettings.objects.create(course=course, **values)


# Written attempts ------------------------------------------------------------------------


class AttemptFactory(factory.django.DjangoModelFactory):
    """A written attempt written straight to the database, without items: open by
    default; ``passing=True`` makes it submitted and graded, 9 of 10 (90%) against a pass
    mark of 70%. Tests about taking the exam go through exams.services."""

    class Meta:
        model = Attempt

    class Params:
        now = factory.LazyFunction(timezone.now)
        passing = factory.Trait(
            status=Attempt.Status.SUBMITTED,
            started_at=factory.LazyAttribute(lambda o: o.now - datetime.timedelta(hours=1)),
            deadline=factory.SelfAttribute("now"),
            submitted_at=factory.SelfAttribute("now"),
            score=9,
            max_score=10,
            percent=Decimal(90),
            passed=True,
        )

    enrolment = factory.SubFactory(EnrolmentFactory)
    number = 1
    status = Attempt.Status.OPEN
    started_at = factory.SelfAttribute("now")
    deadline = factory.LazyAttribute(lambda o: o.now + datetime.timedelta(minutes=30))
    pass_mark_percent = 70
    review = ExamSettings.Review.FULL


# The practical exam ----------------------------------------------------------------------

# (points, critical) of each criterion of a station's rubric, unless a test says otherwise.
CRITERIA = ((2, True), (2, False), (1, False))


class PracticalExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticalExam

    course = factory.SubFactory(CourseFactory)
    overall_pass_percent = 60
    attempts_allowed = 2


class StationFactory(factory.django.DjangoModelFactory):
    """A station; ``with_rubric=True`` gives it rubric version 1 with the CRITERIA."""

    class Meta:
        model = Station
        skip_postgeneration_save = True

    class Params:
        with_rubric = factory.Trait(
            rubric=factory.RelatedFactory("exams.tests.factories.RubricVersionFactory", factory_related_name="station")
        )

    practical = factory.SubFactory(PracticalExamFactory)
    title = "Injection of the glabellar complex"
    position = factory.LazyAttribute(lambda o: o.practical.stations.count() + 1)


class RubricVersionFactory(factory.django.DjangoModelFactory):
    """A rubric version with its criteria: ``criteria`` is a sequence of (points,
    critical), CRITERIA by default; each criterion's text is "<station title> criterion
    <n>"."""

    class Meta:
        model = RubricVersion
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    number = 1
    pass_mark = Decimal(4)

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        if not create:
            return
        for i, (points, critical) in enumerate(CRITERIA if extracted is None else extracted, start=1):
            Criterion.objects.create(
                rubric=obj, position=i, text=f"{obj.station.title} criterion {i}", points=points, critical=critical
            )


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricVersionFactory, criteria=())
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Criterion {n}")
    points = 1
    critical = False


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A practical assessment written straight to the database: scheduled by default,
    ``passing=True`` makes it completed and passed (95%). ``rubrics`` and ``examiners``
    (lists) are set after it is saved. Tests about scheduling and scoring go through
    exams.practical."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    class Params:
        passing = factory.Trait(
            status=Assessment.Status.COMPLETED,
            passed=True,
            percent=Decimal(95),
            completed_at=factory.LazyFunction(timezone.now),
        )

    enrolment = factory.SubFactory(EnrolmentFactory)
    number = 1
    scheduled_at = factory.LazyFunction(timezone.now)
    place = "Lab"
    status = Assessment.Status.SCHEDULED

    @factory.post_generation
    def rubrics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.rubrics.set(extracted)

    @factory.post_generation
    def examiners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.examiners.set(extracted)
