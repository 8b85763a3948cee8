"""The Content-Security-Policy breaks nothing: in headless Chromium the pages with
scripts or drawn bars (the exam, the face chart, the exam result, the certificate, the
certificate queue, the TOTP QR code, the admin) report no violation, and their scripts
and bar widths visibly work."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import AdministratorFactory, LicenceFactory, TraineeFactory, UserFactory, add_totp
from certification.tests.factories import qualified
from core.services import audit_record
from courses.tests.factories import CourseFactory, EnrolmentFactory
from exams.models import AttemptItem
from tests.support.certificates import make_certificate
from tests.support.handson import post_data
from tests.support.written import autosave, ready_trainee, start, tokens

pytestmark = pytest.mark.browser

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def csp_page(page, live_server):
    """The page, signed in as whoever ``as_user`` names, collecting CSP violations from the
    console and from securitypolicyviolation events."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(WATCH)

    def as_user(user):
        page.context.clear_cookies()
        client = Client()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    def violations():
        events = page.evaluate("window.__cspViolations || []")
        console = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
        return events + console

    page.as_user = as_user
    page.csp_violations = violations
    return page


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    page.wait_for_load_state("load")
    return response


def test_exam_attempt_and_result(csp_page):
    page = csp_page
    trainee, course = ready_trainee()
    client = Client()
    client.force_login(trainee, backend=settings.AUTHENTICATION_BACKENDS[0])
    attempt = start(client, course)
    page.as_user(trainee)
    visit(page, reverse("exams:attempt", args=[attempt.pk]))
    expect(page.get_by_role("timer")).to_be_visible()
    first = AttemptItem.objects.filter(attempt=attempt).order_by("position").first()
    page.locator("#q1").get_by_label(first.options[0]["text"]).check()
    expect(page.get_by_text("Saved question 1.")).to_be_visible()  # exam.js autosaved
    assert page.csp_violations() == []

    visit(page, reverse("exams:summary", args=[attempt.pk]))
    expect(page.get_by_role("timer")).to_be_visible()  # exam.js runs the countdown here too
    assert page.csp_violations() == []

    for item in AttemptItem.objects.filter(attempt=attempt):
        autosave(client, attempt, position=item.position, keys=tokens(attempt, item.correct_keys))
    client.post(reverse("exams:submit", args=[attempt.pk]))
    visit(page, reverse("exams:result", args=[attempt.pk]))
    bars = page.locator(".bar-fill")
    expect(bars.first).to_be_visible()
    # The widths come from w-pct-N classes now, not style attributes.
    assert "w-pct-100" in bars.first.get_attribute("class")
    track = page.locator(".bar-track").first.bounding_box()["width"]
    assert bars.first.bounding_box()["width"] == pytest.approx(track, abs=1)
    progress = page.locator(".progress-fill").first.bounding_box()["width"]
    assert progress == pytest.approx(page.locator(".progress-track").first.bounding_box()["width"], abs=1)
    assert page.csp_violations() == []


def test_handson_session_form_face_chart(csp_page, instructor):
    page = csp_page
    trainee = TraineeFactory(email="learner@example.com", legal_name="Learner One")
    LicenceFactory(holder=trainee, verified=True)
    course = CourseFactory(instructors=[instructor], handson_min_sessions=2, handson_area_minimums={"glabella": 1})
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    page.as_user(instructor)
    visit(page, reverse("courses:session_create", args=[course.code]))
    page.locator('svg [data-site="procerus"]').click()
    expect(page.locator('input[name="units_procerus"]')).to_have_value("4")  # facechart.js ran
    assert page.csp_violations() == []
    # The saved session's page draws the chart too.
    client = Client()
    client.force_login(instructor, backend=settings.AUTHENTICATION_BACKENDS[0])
    created = client.post(reverse("courses:session_create", args=[course.code]), post_data(enrolment))
    visit(page, created["Location"])
    expect(page.locator("svg[role=img]")).to_be_visible()
    assert page.csp_violations() == []


def test_certificate_page_verify_page_and_the_staff_queue(csp_page, instructor):
    page = csp_page
    certificate = make_certificate()
    page.as_user(certificate.holder)
    visit(page, reverse("certification:detail", args=[certificate.pk]))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()  # copy.js ran
    visit(page, reverse("certification:verify", args=[certificate.code]))
    expect(page.get_by_text("Valid certificate")).to_be_visible()
    assert page.csp_violations() == []

    qualified(instructor)
    qualified(instructor)
    administrator = add_totp(AdministratorFactory(email="queue-admin@example.com"))
    page.as_user(administrator)
    visit(page, reverse("certification:staff_queue"))
    boxes = page.locator('input[name="awards"]')
    expect(boxes).to_have_count(2)
    page.get_by_label("Select all").check()
    for n in range(2):
        expect(boxes.nth(n)).to_be_checked()  # select-all.js ran
    visit(page, reverse("accounts:admin_dashboard"))
    assert page.csp_violations() == []


def test_totp_qr_code_and_the_django_admin(csp_page):
    page = csp_page
    examiner = UserFactory(email="new-examiner@example.com", is_trainee=False, is_examiner=True)
    page.as_user(examiner)
    visit(page, reverse("mfa_activate_totp"))
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")  # allauth asks to reauthenticate first
    page.get_by_role("button", name="Confirm").click()
    qr = page.locator('img[src^="data:"]')
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0  # img-src data:
    assert page.csp_violations() == []

    administrator = add_totp(AdministratorFactory(email="admin-csp@example.com"))
    audit_record(actor=administrator, action="test.csp", obj=administrator, summary="for the admin list")
    page.as_user(administrator)
    for name in ("admin:index", "admin:core_auditevent_changelist", "admin:accounts_user_changelist"):
        visit(page, reverse(name))
    visit(page, reverse("admin:accounts_user_change", args=[administrator.pk]))
    assert page.csp_violations() == []
