"""Races on PostgreSQL: two adoptions of a written pass mark from the same page, a
rating against the close of its exercise, a cancellation against the last marks."""

from accounts.tests.factories import AdministratorFactory, UserFactory, add_totp
from exams.models import AngoffRating, Assessment, ExamSettings, PassMarkVersion
from exams.practical import services as practical
from exams.standards import services
from tests.support.concurrency import run_together
from tests.support.practical import build_eligible, full_marks, held_today, schedule


def test_two_adoptions_from_the_same_page_make_one_version(postgres, transactional_db, ready):
    admins = [add_totp(AdministratorFactory()) for _ in range(2)]
    errors = run_together(
        [
            (lambda admin=admin, percent=percent: services.written_pass_mark_adopt(
                course=ready.course, percent=percent, reason="Panel", actor=admin, based_on=0))
            for admin, percent in zip(admins, (60, 65), strict=True)
        ]
    )  # fmt: skip
    assert len(errors) == 1
    assert errors[0].startswith("The pass mark changed while you were deciding")
    (version,) = PassMarkVersion.objects.all()
    assert ExamSettings.objects.get(course=ready.course).pass_mark_percent == version.pass_mark_percent


def test_a_rating_racing_the_close_lands_before_it_or_not_at_all(postgres, transactional_db, ready):
    admin = add_totp(AdministratorFactory())
    judges = [UserFactory(is_trainee=False, is_examiner=True) for _ in range(2)]
    for _round in range(5):
        exercise = services.angoff_exercise_open(course=ready.course, title="A", judges=judges, actor=admin)
        item = exercise.questions.first()
        errors = run_together(
            [
                lambda exercise=exercise, item=item: services.angoff_ratings_save(
                    exercise=exercise, judge=judges[0], ratings={item.pk: 50}),
                lambda exercise=exercise: services.angoff_exercise_close(exercise=exercise, actor=admin),
            ]
        )  # fmt: skip
        exercise.refresh_from_db()
        assert not exercise.is_open
        rating = AngoffRating.objects.filter(exercise=exercise).first()
        if errors:
            assert errors == [str(services.MSG_CLOSED)]
            assert rating is None
        else:
            assert rating.updated_at <= exercise.closed_at


def test_a_cancellation_racing_the_last_marks_leaves_one_outcome(postgres, transactional_db, instructor, examiner):
    admin = add_totp(AdministratorFactory())
    enrolment = build_eligible(instructor)
    assessment = held_today(schedule(enrolment, [examiner]))
    rubric = assessment.rubrics.get()
    errors = run_together(
        [
            lambda: practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner,
                                         points=full_marks(rubric), global_grade=3, comments="", submit=True),
            lambda: practical.assessment_cancel(assessment=assessment, reason="Fire alarm", actor=admin),
        ]
    )  # fmt: skip
    assessment.refresh_from_db()
    assert len(errors) == 1
    if assessment.status == Assessment.Status.CANCELLED:
        assert errors == [str(practical.MSG_CANCELLED)]
        assert assessment.passed is None
    else:
        assert assessment.status == Assessment.Status.COMPLETED
        assert errors[0].startswith("This assessment is no longer scheduled")
