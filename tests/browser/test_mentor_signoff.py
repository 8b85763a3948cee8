"""A trainee records a case with their verified mentor on the face chart and sends it;
the mentor opens the emailed link in a fresh browser (no account, no session), reads the
case, rates it and signs; the trainee sees it counted in the logbook and on the pathway."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import LicenceFactory, TraineeFactory
from courses.models import InjectionSession
from courses.tests.factories import CourseFactory, EnrolmentFactory, MentorFactory
from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def test_trainee_sends_a_case_and_the_mentor_signs_it_from_the_emailed_link(page, live_server):
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(handson_min_sessions=2, handson_area_minimums={"glabella": 1}, handson_recent_competent=1)
    EnrolmentFactory(trainee=trainee, course=course)
    MentorFactory(trainee=trainee, verified=True, full_name="Dr Priya Raman", email="priya@clinic.example")

    page.set_viewport_size({"width": 390, "height": 844})  # the trainee's phone
    sign_in(page, trainee.email)
    page.goto(f"/me/courses/{course.code}/logbook/")
    page.get_by_role("link", name="Record a case with my mentor").click()
    expect(page.get_by_label("Mentor", exact=True)).to_have_value(re.compile(".+"))
    page.get_by_label("Date").first.fill(timezone.localdate().isoformat())
    page.get_by_label("Clinic").fill("Raman Skin Clinic")
    page.get_by_label("Model code").fill("M-0151")
    page.get_by_label("Written consent obtained from the model").check()
    page.get_by_label("Lot number").fill("C5190A2")
    page.get_by_label("Lot expiry date").fill(
        timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    )
    for code in (
        "procerus",
        "corrugator_medial_r",
        "corrugator_medial_l",
        "corrugator_lateral_r",
        "corrugator_lateral_l",
    ):
        page.locator(f'svg [data-site="{code}"]').click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Case saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Email my mentor a sign-off link").click()
    expect(page.get_by_text("Sent for sign-off on")).to_be_visible()

    (message,) = [m for m in mail.outbox if m.to == ["priya@clinic.example"]]
    link = re.search(r"https?://\S+/signoff/\S+/", message.body).group(0)

    # The mentor, on another computer: a fresh context, no account, no cookies.
    mentor_context = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    try:
        mentor_page = mentor_context.new_page()
        mentor_page.goto(urlsplit(link).path)
        expect(mentor_page.get_by_role("heading", name="Sign off a supervised case")).to_be_visible()
        expect(mentor_page.get_by_text("Raman Skin Clinic")).to_be_visible()
        expect(mentor_page.get_by_text("M-0151")).to_be_visible()
        for radio in mentor_page.get_by_label("Competent unsupervised").all():
            radio.check()
        mentor_page.get_by_label("What went well").fill("Careful palpation of the corrugators.")
        mentor_page.get_by_label("Sign: I supervised this case and it is recorded correctly").check()
        # Without the confirmation the signature is refused at the box, and kept.
        mentor_page.get_by_role("button", name="Record my decision").click()
        expect(mentor_page.get_by_text("Confirm that you supervised this case")).to_be_visible()
        expect(mentor_page.get_by_label("What went well")).to_have_value("Careful palpation of the corrugators.")
        mentor_page.get_by_label(re.compile("I confirm I supervised this case")).check()
        mentor_page.get_by_role("button", name="Record my decision").click()
        expect(mentor_page.get_by_role("heading", name="Case signed")).to_be_visible()
        # The link works once.
        mentor_page.goto(urlsplit(link).path)
        expect(mentor_page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    finally:
        mentor_context.close()

    session = InjectionSession.objects.get()
    assert (session.status, session.instructor_id, session.mentor.full_name) == ("signed", None, "Dr Priya Raman")

    page.goto(f"/me/courses/{course.code}/logbook/")
    expect(page.get_by_role("progressbar", name="Cases treated")).to_have_attribute("aria-valuenow", "1")
    page.get_by_role("link", name=session.performed_on.strftime("%-d %b %Y")).click()
    expect(page.get_by_text("Dr Priya Raman").first).to_be_visible()
    page.goto(f"/courses/{course.code}/")
    expect(page.get_by_text("Cases treated 1 of 2.")).to_be_visible()
