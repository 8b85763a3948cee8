import factory

from courses.tests.factories import CourseFactory
from exams.models import ExamSettings, Option, Question


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
    for topic in topics:
        QuestionFactory.create_batch(per_topic, course=course, topic=topic)
    values = {"blueprint": {t: per_topic for t in topics}, "case_sets_per_attempt": 0, "time_limit_minutes": 30,
              "pass_mark_percent": 50, "attempts_allowed": 2, "wait_hours": 0, "review": "full"}  # fmt: skip
    values.update(settings)
    return ExamSettings.objects.create(course=course, **values)
