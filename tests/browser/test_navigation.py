"""The header on a phone: one "Menu" button that opens every link, nothing scrolling
sideways, Escape closing it; on a desktop the links in full; without scripts, the links
still there. And a trainee's "My courses"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_the_menu_opens_every_link_and_escape_closes_it(page):
    # A trainee who also teaches: two groups of links (administrators and examiners
    # would first be asked to set up a second factor).
    user = UserFactory(email="both@example.com", is_trainee=True, is_instructor=True)
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, user.email)
    page.goto("/courses/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Teaching")).to_be_hidden()
    _no_sideways_scroll(page)

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for name in ("Courses", "My dashboard", "My courses", "My certificates", "Teaching", "Security"):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 40, name  # a finger-sized target
        assert box["x"] + box["width"] <= 360, name
    expect(page.get_by_role("link", name="Courses", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Teaching").focus()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(page.get_by_role("link", name="Teaching")).to_be_hidden()


def test_on_a_desktop_every_link_shows_without_a_menu_button(page):
    trainee = TraineeFactory(email="t@example.com", legal_name="Ada Long-Hyphenated-Name Trainee")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, trainee.email)
    page.goto("/dashboard/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in ("My dashboard", "My courses", "My licences", "My certificates", trainee.display_name):
        expect(page.get_by_role("link", name=name)).to_be_visible()


def test_without_scripts_a_phone_still_gets_every_link(page, live_server):
    context = page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    try:
        bare = context.new_page()
        bare.goto("/")
        expect(bare.get_by_role("button", name="Menu")).to_be_hidden()
        for name in ("Courses", "Sign in", "Sign up", "Verify a certificate"):
            expect(bare.get_by_role("link", name=name)).to_be_visible()
        _no_sideways_scroll(bare)
    finally:
        context.close()


def test_my_courses_lists_active_and_withdrawn_enrolments_with_the_way_back_in(page):
    trainee = TraineeFactory(email="t@example.com")
    LicenceFactory(holder=trainee)
    active = EnrolmentFactory(trainee=trainee, course=CourseFactory(code="BTA-101", title="Botox foundations"))
    EnrolmentFactory(trainee=trainee, course=CourseFactory(code="BTA-201", title="Advanced toxins"), status="withdrawn")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, trainee.email)
    page.goto("/dashboard/")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="My courses").click()
    expect(page.get_by_role("heading", name="My courses", level=1)).to_be_visible()
    first = page.locator("section.card", has_text="Botox foundations")
    expect(first).to_contain_text("Enrolled")
    expect(first.get_by_role("link", name="Start learning")).to_have_attribute(
        "href", f"/courses/{active.course.code}/learn/"
    )
    expect(first.get_by_role("link", name="Hands-on logbook")).to_be_visible()
    second = page.locator("section.card", has_text="Advanced toxins")
    expect(second).to_contain_text("Withdrawn")
    expect(second.get_by_role("link", name="See the course, and enrol again if it is open")).to_be_visible()
    _no_sideways_scroll(page)
