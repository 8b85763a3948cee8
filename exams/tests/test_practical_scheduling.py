"""Practical scheduling as administrators and examiners meet it: who can be scheduled,
moving and cancelling an assessment, the examiner's list, the station form's running
total and the way on to the next station."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import LicenceFactory, TraineeFactory
from core.models import AuditEvent
from courses.tests.factories import EnrolmentFactory
from exams.models import Assessment, StationScore
from exams.practical import selectors
from exams.practical import services as practical
from exams.tests.factories import AttemptFactory, PracticalExamFactory
from tests.support.handson import record
from tests.support.practical import build_eligible, full_marks, held_today, make_station, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def eligible(instructor):
    return build_eligible(instructor)


def another_eligible(course, instructor, name):
    trainee = TraineeFactory(legal_name=name)
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    record(enrolment, instructor)
    AttemptFactory(enrolment=enrolment, passing=True)
    return enrolment


def schedule_choices(client, course):
    page = client.get(reverse("exams:practical_admin", args=[course.code])).content.decode()
    return page.split('name="enrolment"')[1].split("</select>")[0]


def test_schedule_form_lists_only_eligible_candidates_with_nothing_pending(
    eligible, instructor, examiner, administrator, client_for
):
    course = eligible.course
    ready = another_eligible(course, instructor, "Rae Ready")
    no_written = EnrolmentFactory(course=course, trainee=TraineeFactory(legal_name="Nora Nowritten"))
    LicenceFactory(holder=no_written.trainee, verified=True)
    record(no_written, instructor)
    schedule(eligible, [examiner])  # now pending
    client = client_for(administrator)
    choices = schedule_choices(client, course)
    assert "Rae Ready" in choices
    assert eligible.trainee.display_name not in choices
    assert "Nora Nowritten" not in choices
    assert ready.trainee.display_name in choices


def test_the_schedulable_list_costs_the_same_however_many_trainees(eligible, instructor):
    course = eligible.course

    def queries():
        with CaptureQueriesContext(connection) as captured:
            found = list(selectors.enrolments_schedulable(course))
        return len(captured), len(found)

    small = queries()
    for index in range(4):
        another_eligible(course, instructor, f"Extra {index}")
    large = queries()
    assert (small[1], large[1]) == (1, 5)
    assert small[0] == large[0]


def test_reschedule_moves_it_audits_and_emails_candidate_and_examiners(
    eligible, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    assessment = schedule(eligible, [examiner])
    mail.outbox.clear()
    url = reverse("exams:assessment_manage", args=[assessment.pk])
    when = timezone.localtime() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            url, {"action": "reschedule", "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "Lab 4",
                  "reason": "The skills lab is closed for maintenance."},
        )  # fmt: skip
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert timezone.localtime(assessment.scheduled_at).strftime("%Y-%m-%d %H:%M") == when.strftime("%Y-%m-%d %H:%M")
    assert assessment.place == "Lab 4"
    assert AuditEvent.objects.filter(action="practical.rescheduled").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([eligible.trainee.email, examiner.email])
    assert all("The skills lab is closed for maintenance." in m.body for m in mail.outbox)


def test_reschedule_into_the_past_is_refused_at_the_field(eligible, examiner, administrator, client_for):
    assessment = schedule(eligible, [examiner])
    before = assessment.scheduled_at
    response = client_for(administrator).post(
        reverse("exams:assessment_manage", args=[assessment.pk]),
        {"action": "reschedule", "scheduled_at": "2020-01-01T10:00", "place": "Lab", "reason": "x"},
    )
    assert response.status_code == 400
    assert str(practical.MSG_PAST) in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.scheduled_at == before


def test_cancel_needs_confirmation_and_a_reason_then_frees_the_candidate(
    eligible, examiner, administrator, client_for, django_capture_on_commit_callbacks
):
    assessment = schedule(eligible, [examiner])
    client = client_for(administrator)
    url = reverse("exams:assessment_manage", args=[assessment.pk])
    # no confirmation: nothing happens
    response = client.post(url, {"action": "cancel", "cancel-reason": "Candidate unwell"})
    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCHEDULED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "cancel", "cancel-reason": "Candidate unwell", "cancel-confirm": "on"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CANCELLED
    assert assessment.cancel_reason == "Candidate unwell"
    assert AuditEvent.objects.filter(action="practical.cancelled").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([eligible.trainee.email, examiner.email])
    # it used no attempt: the candidate is schedulable again and can be scheduled
    assert practical.practical_blockers(enrolment=eligible) == []
    assert eligible.trainee.display_name in schedule_choices(client, eligible.course)
    schedule(eligible, [examiner])
    # the examiner no longer sees the cancelled one, nor can score it
    examiner_client = client_for(examiner)
    rubric = assessment.rubrics.get()
    assert examiner_client.get(reverse("exams:score_station", args=[assessment.pk, rubric.pk])).status_code == 404


def test_a_completed_assessment_cannot_be_moved_or_cancelled(eligible, examiner, administrator):
    assessment = held_today(schedule(eligible, [examiner]))
    rubric = assessment.rubrics.get()
    practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                         global_grade=3, comments="", submit=True)  # fmt: skip
    with pytest.raises(practical.ValidationError) as error:
        practical.assessment_cancel(assessment=assessment, reason="late", actor=administrator)
    assert error.value.messages == ["This assessment is no longer scheduled (Completed): nothing was changed."]


def test_the_examiners_list_is_in_date_order_with_completed_ones_apart(instructor, examiner, client_for):
    people = []
    for days, name in ((9, "Later Lee"), (2, "Soon Sam"), (5, "Middle Mo")):
        enrolment = build_eligible(instructor)
        enrolment.trainee.legal_name = name
        enrolment.trainee.save()
        people.append(schedule(enrolment, [examiner], scheduled_at=timezone.now() + datetime.timedelta(days=days)))
    done = held_today(schedule(build_eligible(instructor), [examiner]))
    rubric = done.rubrics.get()
    practical.score_save(assessment=done, rubric_id=rubric.pk, examiner=examiner, points=full_marks(rubric),
                         global_grade=3, comments="", submit=True)  # fmt: skip
    page = client_for(examiner).get(reverse("accounts:examiner_dashboard")).content.decode()
    to_examine, completed = page.split("<h2>Completed</h2>")
    assert to_examine.index("Soon Sam") < to_examine.index("Middle Mo") < to_examine.index("Later Lee")
    assert done.enrolment.trainee.display_name in completed
    assert done.enrolment.trainee.display_name not in to_examine


def test_station_form_shows_the_running_total_and_what_is_unscored(eligible, examiner, client_for):
    assessment = schedule(eligible, [examiner])
    rubric = assessment.rubrics.get()
    first, second, third = rubric.criteria.order_by("position")
    client = client_for(examiner)
    url = reverse("exams:score_station", args=[assessment.pk, rubric.pk])
    page = client.get(url).content.decode()
    assert "<span data-total>0</span> / 5" in page
    for criterion in (first, second, third):
        assert criterion.text in page.split("Still to score:")[1].split("</ul>")[0]
    # a draft with two criteria scored (2 + 1): the page, without JavaScript, says so
    client.post(url, {f"criterion_{first.pk}": "2", f"criterion_{second.pk}": "1", "action": "draft"})
    page = client.get(url).content.decode()
    assert "<span data-total>3</span> / 5" in page
    unscored = page.split("Still to score:")[1].split("</ul>")[0]
    assert third.text in unscored
    assert first.text not in unscored
    assert second.text not in unscored


def test_submitting_a_station_goes_on_to_the_next_one(eligible, examiner, client_for):
    exam = PracticalExamFactory._meta.model.objects.get(course=eligible.course)
    make_station(exam, title="Complication scenario")
    assessment = held_today(schedule(eligible, [examiner]))
    first, second = assessment.rubrics.order_by("station__position")
    client = client_for(examiner)
    marks = {f"criterion_{k}": v for k, v in full_marks(first).items()}
    response = client.post(reverse("exams:score_station", args=[assessment.pk, first.pk]),
                           {**marks, "global_grade": "3", "action": "submit", "confirmed": "yes"})  # fmt: skip
    assert response["Location"] == reverse("exams:score_station", args=[assessment.pk, second.pk])
    marks = {f"criterion_{k}": v for k, v in full_marks(second).items()}
    response = client.post(reverse("exams:score_station", args=[assessment.pk, second.pk]),
                           {**marks, "global_grade": "3", "action": "submit", "confirmed": "yes"})  # fmt: skip
    assert response["Location"] == reverse("accounts:examiner_dashboard")
    assert StationScore.objects.filter(status="submitted").count() == 2
