"""A visitor browses and filters the catalogue, signs in as a verified trainee, enrols,
completes a lesson and sees the progress bar and pathway move; an unverified trainee
is told why they cannot enrol."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.tests.factories import CourseFactory, course_with_lessons
from tests.support.browser import sign_out

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


def test_browse_enrol_study_and_see_progress(page):
    course = course_with_lessons(2, title="Glabellar Foundations", eligible_professions=["md"])
    CourseFactory(title="Nurse Injector Essentials", eligible_professions=["rn"])
    verified = TraineeFactory(email="verified@example.com", legal_name="Dr Lee")
    LicenceFactory(holder=verified, verified=True)
    waiting = TraineeFactory(email="waiting@example.com")
    LicenceFactory(holder=waiting)

    page.goto("/courses/")
    expect(page.get_by_role("heading", name="Nurse Injector Essentials")).to_be_visible()
    page.get_by_label("Open to").select_option(label="Physician (MD)")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Nurse Injector Essentials")).to_have_count(0)
    page.get_by_role("link", name="Glabellar Foundations").click()
    expect(page.get_by_role("heading", name="Syllabus")).to_be_visible()
    page.get_by_role("link", name="Sign in to enrol").click()
    sign_in(page, verified.email)

    page.goto(f"/courses/{course.code}/")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("You are enrolled in Glabellar Foundations.")).to_be_visible()
    page.get_by_role("button", name="Mark complete and continue").click()
    progress = page.get_by_role("progressbar", name="Lessons complete")
    expect(progress).to_have_attribute("aria-valuenow", "1")

    page.get_by_role("link", name="My dashboard").click()
    theory = page.locator(".stage", has_text="1 of 2 lessons complete.")
    expect(theory).to_be_visible()
    expect(theory.get_by_text("In progress")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Mark complete", exact=True).click()
    page.get_by_role("link", name="My dashboard").click()
    expect(page.locator(".stage-done", has_text="2 of 2 lessons complete.")).to_be_visible()

    sign_out(page)
    page.goto("/accounts/login/")
    sign_in(page, waiting.email)
    page.goto(f"/courses/{course.code}/")
    expect(
        page.get_by_text("Your licence is awaiting verification; you can enrol once it is verified.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Enrol")).to_have_count(0)
