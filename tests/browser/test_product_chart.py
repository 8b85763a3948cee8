"""The face chart checks the doses against the product chosen in the form, live: choosing
Dysport makes a tap give 10 U and the glabellar reference 50 U, without a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser

GLABELLA = ("procerus", "corrugator_medial_r", "corrugator_medial_l", "corrugator_lateral_r", "corrugator_lateral_l")


@pytest.mark.parametrize("width", [390, 1366])
def test_changing_the_product_rechecks_the_chart_live(page, width):
    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    trainee = TraineeFactory(email="learner@example.com")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor])
    EnrolmentFactory(trainee=trainee, course=course)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, instructor.email)
    page.goto(reverse("courses:session_create", args=[course.code]))

    page.get_by_label("Product").select_option("abobotulinumtoxinA")
    expect(page.get_by_text("Dysport label: 50 U over 5 sites.")).to_be_visible()
    expect(page.get_by_text("No label cap for Dysport.")).to_be_visible()
    for code in GLABELLA:
        page.locator(f'svg [data-site="{code}"]').click()
    expect(page.locator('input[name="units_procerus"]')).to_have_value("10")
    expect(page.locator("#units_total-glabella")).to_have_text("50")
    expect(page.locator(".fc-warning:visible")).to_have_count(0)

    # Forehead lines have no Dysport label dose: a note, not a warning.
    page.locator('svg [data-site="frontalis_3"]').click()
    expect(page.get_by_text("Forehead lines: no label reference for Dysport; the dose is not checked.")).to_be_visible()

    # Back to Botox: the same 50 U is now off Botox's 20 U.
    page.get_by_label("Product").select_option("onabotulinumtoxinA")
    warning = "Glabellar lines: 50 U given; the on-label dose is 20 U over 5 sites."
    expect(page.locator(".fc-warning", has_text=warning)).to_be_visible()  # in the chart's table
    expect(page.locator("[data-ack-list]")).to_contain_text(warning)  # and beside the acknowledgement box
    expect(page.get_by_text("Botox label: at most 400 U in 3 months.")).to_be_visible()
