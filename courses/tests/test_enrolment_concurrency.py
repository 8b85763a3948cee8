"""On PostgreSQL: 30 trainees race for the last 5 seats of a course, and 12 for the last place
of a run (the lock on the run row): exactly as many enrol as there were places."""

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses import services
from courses.models import Enrolment
from courses.tests.factories import CourseFactory, CourseRunFactory, EnrolmentFactory
from tests.support.concurrency import outcomes_together, run_together


def test_thirty_trainees_racing_for_five_seats(postgres, transactional_db):
    course = CourseFactory(capacity=10)
    EnrolmentFactory.create_batch(5, course=course)  # 5 seats left
    racers = []
    for _ in range(30):
        trainee = TraineeFactory()
        LicenceFactory(holder=trainee, verified=True)
        racers.append(trainee)
    outcomes = outcomes_together(
        [lambda t=t: services.enrolment_create(trainee=t, course=course) for t in racers], ok="enrolled"
    )

    assert outcomes.count("enrolled") == 5
    assert outcomes.count(services.MSG_COURSE_FULL) == 25
    assert Enrolment.objects.filter(course=course, status="active").count() == 10


def test_twelve_trainees_racing_for_the_last_place_of_a_run(postgres, transactional_db):
    run = CourseRunFactory(places=4)
    EnrolmentFactory.create_batch(3, course=run.course, run=run)  # the last place is left
    racers = []
    for _ in range(12):
        trainee = TraineeFactory()
        LicenceFactory(holder=trainee, verified=True)
        racers.append(trainee)

    errors = run_together(
        [lambda t=t: services.enrolment_create(trainee=t, course=run.course, run=run) for t in racers]
    )

    assert errors == [f"{run.title} is full."] * 11
    assert Enrolment.objects.filter(run=run, status="active").count() == 4
