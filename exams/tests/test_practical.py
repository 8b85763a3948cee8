import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, add_totp
from core.models import AuditEvent
from courses.tests.factories import CourseFactory, EnrolmentFactory
from exams.models import Assessment, Criterion, PracticalExam, RubricVersion, Station, StationScore
from exams.practical import selectors, standard_setting
from exams.practical import services as practical
from tests.support.practical import build_eligible, full_marks, held_today, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def eligible(instructor):
    return build_eligible(instructor)


def test_schedule_needs_written_pass_and_hands_on(eligible, examiner):
    eligible.attempts.all().delete()
    with pytest.raises(ValidationError) as error:
        schedule(eligible, [examiner])
    assert error.value.message_dict["enrolment"] == [practical.MSG_WRITTEN]


def test_an_examiner_who_signed_the_trainees_sessions_cannot_be_assigned(eligible, instructor, examiner):
    instructor.is_examiner = True
    instructor.save()
    with pytest.raises(ValidationError) as error:
        schedule(eligible, [instructor])
    assert error.value.message_dict["examiners"] == [
        f"{instructor.display_name} signed this trainee's hands-on sessions and cannot examine them."
    ]
    assert not Assessment.objects.exists()
    assessment = schedule(eligible, [examiner])
    assert list(assessment.rubrics.all()) == [selectors.current_rubric(Station.objects.get())]
    assert AuditEvent.objects.filter(action="practical.scheduled").count() == 1


def test_bad_scheduling_input(eligible, examiner):
    other = Station.objects.create(practical=PracticalExam.objects.create(course=CourseFactory()), title="Elsewhere")
    RubricVersion.objects.create(station=other, pass_mark=1)
    with pytest.raises(ValidationError) as error:
        schedule(eligible, [examiner, examiner, UserFactory(is_examiner=True)], stations=[other],
                 scheduled_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    assert set(error.value.message_dict) == {"examiners", "stations", "scheduled_at"}


def test_scoring_pass_rule_with_two_examiners(eligible, examiner):
    second = add_totp(UserFactory(is_trainee=False, is_examiner=True))
    assessment = held_today(schedule(eligible, [examiner, second]))
    rubric = assessment.rubrics.get()
    critical = rubric.criteria.get(critical=True)
    marks = full_marks(rubric)
    practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=marks, global_grade=3,
                         comments="Confident", submit=True)  # fmt: skip
    assessment.refresh_from_db()
    assert assessment.status == "scheduled"  # the second examiner has not submitted
    # The second examiner misses the critical criterion: the station fails however high the total.
    marks_missed = {**marks, str(critical.pk): 1}
    practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=second, points=marks_missed,
                         global_grade=2, comments="Landmarking uncertain", submit=True)  # fmt: skip
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    assert assessment.passed is False
    (outcome,) = selectors.assessment_outcomes(assessment)
    assert outcome.critical_missed == [critical.text]
    assert not selectors.practical_passed(enrolment=eligible)


def test_submitted_marks_are_final_and_bad_marks_refused(eligible, examiner):
    assessment = held_today(schedule(eligible, [examiner]))
    rubric = assessment.rubrics.get()
    first = rubric.criteria.first()
    with pytest.raises(ValidationError) as error:
        practical.score_save(
            assessment=assessment, rubric_id=rubric.pk, examiner=examiner,
            points={str(first.pk): first.points + 1}, global_grade=None, comments="", submit=False,
        )  # fmt: skip
    assert error.value.message_dict == {f"criterion_{first.pk}": [f"Enter between 0 and {first.points} points."]}
    with pytest.raises(ValidationError) as error:
        practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                             global_grade=None, comments="", submit=True)  # fmt: skip
    assert error.value.message_dict == {"global_grade": [practical.MSG_GLOBAL]}
    other_version = RubricVersion.objects.create(station=rubric.station, number=2, pass_mark=1)
    with pytest.raises(ValidationError) as error:
        practical.score_save(assessment=assessment, rubric_id=other_version.pk, examiner=examiner, points={},
                             global_grade=2, comments="", submit=True)  # fmt: skip
    assert error.value.messages == [practical.MSG_WRONG_RUBRIC]
    practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                         global_grade=4, comments="", submit=True)  # fmt: skip
    assert selectors.practical_passed(enrolment=eligible)
    with pytest.raises(ValidationError) as error:
        practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points={}, global_grade=0,
                             comments="", submit=True)  # fmt: skip
    assert error.value.messages == [practical.MSG_FINAL]


def test_borderline_regression_matches_a_hand_computation():
    # Grades x and totals y; least squares by hand: mean x = 2, mean y = 8,
    # Sxx = 4+1+0+1+4+0 = 10, Sxy = (-2)(-4)+(-1)(-2)+0+(1)(2)+(2)(4)+0 = 20 → slope 2, intercept 4;
    # at borderline (x = 1) the suggested pass mark is 6.
    rows = [(0, Decimal(4)), (1, Decimal(6)), (2, Decimal(8)), (3, Decimal(10)), (4, Decimal(12)), (2, Decimal(8))]
    regression = standard_setting.regression_from(rows)
    assert regression.slope == pytest.approx(2.0)
    assert regression.intercept == pytest.approx(4.0)
    assert regression.suggested_pass_mark == pytest.approx(6.0)
    assert standard_setting.regression_from(rows[:4]) is None  # too few results
    assert standard_setting.regression_from([(2, Decimal(1))] * 6) is None  # one grade only


def test_adopting_a_pass_mark_makes_a_new_version_and_keeps_scheduled_ones(eligible, examiner, administrator):
    assessment = schedule(eligible, [examiner])
    station = Station.objects.get()
    version = standard_setting.rubric_adopt_pass_mark(station=station, pass_mark=Decimal("3.5"), actor=administrator)
    assert version.number == 2
    assert version.criteria.count() == 3
    assert list(assessment.rubrics.values_list("number", flat=True)) == [1]


def test_examiner_pages_permissions_and_query_budget(client_for, eligible, examiner, django_assert_max_num_queries):
    assessment = schedule(eligible, [examiner])
    rubric = assessment.rubrics.get()
    url = reverse("exams:score_station", args=[assessment.pk, rubric.pk])
    other_examiner = add_totp(UserFactory(is_trainee=False, is_examiner=True))
    assert client_for(other_examiner).get(url).status_code == 404
    assert client_for(eligible.trainee).get(url).status_code == 403
    client = client_for(examiner)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    for i in range(30):
        Criterion.objects.create(rubric=rubric, position=10 + i, text=f"Extra {i}", points=1)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:examiner_dashboard")).status_code == 200


def test_trainee_sees_results_only_after_submission(client_for, eligible, examiner, other_trainee):
    assessment = held_today(schedule(eligible, [examiner]))
    rubric = assessment.rubrics.get()
    page_url = reverse("exams:practical", args=[eligible.course.code])
    practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                         global_grade=3, comments="Excellent landmarking", submit=False)  # fmt: skip
    page = client_for(eligible.trainee).get(page_url).content.decode()
    assert "Results appear here once the examiners have submitted their marks." in page
    assert "Excellent landmarking" not in page
    client_for(examiner).post(
        reverse("exams:score_station", args=[assessment.pk, rubric.pk]),
        {**{f"criterion_{k}": v for k, v in full_marks(rubric).items()}, "global_grade": "3",
         "comments": "Excellent landmarking", "action": "submit", "confirmed": "yes"},
    )  # fmt: skip
    assert StationScore.objects.get().status == "submitted"
    page = client_for(eligible.trainee).get(page_url).content.decode()
    assert "Excellent landmarking" in page
    assert "Passed" in page
    assert client_for(other_trainee).get(page_url).status_code == 404
    dashboard = client_for(eligible.trainee).get(reverse("accounts:trainee_dashboard")).content.decode()
    assert "Written and practical exams passed." in dashboard


def test_administrator_schedules_through_the_page_with_field_errors(
    client_for, administrator, eligible, examiner, instructor
):
    instructor.is_examiner = True
    instructor.save()
    url = reverse("exams:practical_admin", args=[eligible.course.code])
    client = client_for(administrator)
    station = Station.objects.get()
    when = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"enrolment": eligible.pk, "scheduled_at": when, "place": "Skills lab", "stations": [station.pk]}
    response = client.post(url, {**form, "examiners": [instructor.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["examiners"] == [
        f"{instructor.display_name} signed this trainee's hands-on sessions and cannot examine them."
    ]
    response = client.post(url, {**form, "examiners": [examiner.pk]})
    assert response.status_code == 302
    assert Assessment.objects.get().examiners.get() == examiner


def test_standard_setting_page_draws_the_scatter_and_adopts(client_for, administrator, eligible):
    station = Station.objects.get()
    rubric = selectors.current_rubric(station)
    for grade, total in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (2, 3)]:
        examiner = UserFactory(is_trainee=False, is_examiner=True)
        assessment = Assessment.objects.create(
            enrolment=EnrolmentFactory(course=eligible.course), number=1, scheduled_at=timezone.now(), place="Lab"
        )
        StationScore.objects.create(assessment=assessment, rubric=rubric, examiner=examiner, total=total,
                                    global_grade=grade, status="submitted", submitted_at=timezone.now())  # fmt: skip
    url = reverse("exams:standard_setting", args=[station.pk])
    page = client_for(administrator).get(url).content.decode()
    assert "<svg" in page
    assert page.count('fill-opacity=".45"') == 6  # one dot per result
    assert "<strong>2.0</strong>" in page  # intercept 1, slope 1 → 2 at borderline
    response = client_for(administrator).post(url, {"pass_mark": "2.00"})
    assert response.status_code == 302
    assert selectors.current_rubric(station).pass_mark == Decimal("2.00")


def test_submitted_marks_cannot_change_through_the_view_or_the_admin(client_for, eligible, examiner, administrator):
    assessment = held_today(schedule(eligible, [examiner]))
    rubric = assessment.rubrics.get()
    url = reverse("exams:score_station", args=[assessment.pk, rubric.pk])
    marks = {f"criterion_{k}": v for k, v in full_marks(rubric).items()}
    client_for(examiner).post(
        url, {**marks, "global_grade": "3", "comments": "final", "action": "submit", "confirmed": "yes"}
    )
    score = StationScore.objects.get()
    response = client_for(examiner).post(
        url, {**marks, "global_grade": "0", "comments": "changed", "action": "submit", "confirmed": "yes"}
    )
    assert "Your marks are submitted and final" in response.content.decode()
    admin_url = f"/admin/exams/stationscore/{score.pk}/change/"
    assert client_for(administrator).post(admin_url, {"comments": "changed"}).status_code == 403
    score.refresh_from_db()
    assert (score.global_grade, score.comments) == (3, "final")


def test_examiner_list_costs_the_same_for_few_and_many_assessments(
    client_for, eligible, examiner, django_assert_max_num_queries
):
    rubric = selectors.current_rubric(Station.objects.get())

    def assign(count):
        for _ in range(count):
            assessment = Assessment.objects.create(
                enrolment=EnrolmentFactory(course=eligible.course), number=1, scheduled_at=timezone.now(), place="Lab"
            )
            assessment.rubrics.set([rubric])
            assessment.examiners.set([examiner])

    client = client_for(examiner)
    assign(3)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("accounts:examiner_dashboard")).content.decode()
    assign(27)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("accounts:examiner_dashboard")).content.decode()
    assert page.count("/examine/assessments/") == 30


def test_standard_setting_for_a_station_without_a_rubric_says_so(client_for, administrator, eligible):
    bare = Station.objects.create(practical=PracticalExam.objects.get(), title="New station", position=9)
    response = client_for(administrator).get(reverse("exams:standard_setting", args=[bare.pk]), follow=True)
    assert response.status_code == 200
    assert "New station has no rubric yet: add a rubric version in the Django admin." in response.content.decode()


def test_final_marks_are_asked_for_first_with_the_total(client_for, eligible, examiner):
    """Without scripts, "Submit final marks" answers with a page that states the total and
    the grade; nothing is final until the examiner says yes there."""
    assessment = held_today(schedule(eligible, [examiner]))
    rubric = assessment.rubrics.get()
    marks = full_marks(rubric)
    url = reverse("exams:score_station", args=[assessment.pk, rubric.pk])
    posted = {**{f"criterion_{k}": v for k, v in marks.items()}, "global_grade": "3", "action": "submit"}
    asked = client_for(examiner).post(url, posted)
    assert asked.status_code == 200
    page = asked.content.decode()
    total = sum(int(v) for v in marks.values())
    assert f"{total} of {total} points" in page
    assert "Submitted marks cannot be changed" in page
    assert not StationScore.objects.filter(status="submitted").exists()
    client_for(examiner).post(url, {**posted, "confirmed": "yes"})
    assert StationScore.objects.get().status == "submitted"
