"""With JavaScript: a judge's Angoff rating is saved as it is typed, on a tablet; the
station form's running total and unscored criteria follow the ticks."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from accounts.tests.factories import TOTP_SECRET, AdministratorFactory, UserFactory, add_totp
from exams.models import AngoffRating
from exams.standards import services
from tests.support.practical import build_eligible, schedule
from tests.support.written import theory_done

pytestmark = pytest.mark.browser


def sign_in_with_code(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code", exact=True).fill(format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()


def test_a_judge_rating_is_saved_as_it_is_typed(page):
    course = theory_done().course
    judge = add_totp(UserFactory(email="judge@example.com", is_trainee=False, is_examiner=True))
    other = UserFactory(is_trainee=False, is_examiner=True)
    exercise = services.angoff_exercise_open(
        course=course, title="Angoff spring", judges=[judge, other], actor=add_totp(AdministratorFactory())
    )
    first = exercise.questions.order_by("ref").first()
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in_with_code(page, judge.email)
    page.get_by_role("link", name="Angoff spring").click()
    field = page.locator(f"#rating-{first.pk}")
    field.fill("62.5")
    field.press("Tab")
    expect(page.locator(".angoff-item", has=field).get_by_text("Saved")).to_be_visible()
    assert str(AngoffRating.objects.get(exercise=exercise, judge=judge, question=first).percent) == "62.50"
    # a value out of range is refused where it was typed
    field.fill("140")
    field.press("Tab")
    expect(page.locator(".angoff-item", has=field).get_by_text("Enter a percentage between 0 and 100.")).to_be_visible()
    assert str(AngoffRating.objects.get(exercise=exercise, judge=judge, question=first).percent) == "62.50"


def test_the_running_total_follows_the_ticks(page):
    instructor = UserFactory(is_trainee=False, is_instructor=True)
    enrolment = build_eligible(instructor)
    examiner = add_totp(UserFactory(email="examiner@example.com", is_trainee=False, is_examiner=True))
    assessment = schedule(enrolment, [examiner])
    rubric = assessment.rubrics.get()
    first, second, third = rubric.criteria.order_by("position")
    sign_in_with_code(page, examiner.email)
    page.goto(f"/examine/assessments/{assessment.pk}/stations/{rubric.pk}/")
    total = page.locator("[data-total]")
    expect(total).to_have_text("0")
    unscored = page.locator("ul.unscored")
    expect(unscored.get_by_text(first.text)).to_be_visible()
    page.locator("fieldset.criterion", has_text=first.text).get_by_label("2", exact=True).check()
    expect(total).to_have_text("2")
    expect(unscored.get_by_text(first.text)).to_be_hidden()
    expect(page.get_by_text("below the pass mark")).to_be_visible()
    page.locator("fieldset.criterion", has_text=second.text).get_by_label("2", exact=True).check()
    page.locator("fieldset.criterion", has_text=third.text).get_by_label("1", exact=True).check()
    expect(total).to_have_text("5")
    expect(page.get_by_text("reaches the pass mark")).to_be_visible()
    expect(page.get_by_text("Every criterion is scored.")).to_be_visible()
