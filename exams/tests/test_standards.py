"""Written standard setting: modified Angoff and the Hofstee check, checked against hand
computations; who sees what; adopting a pass mark (versioned, audited, future attempts only)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory, add_totp
from core.models import AuditEvent
from courses.models import LessonCompletion
from courses.tests.factories import EnrolmentFactory
from exams.models import AngoffRating, ExamSettings, PassMarkVersion
from exams.services import attempts as attempt_services
from exams.standards import angoff, selectors, services
from exams.tests.factories import AttemptFactory, QuestionFactory

pytestmark = pytest.mark.django_db

# A worked example, by hand. Three judges, four items, estimates in percent:
#            item 1  item 2  item 3  item 4   sum     judge's cut (sum / 4)
#   judge 1   62.5    70      50      80      262.5   65.625
#   judge 2   55      65      45      75      240     60.000
#   judge 3   70      80      20      90      260     65.000
# Panel cut = (65.625 + 60 + 65) / 3 = 190.625 / 3 = 63.541(6) → 63.542
# Sample SD: deviations +2.0833, −3.5417, +1.4583; squares 4.3403 + 12.5434 + 2.1267
# = 19.0104; / 2 = 9.5052; √ = 3.083.  Lowest 60.000, highest 65.625.
# Widest disagreement: item 3 (20–50, range 30); items 1, 2 and 4 each span 15.
RATINGS = [[62.5, 70, 50, 80], [55, 65, 45, 75], [70, 80, 20, 90]]


def judges(n=3):
    return [add_totp(UserFactory(is_trainee=False, is_examiner=True)) for _ in range(n)]


@pytest.fixture
def course(ready):
    return ready.course


@pytest.fixture
def panel(course, administrator):
    """An exercise over the course's four items with three examiner judges."""
    people = judges()
    exercise = services.angoff_exercise_open(course=course, title="Angoff 2026", judges=people, actor=administrator)
    return exercise, people


def items_of(exercise):
    return list(exercise.questions.order_by("ref"))


def rate_all(exercise, people, table=RATINGS):
    items = items_of(exercise)
    for judge, row in zip(people, table, strict=True):
        services.angoff_ratings_save(
            exercise=exercise, judge=judge, ratings={q.pk: v for q, v in zip(items, row, strict=True)}
        )


def test_angoff_cut_matches_the_hand_computation(panel, administrator):
    exercise, people = panel
    rate_all(exercise, people)
    services.angoff_exercise_close(exercise=exercise, actor=administrator)
    items = items_of(exercise)
    result = selectors.exercise_result(exercise, items).angoff
    assert result.judges == 3
    assert round(result.cut, 3) == 63.542
    assert round(result.sd, 3) == 3.083
    assert (round(result.low, 3), round(result.high, 3)) == (60.000, 65.625)
    assert [round(result.judge_cuts[j.pk], 3) for j in people] == [65.625, 60.000, 65.000]
    assert result.widest[0].question_id == items[2].pk
    assert (result.widest[0].low, result.widest[0].high) == (20, 50)


def test_a_judge_who_left_items_unrated_is_not_counted(panel):
    exercise, people = panel
    rate_all(exercise, people[:2], RATINGS[:2])
    first = items_of(exercise)[0]
    services.angoff_ratings_save(exercise=exercise, judge=people[2], ratings={first.pk: 99})
    result = selectors.exercise_result(exercise, items_of(exercise)).angoff
    assert result.judges == 2
    assert round(result.cut, 3) == round((65.625 + 60) / 2, 3)


# Hofstee, by hand. Ten candidates' first attempts: 40 50 55 60 62 65 70 75 80 90 (%).
# Judges' bounds (min cut, max cut, min fail, max fail): A 48 68 4 44, B 52 72 6 46;
# means 50, 70, 5, 45. The line runs from (50, 45) to (70, 5): fail = 45 − 2 (c − 50).
# Between 55 and 60 three candidates (40, 50, 55) fail: 30 %. The line is at 30 % when
# 2 (c − 50) = 15, c = 57.5, inside (55, 60]: the compromise is 57.5 %, failing 30 %.
SCORES = [40, 50, 55, 60, 62, 65, 70, 75, 80, 90]


def test_hofstee_intersection_on_a_constructed_distribution(course, panel):
    exercise, people = panel
    for score in SCORES:
        AttemptFactory(enrolment=EnrolmentFactory(course=course), passing=True, percent=Decimal(score))
    # A repeat attempt does not count twice.
    AttemptFactory(enrolment=EnrolmentFactory(course=course), passing=True, number=2, percent=Decimal(10))
    services.hofstee_save(exercise=exercise, judge=people[0], min_cut=48, max_cut=68, min_fail=4, max_fail=44)
    services.hofstee_save(exercise=exercise, judge=people[1], min_cut=52, max_cut=72, min_fail=6, max_fail=46)
    hofstee = selectors.exercise_result(exercise, items_of(exercise)).hofstee
    assert (hofstee.min_cut, hofstee.max_cut, hofstee.min_fail, hofstee.max_fail) == (50, 70, 5, 45)
    assert hofstee.candidates == 10
    assert round(hofstee.cut, 3) == 57.5
    assert round(hofstee.fail_rate, 3) == 30.0


def test_hofstee_crossing_at_a_jump_lands_on_the_score():
    # Line 45 − 2 (c − 50) from the same bounds; with scores 40 50 and eight at 58, F is
    # 20 % up to 58 and 100 % above: the line (29 % at 58) is crossed at the jump, 58.
    result = angoff.hofstee_compute(bounds=[(50, 70, 5, 45)], scores=[40, 50] + [58] * 8)
    assert result.cut == 58
    assert result.fail_rate == 20


def test_hofstee_without_a_crossing_says_so():
    # Everyone scores 95: nobody fails at any cut up to 70, the line never comes down to 0.
    result = angoff.hofstee_compute(bounds=[(50, 70, 5, 45)], scores=[95] * 10)
    assert result.cut is None


def test_ratings_are_private_until_the_exercise_closes(panel, client_for, administrator):
    exercise, people = panel
    rate_all(exercise, people)
    url = reverse("exams:angoff", args=[exercise.pk])
    # given a judge on the open exercise: their own ratings only
    page = client_for(people[1]).get(url).content.decode()
    assert 'value="55"' in page
    assert 'value="62.5"' not in page
    assert "63.54" not in page
    # the administrator sees progress, not values or the result
    page = client_for(administrator).get(url).content.decode()
    assert "4 of 4 items rated" in page
    assert "62.5" not in page
    assert "Angoff cut score" not in page
    # someone who is not a judge: 404; a trainee: 403
    assert client_for(judges(1)[0]).get(url).status_code == 404
    assert client_for(TraineeFactory()).get(url).status_code == 403
    # a judge cannot post into another exercise
    other = services.angoff_exercise_open(course=exercise.course, title="Other", judges=judges(2), actor=administrator)
    item = items_of(other)[0]
    response = client_for(people[0]).post(reverse("exams:angoff", args=[other.pk]), {f"rating_{item.pk}": "50"})
    assert response.status_code == 404
    assert not AngoffRating.objects.filter(exercise=other).exists()
    # when it closes, judges see the result
    client_for(administrator).post(reverse("exams:angoff_close", args=[exercise.pk]), {"confirm": "on"})
    page = client_for(people[1]).get(url).content.decode()
    assert "63.54%" in page


def test_closing_needs_the_confirmation(panel, client_for, administrator):
    exercise, _people = panel
    client_for(administrator).post(reverse("exams:angoff_close", args=[exercise.pk]), {})
    exercise.refresh_from_db()
    assert exercise.is_open
    client_for(administrator).post(reverse("exams:angoff_close", args=[exercise.pk]), {"confirm": "on"})
    exercise.refresh_from_db()
    assert not exercise.is_open
    assert AuditEvent.objects.filter(action="exams.angoff_closed").count() == 1


def test_bad_rating_is_shown_at_the_item_and_nothing_typed_is_lost(panel, client_for):
    exercise, people = panel
    first, second, *_rest = items_of(exercise)
    url = reverse("exams:angoff", args=[exercise.pk])
    response = client_for(people[0]).post(url, {f"rating_{first.pk}": "150", f"rating_{second.pk}": "42"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a percentage between 0 and 100." in page
    assert 'value="150"' in page
    assert 'value="42"' in page
    assert not AngoffRating.objects.exists()  # all or nothing
    # the autosave (JSON) says why
    response = client_for(people[0]).post(url, {f"rating_{first.pk}": "abc"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Enter a percentage between 0 and 100."
    response = client_for(people[0]).post(url, {f"rating_{first.pk}": "72,5"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"ok": True, "saved": 1}
    assert AngoffRating.objects.get().percent == Decimal("72.50")


def test_no_rating_after_the_exercise_closes(panel, administrator):
    exercise, people = panel
    services.angoff_exercise_close(exercise=exercise, actor=administrator)
    with pytest.raises(ValidationError) as error:
        services.angoff_ratings_save(exercise=exercise, judge=people[0], ratings={items_of(exercise)[0].pk: 50})
    assert error.value.messages == [services.MSG_CLOSED]


def test_hofstee_bounds_must_be_in_order(panel, client_for):
    exercise, people = panel
    response = client_for(people[0]).post(
        reverse("exams:angoff_hofstee", args=[exercise.pk]),
        {"min_cut": "70", "max_cut": "60", "min_fail": "5", "max_fail": "40"},
    )
    assert response.status_code == 400
    assert "The lowest acceptable pass mark must be below the highest." in response.content.decode()


def test_adopting_sets_the_pass_mark_for_future_attempts_only(panel, ready, client_for, administrator):
    exercise, people = panel
    rate_all(exercise, people)
    services.angoff_exercise_close(exercise=exercise, actor=administrator)
    started = attempt_services.attempt_start(trainee=ready.trainee, enrolment=ready)
    assert started.pass_mark_percent == 50
    client = client_for(administrator)
    page = client.get(reverse("exams:angoff", args=[exercise.pk])).content.decode()
    assert 'name="pass_mark_percent" value="64"' in page  # the cut 63.54 rounded
    form = {"pass_mark_percent": "64", "reason": "Panel of 3, June 2026", "based_on": "0", "confirm": "on"}
    response = client.post(reverse("exams:angoff_adopt", args=[exercise.pk]), form)
    assert response.status_code == 302
    assert ExamSettings.objects.get(course=exercise.course).pass_mark_percent == 64
    version = PassMarkVersion.objects.get()
    assert (version.number, version.previous_percent, version.pass_mark_percent) == (1, 50, 64)
    assert version.cut_score == Decimal("63.542")
    assert version.actor == administrator
    assert version.reason == "Panel of 3, June 2026"
    assert AuditEvent.objects.filter(action="exams.pass_mark_adopted").count() == 1
    started.refresh_from_db()
    assert started.pass_mark_percent == 50  # the attempt keeps the pass mark it started under
    # The same page posted again adopts nothing.
    response = client.post(reverse("exams:angoff_adopt", args=[exercise.pk]), {**form, "pass_mark_percent": "66"})
    assert PassMarkVersion.objects.count() == 1
    assert ExamSettings.objects.get(course=exercise.course).pass_mark_percent == 64
    history = client.get(reverse("exams:standards", args=[exercise.course.code])).content.decode()
    assert "50% → <strong>64%</strong>" in history
    assert "Panel of 3, June 2026" in history


def test_adopting_needs_a_reason_and_a_closed_exercise(panel, administrator, client_for):
    exercise, _people = panel
    with pytest.raises(ValidationError) as error:
        services.written_pass_mark_adopt(course=exercise.course, percent=65, reason=" ", actor=administrator,
                                         exercise=exercise)  # fmt: skip
    assert error.value.message_dict["reason"] == [services.MSG_REASON]
    assert error.value.message_dict["__all__"] == [services.MSG_OPEN_EXERCISE]
    response = client_for(administrator).post(
        reverse("exams:angoff_adopt", args=[exercise.pk]), {"pass_mark_percent": "0", "reason": "x", "confirm": "on"}
    )
    assert response.status_code == 400
    assert not PassMarkVersion.objects.exists()


def test_opening_needs_two_judges_who_are_examiners_or_administrators(course, administrator, client_for):
    response = client_for(administrator).post(
        reverse("exams:standards", args=[course.code]), {"title": "Angoff", "judges": [judges(1)[0].pk]}
    )
    assert response.status_code == 200
    assert "Choose at least two judges." in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.angoff_exercise_open(course=course, title="A", judges=[judges(1)[0], TraineeFactory()],
                                      actor=administrator)  # fmt: skip
    assert "is neither an examiner nor an administrator" in error.value.message_dict["judges"][0]


def test_exercise_pages_cost_the_same_however_many_items(course, administrator, client_for):
    def measure(extra):
        QuestionFactory.create_batch(extra, course=course)
        people = judges()
        exercise = services.angoff_exercise_open(course=course, title="A", judges=people, actor=administrator)
        items = items_of(exercise)
        rate_all(exercise, people, [[50] * len(items)] * 3)
        counts = []
        for user, close in ((people[0], False), (administrator, False), (administrator, True)):
            if close:
                services.angoff_exercise_close(exercise=exercise, actor=administrator)
            client = client_for(user)
            client.get(reverse("exams:angoff", args=[exercise.pk]))  # warm the session
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("exams:angoff", args=[exercise.pk])).status_code == 200
            counts.append(len(queries))
        return counts

    assert measure(0) == measure(12)


def test_the_pass_mark_moves_forward_only_for_new_attempts(ready, administrator):
    # given an attempt started under 50 % ...
    started = attempt_services.attempt_start(trainee=ready.trainee, enrolment=ready)
    services.written_pass_mark_adopt(course=ready.course, percent=80, reason="Board decision", actor=administrator)
    # ... when another trainee starts after the change
    other = EnrolmentFactory(course=ready.course, trainee=TraineeFactory())
    LicenceFactory(holder=other.trainee, verified=True)
    for lesson in ready.course.modules.first().lessons.all():
        LessonCompletion.objects.create(enrolment=other, lesson=lesson)
    later = attempt_services.attempt_start(trainee=other.trainee, enrolment=other)
    assert (started.pass_mark_percent, later.pass_mark_percent) == (50, 80)


def test_standards_page_costs_the_same_however_many_exercises(course, administrator, client_for):
    client = client_for(administrator)
    url = reverse("exams:standards", args=[course.code])

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.angoff_exercise_open(course=course, title="One", judges=judges(2), actor=administrator)
    services.written_pass_mark_adopt(course=course, percent=60, reason="First", actor=administrator)
    small = measure()
    for index in range(4):
        services.angoff_exercise_open(course=course, title=f"More {index}", judges=judges(2), actor=administrator)
        services.written_pass_mark_adopt(course=course, percent=61 + index, reason="Again", actor=administrator)
    assert measure() == small
