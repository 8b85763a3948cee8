"""An examiner (signed in with TOTP) scores a station on a tablet-sized viewport and
submits; the trainee sees the result on the pathway."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from accounts.tests.factories import TOTP_SECRET, UserFactory, add_totp
from exams.models import Station
from exams.practical import selectors as practical
from tests.support.browser import sign_out

pytestmark = pytest.mark.browser


def sign_in(page, email, totp=False):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    if totp:
        page.get_by_label("Code", exact=True).fill(format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30)))
        page.get_by_role("button", name="Sign in").click()


def test_examiner_scores_on_a_tablet_and_the_trainee_sees_the_result(page):
    from tests.support.practical import build_eligible, held_today, schedule

    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    enrolment = build_eligible(instructor)
    examiner = add_totp(UserFactory(email="examiner@example.com", is_trainee=False, is_examiner=True))
    assessment = held_today(schedule(enrolment, [examiner]))  # the day of the assessment
    rubric = assessment.rubrics.get()

    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, examiner.email, totp=True)
    expect(page.get_by_role("heading", name="Examining")).to_be_visible()
    page.get_by_role("link", name=Station.objects.get().title).click()
    for criterion in rubric.criteria.all():
        group = page.locator("fieldset.criterion", has_text=criterion.text)
        group.get_by_label(str(criterion.points), exact=True).check()
    page.get_by_label("Good").check()
    page.get_by_label("Feedback for the candidate").fill("Precise landmarking and clear aftercare advice.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Submit final marks").click()
    expect(page.get_by_text("Marks submitted; they are final.")).to_be_visible()
    assert practical.practical_passed(enrolment=enrolment)
    sign_out(page)

    sign_in(page, enrolment.trainee.email)
    expect(page.get_by_text("Written and practical exams passed.")).to_be_visible()
    page.get_by_role("link", name="See my results").click()
    expect(page.get_by_text("Precise landmarking and clear aftercare advice.")).to_be_visible()
