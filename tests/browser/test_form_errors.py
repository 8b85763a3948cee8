"""A form sent back with errors puts keyboard focus on the first field to fix; a
confirmation declined changes nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import Enrolment
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def test_focus_moves_to_the_first_field_in_error(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.get_by_role("button", name="Sign up").click()
    first_error = page.get_by_label("Password", exact=True)
    expect(first_error).to_have_attribute("aria-invalid", "true")
    expect(first_error).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("someone@example.com")  # nothing typed is lost


def test_declining_a_confirmation_changes_nothing(page, live_server):
    trainee = TraineeFactory(email="t@example.com")
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=CourseFactory(title="Botox foundations"))
    context = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        own = context.new_page()  # without the fixture's "answer yes to everything"
        questions = []

        def decline(dialog):
            questions.append(dialog.message)
            dialog.dismiss()

        own.on("dialog", decline)
        sign_in(own, trainee.email)
        own.goto(f"/courses/{enrolment.course.code}/")
        own.get_by_role("button", name="Withdraw from this course").click()
        expect(own.get_by_role("button", name="Withdraw from this course")).to_be_visible()
    finally:
        context.close()
    assert questions[-1].startswith("Withdraw from Botox foundations?")
    assert "Your seat is released to the next trainee at once." in questions[-1]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
