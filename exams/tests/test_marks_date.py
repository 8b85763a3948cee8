"""Issue 16: an examiner's final practical marks are accepted only from the scheduled
day of the assessment; drafts at any time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from exams.models import Assessment, StationScore
from exams.practical import services as practical
from tests.support.practical import build_eligible, full_marks, held_today, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(instructor, examiner):
    """An assessment three days on (tests.support.practical.schedule)."""
    return schedule(build_eligible(instructor), [examiner])


def too_early(assessment) -> str:
    day = date_format(timezone.localdate(assessment.scheduled_at), "j F Y")
    return f"Final marks can be submitted from the day of the assessment, {day}. Until then, save them as a draft."


def save(assessment, examiner, *, submit):
    rubric = assessment.rubrics.get()
    return practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner,
                                points=full_marks(rubric), global_grade=3, comments="Ready", submit=submit)  # fmt: skip


def test_final_marks_before_the_scheduled_day_are_refused_and_a_draft_is_kept(assessment, examiner):
    draft = save(assessment, examiner, submit=False)
    assert draft.status == StationScore.Status.DRAFT
    with pytest.raises(ValidationError) as error:
        save(assessment, examiner, submit=True)
    assert error.value.message_dict == {"__all__": [too_early(assessment)]}
    score = StationScore.objects.get()
    assert score.status == StationScore.Status.DRAFT
    assert score.points == {k: str(v) for k, v in full_marks(assessment.rubrics.get()).items()}
    assert Assessment.objects.get().status == "scheduled"


def test_final_marks_are_accepted_on_the_scheduled_day_even_before_the_hour(assessment, examiner):
    # Later the same day: final marks are accepted from the day's start.
    later_today = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=later_today)
    assessment.refresh_from_db()
    assert save(assessment, examiner, submit=True).status == StationScore.Status.SUBMITTED


def test_the_day_after_is_refused_the_day_itself_accepted(assessment, examiner):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=tomorrow)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError):
        save(assessment, examiner, submit=True)
    assert save(held_today(assessment), examiner, submit=True).status == StationScore.Status.SUBMITTED


def test_the_score_page_says_when_marks_can_be_submitted_and_keeps_them(client_for, assessment, examiner):
    rubric = assessment.rubrics.get()
    url = reverse("exams:score_station", args=[assessment.pk, rubric.pk])
    marks = {f"criterion_{k}": v for k, v in full_marks(rubric).items()}
    client = client_for(examiner)
    response = client.post(
        url, {**marks, "global_grade": "3", "comments": "Steady hands", "action": "submit", "confirmed": "yes"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert too_early(assessment) in page
    assert "Steady hands" in page  # what was typed is still on the form
    assert not StationScore.objects.filter(status=StationScore.Status.SUBMITTED).exists()
    # A draft saves.
    response = client.post(url, {**marks, "global_grade": "3", "comments": "Steady hands", "action": "draft"})
    assert response.status_code == 302
    assert StationScore.objects.get().comments == "Steady hands"
