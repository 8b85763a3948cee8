"""On a phone, the trainee records the consultation with an "unsure" answer and adds a
before photograph, which the page shows; the instructor's sign-off is refused until the
contraindication is resolved with a note. No CSP violation on the way."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.consultation import photo_upload
from tests.support.handson import record

pytestmark = pytest.mark.browser


def sign_in_as(page, live_server, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_consultation_photo_and_the_blocked_sign_off(page, live_server):
    instructor = UserFactory(email="tutor@example.com", is_trainee=False, is_instructor=True)
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor])
    session = record(EnrolmentFactory(trainee=trainee, course=course), instructor, sign=False)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as(page, live_server, trainee)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Record the consultation").click()
    page.get_by_label("Relevant medical history").fill("Toxin elsewhere some months ago; date not known.")
    for fieldset in page.locator(".screen .field fieldset").all():
        fieldset.get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Botulinum toxin treatment within the last 3 months").get_by_label("Unsure").check()
    page.get_by_label("Treatment goals").fill("Softer frown lines.")
    for box in page.get_by_role("group", name="Risks explained to the model").get_by_role("checkbox").all():
        box.check()
    page.get_by_label("The treating practitioner took the model's informed consent to this treatment").check()
    page.get_by_label("Consent taken by").fill("L. One, trainee nurse prescriber")
    page.get_by_label("The model consents to photographs of the treated area (optional)").check()
    page.get_by_role("button", name="Save the consultation").click()
    expect(page.get_by_text("Signing is blocked.")).to_be_visible()

    upload = photo_upload("before.png", size=(320, 240))
    page.get_by_label("Photograph", exact=True).set_input_files(
        files=[{"name": upload.name, "mimeType": "image/png", "buffer": upload.read()}]
    )
    page.get_by_role("button", name="Add photograph").click()
    expect(page.get_by_text("Photograph added.")).to_be_visible()
    image = page.locator(".photo-grid img").first
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 320

    sign_in_as(page, live_server, instructor)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_text("An instructor must resolve it with a note").first).to_be_visible()
    page.get_by_role("link", name="Resolve the contraindication").click()
    page.get_by_label("Why it was safe to proceed").fill("Model's clinic letter: last toxin over 4 months ago.")
    page.get_by_role("button", name="Record the resolution").click()
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_text("Session signed. It is now locked.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == InjectionSession.Status.SIGNED
    assert [e for e in errors if "Content Security Policy" in e or "Refused to" in e] == []
