"""On a phone, the instructor records an observed case by choosing its case type with
the keyboard; the trainee's dashboard then shows progress per case type."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory, InjectionSessionFactory
from tests.support.browser import sign_in, sign_out

pytestmark = pytest.mark.browser


def test_an_observed_case_recorded_on_a_phone_moves_the_observed_count(page):
    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(
        instructors=[instructor], handson_min_sessions=2, handson_type_minimums={"observed": 2, "supervised": 2},
        handson_area_minimums={}, handson_recent_competent=0,
    )  # fmt: skip
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    InjectionSessionFactory(enrolment=enrolment, instructor=instructor, signed=True, case_type="supervised")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, instructor.email)
    page.goto(f"/teach/courses/{course.code}/roster/")
    expect(page.get_by_role("progressbar", name="Observed")).to_have_attribute("aria-valuenow", "0")
    page.get_by_role("link", name="Record a session").click()
    supervised = page.get_by_role("radio", name="Supervised: the trainee treated the model with you at their side.")
    expect(supervised).to_be_checked()
    supervised.focus()
    page.keyboard.press("ArrowUp")  # radios move with the arrow keys
    expect(
        page.get_by_role("radio", name="Observed: the trainee watched you or a mentor treat the model.")
    ).to_be_checked()

    page.get_by_label("Clinic").fill("Riverside Clinic")
    page.get_by_label("Model code").fill("M-0147")
    page.get_by_label("Written consent obtained from the model").check()
    page.get_by_label("Lot number").fill("C1234A")
    page.get_by_label("Lot expiry date").fill(
        timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    )
    page.get_by_label("Date").first.fill(timezone.localdate().isoformat())
    for code in (
        "procerus",
        "corrugator_medial_r",
        "corrugator_medial_l",
        "corrugator_lateral_r",
        "corrugator_lateral_l",
    ):
        page.locator(f'input[name="units_{code}"]').fill("4")  # the on-label glabellar dose
    for radio in page.get_by_label("Not observed").all():
        radio.check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Session saved as a draft.")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("Case typeObserved")
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_text("Session signed. It is now locked.")).to_be_visible()
    assert InjectionSession.objects.get(status="signed", model_code="M-0147").case_type == "observed"
    sign_out(page)

    sign_in(page, trainee.email)
    page.goto(reverse("accounts:trainee_dashboard"))
    handson = page.locator("li.stage", has_text="Hands-on training")
    expect(handson).to_contain_text("Observed 1 of 2 · Supervised 1 of 2.")
    expect(handson.get_by_role("progressbar", name="Observed")).to_have_attribute("aria-valuenow", "1")
    expect(handson.get_by_role("progressbar", name="Supervised")).to_have_attribute("aria-valuenow", "1")
