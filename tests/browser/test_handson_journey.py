"""An instructor records a session by clicking sites on the face chart, sees the dose
warning on an over-dosed area, signs; the trainee sees the session, the chart and the
requirement progress move."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.browser import sign_in, sign_out

pytestmark = pytest.mark.browser


def test_instructor_records_on_the_chart_and_trainee_sees_progress(page):
    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=2, handson_area_minimums={"glabella": 1})
    EnrolmentFactory(trainee=trainee, course=course)

    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet in a clinic
    sign_in(page, instructor.email)
    page.goto(f"/teach/courses/{course.code}/roster/")
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("Clinic").fill("Riverside Clinic")
    page.get_by_label("Model code").fill("M-0147")
    page.get_by_label("Written consent obtained from the model").check()
    page.get_by_label("Lot number").fill("C1234A")
    page.get_by_label("Lot expiry date").fill(
        timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    )
    page.get_by_label("Date").first.fill(timezone.localdate().isoformat())

    # Tap the five glabellar sites on the chart; each takes its reference dose.
    for code in (
        "procerus",
        "corrugator_medial_r",
        "corrugator_medial_l",
        "corrugator_lateral_r",
        "corrugator_lateral_l",
    ):
        page.locator(f'svg [data-site="{code}"]').click()
    expect(page.locator('input[name="units_procerus"]')).to_have_value("4")
    # Over-dose the procerus: the area total and a warning update live.
    page.locator('input[name="units_procerus"]').fill("14")
    expect(
        page.get_by_text("Glabellar lines: 30 U given; the on-label dose is 20 U over 5 sites.").first
    ).to_be_visible()

    for radio in page.get_by_label("Competent unsupervised").all():
        radio.check()
    page.get_by_role("button", name="Save draft").click()
    # The server asks for the warning to be acknowledged before saving.
    page.get_by_label("I have reviewed the dose warnings and the doses are as given").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Session saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_text("Session signed. It is now locked.")).to_be_visible()
    # Asked first, with what the signature vouches for.
    assert page.dialog_questions[-1].startswith("You sign for ")
    assert "units of Botox in all" in page.dialog_questions[-1]
    session = InjectionSession.objects.get()
    assert session.status == "signed"
    sign_out(page)

    sign_in(page, trainee.email)
    page.goto(f"/me/courses/{course.code}/logbook/")
    expect(page.get_by_role("progressbar", name="Cases treated")).to_have_attribute("aria-valuenow", "1")
    page.get_by_role("link", name=session.performed_on.strftime("%-d %b %Y")).click()
    expect(page.locator("svg[role=img]")).to_be_visible()
    page.get_by_label("Your reflection").fill("Check the procerus dose against the plan.")
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
