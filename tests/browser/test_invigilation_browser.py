"""The invigilator's page in Chromium: check-in through the row's form, the table
refreshing by itself when a candidate starts (no reload), and the whole-room pause
asking for confirmation first."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from exams.services import attempts as attempt_services
from tests.support.sittings import booked, invigilator, scheduled_course, sitting_for

pytestmark = pytest.mark.browser


def test_an_invigilator_checks_in_watches_the_start_and_pauses_the_room(page, live_server):
    course, admin = scheduled_course()
    proctor = invigilator()
    sitting = sitting_for(course, admin, invigilators=[proctor])
    booking = booked(sitting, admin)
    name = booking.enrolment.trainee.legal_name
    client = Client()
    client.force_login(proctor, backend=settings.AUTHENTICATION_BACKENDS[0])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    page.goto(reverse("exams:invigilate", args=[sitting.pk]))
    row = page.locator(f"#booking-{booking.pk}")
    row.get_by_role("button", name="Check in").click()
    expect(row).to_contain_text("Tick to confirm the photo ID")  # refused beside the row
    page.locator(f"#booking-{booking.pk}").get_by_label(f"Photo ID matches “{name}”").check()
    page.locator(f"#booking-{booking.pk}").get_by_role("button", name="Check in").click()
    expect(page.locator(f"#booking-{booking.pk}")).to_contain_text("checked in")

    # The candidate starts; the table shows it within a refresh, the page not reloaded.
    page.evaluate("window.notReloaded = true")
    attempt_services.attempt_start(trainee=booking.enrolment.trainee, enrolment=booking.enrolment)
    expect(page.locator(f"#booking-{booking.pk}")).to_contain_text("writing", timeout=25_000)
    assert page.evaluate("window.notReloaded") is True

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("#id_room-reason").fill("Fire alarm")
    page.get_by_label("Yes, pause every candidate in this room").check()
    page.get_by_role("button", name="Pause the room").click()
    expect(page.get_by_text("The room is paused")).to_be_visible()
    assert dialogs
    assert "Pause every candidate" in dialogs[0]
    expect(page.locator(f"#booking-{booking.pk}")).to_contain_text("paused")
