"""The instructor's session form on a phone, a tablet and a desktop: a tap on the face
chart neither scrolls nor opens the keyboard, the keyboard keeps its focus behaviour, the
dose-warning acknowledgement appears beside a live warning, and editing or amending keeps
the dates."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.handson import record

pytestmark = pytest.mark.browser

ACK = "I have reviewed the dose warnings and the doses are as given"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def world(db):
    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=2, handson_area_minimums={"glabella": 1})
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    return {"instructor": instructor, "course": course, "enrolment": enrolment}


@pytest.fixture
def open_as(page, live_server):
    """A new browser context (a phone, a tablet) signed in as the user."""
    contexts = []

    def open_page(user, device):
        client = Client()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        context = page.context.browser.new_context(base_url=live_server.url, **device)
        context.set_default_timeout(15_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}]
        )  # fmt: skip
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _scroll_y(phone) -> float:
    return phone.evaluate("window.scrollY")


def _focused_tag(phone) -> str:
    return phone.evaluate("document.activeElement ? document.activeElement.tagName : ''")


def test_a_tap_on_the_chart_does_not_scroll_or_open_the_keyboard(open_as, world):
    phone = open_as(world["instructor"], PHONE)
    phone.goto(f"/teach/courses/{world['course'].code}/sessions/new/")
    procerus = phone.locator('svg [data-site="procerus"]')
    procerus.scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    before = _scroll_y(phone)
    assert before > 0  # the chart is below the first fields: a scroll would show
    procerus.tap()
    expect(phone.locator('input[name="units_procerus"]')).to_have_value("4")
    phone.wait_for_timeout(500)  # any smooth scroll would have started
    assert _scroll_y(phone) == before
    assert _focused_tag(phone) != "INPUT"
    expect(phone.get_by_role("status").filter(has_text="Procerus: 4 units")).to_be_visible()

    # Another site, and the same one again: still no keyboard, no scroll; a set site keeps its units.
    phone.locator('svg [data-site="corrugator_medial_r"]').tap()
    procerus.tap()
    phone.wait_for_timeout(300)
    expect(phone.locator('input[name="units_corrugator_medial_r"]')).to_have_value("4")
    expect(phone.locator('input[name="units_procerus"]')).to_have_value("4")
    assert _scroll_y(phone) == before
    assert _focused_tag(phone) != "INPUT"


def test_the_keyboard_still_moves_to_the_sites_input(open_as, world):
    desktop = open_as(world["instructor"], {"viewport": {"width": 1366, "height": 900}})
    desktop.goto(f"/teach/courses/{world['course'].code}/sessions/new/")
    desktop.locator('svg [data-site="procerus"]').focus()
    desktop.keyboard.press("Enter")
    expect(desktop.locator('input[name="units_procerus"]')).to_be_focused()
    expect(desktop.locator('input[name="units_procerus"]')).to_have_value("4")


def test_arrow_keys_move_between_sites_whose_names_start_with_their_visible_label(open_as, world):
    desktop = open_as(world["instructor"], {"viewport": {"width": 1366, "height": 900}})
    desktop.goto(f"/teach/courses/{world['course'].code}/sessions/new/")
    procerus = desktop.locator('svg [data-site="procerus"]')
    expect(procerus).to_have_accessible_name("P: no units, Procerus")  # "P" is what the dot shows
    procerus.focus()
    desktop.keyboard.press("ArrowRight")  # the patient's left corrugator, up and to the right
    expect(desktop.locator('svg [data-site="corrugator_medial_l"]')).to_be_focused()
    desktop.keyboard.press("ArrowLeft")  # across the row to its mirror image
    expect(desktop.locator('svg [data-site="corrugator_medial_r"]')).to_be_focused()
    desktop.keyboard.press("ArrowUp")
    expect(desktop.locator('svg [data-site^="frontalis_"]:focus')).to_have_count(1)  # up to the forehead row
    desktop.keyboard.press("End")
    expect(desktop.locator("svg [data-site]").last).to_be_focused()
    desktop.keyboard.press("Home")
    expect(procerus).to_be_focused()
    desktop.keyboard.press("Enter")
    expect(desktop.locator('input[name="units_procerus"]')).to_have_value("4")
    expect(procerus).to_have_accessible_name("P: 4 units, Procerus")


@pytest.mark.parametrize("device", [PHONE, {"viewport": {"width": 1366, "height": 900}}], ids=["phone", "desktop"])
def test_the_acknowledgement_appears_beside_a_live_warning(open_as, world, device):
    form = open_as(world["instructor"], device)
    form.goto(f"/teach/courses/{world['course'].code}/sessions/new/")
    box = form.get_by_label(ACK)
    expect(box).to_be_hidden()
    form.locator('input[name="units_procerus"]').fill("14")
    warning = "Glabellar lines: 14 U given; the on-label dose is 20 U over 5 sites."
    expect(form.locator(".fc-warning").filter(has_text=warning)).to_be_visible()  # in the table
    expect(box).to_be_visible()  # without saving, next to the warning it acknowledges
    expect(form.locator("[data-ack-warnings]")).to_contain_text(warning)
    expect(form.locator("figure [data-ack-warnings]")).to_be_visible()  # under the face, in view
    form.locator('input[name="units_procerus"]').fill("")
    expect(box).to_be_hidden()


@pytest.mark.parametrize("device", [PHONE, TABLET], ids=["phone", "tablet"])
def test_edit_and_amend_keep_the_dates(open_as, world, device):
    instructor, enrolment = world["instructor"], world["enrolment"]
    performed = timezone.localdate() - datetime.timedelta(days=2)
    expiry = timezone.localdate() + datetime.timedelta(days=200)
    draft = record(enrolment, instructor, sign=False, performed_on=performed, lot_expiry=expiry, model_code="M-0101")
    signed = record(enrolment, instructor, performed_on=performed, lot_expiry=expiry, model_code="M-0102")
    form = open_as(instructor, device)

    form.goto(f"/sessions/{draft.pk}/edit/")
    expect(form.get_by_label("Date", exact=True)).to_have_value(performed.isoformat())
    expect(form.get_by_label("Lot expiry date")).to_have_value(expiry.isoformat())
    form.get_by_role("button", name="Save draft").click()
    expect(form.get_by_text("Draft updated.")).to_be_visible()

    form.goto(f"/sessions/{signed.pk}/amend/")
    expect(form.get_by_label("Date", exact=True)).to_have_value(performed.isoformat())
    expect(form.get_by_label("Lot expiry date")).to_have_value(expiry.isoformat())
    form.get_by_label("What does this amendment correct?").fill("Clinic room noted wrongly")
    form.get_by_role("button", name="Sign the amendment").click()
    expect(form.get_by_text("Amendment signed; the original is kept")).to_be_visible()
    amendment = InjectionSession.objects.get(amends=signed)
    assert (amendment.performed_on, amendment.lot_expiry) == (performed, expiry)
