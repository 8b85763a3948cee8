"""The flagship journey, end to end in the browser: a newcomer signs up, confirms the
emailed link and submits a licence; an administrator (TOTP) verifies it; the trainee
enrols and studies the lessons; an instructor records and signs a supervised session on
the face chart; the trainee passes the written exam; an administrator schedules the
practical and an examiner (TOTP) scores it; the administrator issues the certificate;
the trainee downloads the PDF, and the QR code printed on it opens the public
verification page, which says the certificate is valid.

Each actor has a browser context of their own (as they would have their own device), so
each signs in once: an administrator signing in twice within one 30-second TOTP step
would be refused the reused code. Celery runs eagerly in the live server's thread here;
the real-worker pipeline is tested elsewhere."""

from __future__ import annotations

import contextlib
import datetime
import re
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import ZBarSymbol, decode

from accounts.models import Licence, User
from accounts.tests.factories import (
    TOTP_SECRET,
    AdministratorFactory,
    JurisdictionFactory,
    UserFactory,
    add_totp,
    png_bytes,
)
from certification.models import Award, Certificate
from courses.models import Enrolment, InjectionSession
from courses.tests.factories import course_with_lessons
from exams.models import Assessment, Attempt, AttemptItem, PracticalExam
from exams.tests.factories import exam_for
from tests.support.browser import accept_dialogs
from tests.support.practical import make_station

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "correct-horse-battery"  # the factories' password
TRAINEE_EMAIL = "dr.journey@example.com"
TRAINEE_PASSWORD = "a-long-pass-phrase"
TRAINEE_NAME = "Dr Amara Okafor"
COURSE_TITLE = "Glabellar Lines Certification"
GLABELLAR_SITES = ("procerus", "corrugator_medial_r", "corrugator_medial_l", "corrugator_lateral_r",
                   "corrugator_lateral_l")  # fmt: skip


def totp_now() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def sign_in(page, email, password=STAFF_PASSWORD, *, totp=False):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    signed_in = page.get_by_role("button", name="Sign out")
    if not totp:
        expect(signed_in).to_be_visible()
        return
    # The code is only good within its 30-second step (no tolerance is configured): if
    # the step turned between reading the clock and the server checking it, the next
    # step's code is asked for once more.
    for _ in range(2):
        page.get_by_label("Code", exact=True).fill(totp_now())
        page.get_by_role("button", name="Sign in").click()
        refused = page.get_by_text("Incorrect code.")
        expect(signed_in.or_(refused)).to_be_visible()
        if signed_in.is_visible():
            return
    expect(signed_in).to_be_visible()


def stage(page, title):
    """One stage of the dashboard's certification pathway."""
    return (
        page.get_by_role("list", name="Certification pathway")
        .get_by_role("listitem")
        .filter(has=page.locator(".stage-title", has_text=title))
    )


@contextlib.contextmanager
def screenshots_on_failure(pages: dict, folder):
    """The conftest photographs only the ``page`` fixture; the journey has one page per
    actor, so on a failure every one of them is kept."""
    try:
        yield
    except BaseException:
        folder.mkdir(exist_ok=True)
        for name, actor_page in pages.items():
            with contextlib.suppress(Exception):
                actor_page.screenshot(path=str(folder / f"test_journey_browser-{name}.png"), full_page=True)
        raise


def test_from_sign_up_to_a_valid_certificate_verified_by_its_qr_code(page, live_server, tmp_path):
    # What the people running the programme have set up beforehand.
    JurisdictionFactory()
    admin = add_totp(AdministratorFactory(email="registrar@example.com", legal_name="Rita Registrar"))
    instructor = UserFactory(email="tutor@example.com", legal_name="Ivo Tutor", is_trainee=False, is_instructor=True)
    examiner = add_totp(
        UserFactory(email="examiner@example.com", legal_name="Esme Examiner", is_trainee=False, is_examiner=True)
    )
    course = course_with_lessons(
        2, title=COURSE_TITLE, instructors=[instructor], handson_min_sessions=1, handson_area_minimums={},
        handson_recent_competent=0, certificate_auto_issue=False,
    )  # fmt: skip
    exam_for(course, per_topic=2)  # four questions, pass mark 50%
    practical_exam = PracticalExam.objects.create(course=course, overall_pass_percent=60, attempts_allowed=2)
    station = make_station(practical_exam, title="Injection of the glabellar complex")

    browser = page.context.browser
    contexts = []

    def actor_page():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        actor = context.new_page()
        accept_dialogs(actor)
        return actor

    trainee = page
    pages = {"trainee": trainee}
    try:
        with screenshots_on_failure(pages, settings.BASE_DIR / "test-artifacts"):
            journey(trainee, actor_page, pages, admin, instructor, examiner, course, station, tmp_path)
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()


def journey(trainee, actor_page, pages, admin, instructor, examiner, course, station, tmp_path):
    # 1. A newcomer signs up and confirms the emailed link.
    trainee.goto("/")
    trainee.get_by_role("link", name="Create your account").click()
    trainee.get_by_label("Email").fill(TRAINEE_EMAIL)
    trainee.get_by_label("Password", exact=True).fill(TRAINEE_PASSWORD)
    trainee.get_by_label("Password (again)").fill(TRAINEE_PASSWORD)
    trainee.get_by_role("button", name="Sign up").click()
    expect(trainee.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    (confirmation,) = [m for m in mail.outbox if m.to == [TRAINEE_EMAIL]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    trainee.goto(urlsplit(link).path)
    trainee.get_by_role("button", name="Confirm").click()
    expect(trainee.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    # ... completes the profile printed on the certificate, and submits a licence.
    trainee.get_by_role("link", name="Complete your profile").click()
    trainee.get_by_label("Legal name").fill(TRAINEE_NAME)
    trainee.get_by_label("Profession").select_option(label="Physician (MD)")
    trainee.get_by_role("button", name="Save profile").click()
    expect(trainee.get_by_role("heading", name=f"Welcome, {TRAINEE_NAME}")).to_be_visible()
    trainee.get_by_role("link", name="Submit a licence").first.click()
    trainee.get_by_label("Profession").select_option(label="Physician (MD)")
    trainee.get_by_label("Licence number").fill("G24680")
    trainee.get_by_label("Issuing jurisdiction").select_option(label="United States — California")
    trainee.get_by_label("Expiry date").fill((timezone.localdate() + datetime.timedelta(days=800)).isoformat())
    trainee.get_by_label("Scan or photo of the licence").set_input_files(
        {"name": "licence.png", "mimeType": "image/png", "buffer": png_bytes(size=(300, 200))}
    )
    trainee.get_by_role("button", name="Submit for verification").click()
    expect(trainee.get_by_text("Awaiting verification")).to_be_visible()
    user = User.objects.get(email=TRAINEE_EMAIL)
    assert Licence.objects.get(holder=user).status == Licence.Status.SUBMITTED

    # 2. The administrator signs in with a second factor and verifies it from the queue.
    registrar = pages["admin"] = actor_page()
    sign_in(registrar, admin.email, totp=True)
    expect(registrar.get_by_role("heading", name="Administration")).to_be_visible()
    registrar.get_by_role("link", name="Licence queue").click()
    registrar.get_by_role("link", name="Start with the oldest").click()
    expect(registrar.get_by_role("img", name="Scan of the licence document")).to_be_visible()
    registrar.get_by_label("Verify: the document matches the details").check()
    registrar.get_by_role("button", name="Record decision").click()
    expect(registrar.get_by_text("The queue is empty.")).to_be_visible()
    assert any(m.subject == "[Glabella] Your licence is verified" for m in mail.outbox if m.to == [TRAINEE_EMAIL])

    # 3. The trainee, now verified, enrols and works through both lessons.
    trainee.get_by_role("link", name="My dashboard").click()
    expect(trainee.get_by_text("Verified", exact=True)).to_be_visible()
    trainee.get_by_role("link", name="Courses", exact=True).click()
    trainee.get_by_role("link", name=COURSE_TITLE).click()
    trainee.get_by_role("button", name="Enrol").click()
    expect(trainee.get_by_text(f"You are enrolled in {COURSE_TITLE}.")).to_be_visible()
    trainee.get_by_role("button", name="Mark complete and continue").click()
    expect(trainee.get_by_role("progressbar", name="Lessons complete")).to_have_attribute("aria-valuenow", "1")
    trainee.get_by_role("button", name="Mark complete", exact=True).click()
    expect(trainee.get_by_role("progressbar", name="Lessons complete")).to_have_attribute("aria-valuenow", "2")
    trainee.get_by_role("link", name="My dashboard").click()
    expect(stage(trainee, "Licence verified").get_by_text("Done", exact=True)).to_be_visible()
    expect(stage(trainee, "Theory")).to_contain_text("2 of 2 lessons complete.")
    expect(stage(trainee, "Theory").get_by_text("Done", exact=True)).to_be_visible()
    expect(stage(trainee, "Hands-on training")).to_contain_text("Cases treated 0 of 1.")
    expect(stage(trainee, "Certificate").get_by_text("Locked", exact=True)).to_be_visible()
    enrolment = Enrolment.objects.get(trainee=user, course=course)

    # 4. The instructor records a supervised session on the face chart and signs it.
    tutor = pages["instructor"] = actor_page()
    tutor.set_viewport_size({"width": 1024, "height": 1366})  # a tablet in the clinic
    sign_in(tutor, instructor.email)
    tutor.goto(f"/teach/courses/{course.code}/roster/")
    expect(tutor.get_by_text(TRAINEE_NAME)).to_be_visible()
    tutor.get_by_role("link", name="Record a session").click()
    tutor.get_by_label("Clinic").fill("Riverside Clinic")
    tutor.get_by_label("Model code").fill("M-0201")
    tutor.get_by_label("Written consent obtained from the model").check()
    tutor.get_by_label("Lot number").fill("C5678B")
    tutor.get_by_label("Lot expiry date").fill((timezone.localdate() + datetime.timedelta(days=365)).isoformat())
    tutor.get_by_label("Date").first.fill(timezone.localdate().isoformat())
    for code in GLABELLAR_SITES:  # each tap gives the site its reference dose
        tutor.locator(f'svg [data-site="{code}"]').click()
    expect(tutor.locator('input[name="units_procerus"]')).to_have_value("4")
    for radio in tutor.get_by_label("Competent unsupervised").all():
        radio.check()
    tutor.get_by_role("button", name="Save draft").click()
    expect(tutor.get_by_text("Session saved as a draft.")).to_be_visible()
    tutor.get_by_role("button", name="Sign off and lock").click()
    expect(tutor.get_by_text("Session signed. It is now locked.")).to_be_visible()
    assert InjectionSession.objects.get(enrolment=enrolment).status == InjectionSession.Status.SIGNED

    trainee.reload()
    expect(stage(trainee, "Hands-on training")).to_contain_text("Cases treated 1 of 1.")
    expect(stage(trainee, "Hands-on training").get_by_text("Done", exact=True)).to_be_visible()

    # 5. The trainee takes the written exam and answers every question correctly.
    exam_stage = stage(trainee, "Written and practical exam")
    expect(exam_stage).to_contain_text("The written exam is open to you.")
    exam_stage.get_by_role("link", name="Go to the written exam").click()
    trainee.get_by_role("link", name="Start the exam").click()
    trainee.get_by_role("button", name="Start now: the clock starts").click()
    expect(trainee.get_by_role("timer")).to_be_visible()
    attempt = Attempt.objects.get(enrolment=enrolment)
    items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
    assert len(items) == 4
    for item in items:  # one question per page
        expect(trainee.get_by_role("heading", name=f"Question {item.position} of 4")).to_be_visible()
        right = next(o["text"] for o in item.options if o["key"] in item.correct_keys)
        trainee.locator(f"#q{item.position}").get_by_label(right).check()
        expect(trainee.get_by_text(f"Saved question {item.position}.")).to_be_visible()
        trainee.get_by_role("button", name="Next →" if item.position < 4 else "Save and review →").click()
    expect(trainee.get_by_role("heading", name="Review before submitting")).to_be_visible()
    trainee.get_by_role("button", name="Submit for grading").click()
    expect(trainee.get_by_role("heading", name="Passed")).to_be_visible()
    expect(trainee.get_by_text("4 of 4 correct; the pass mark is 50%.")).to_be_visible()
    trainee.get_by_role("link", name="My dashboard").click()
    expect(stage(trainee, "Written and practical exam")).to_contain_text("Written exam passed.")

    # 6. The administrator schedules the practical; the examiner scores it in full.
    registrar.get_by_role("link", name="Administration").click()
    registrar.get_by_role("row", name=re.compile(COURSE_TITLE)).get_by_role("link", name="Practical").click()
    expect(registrar.get_by_role("heading", name=f"Practical exam · {course.code}")).to_be_visible()
    registrar.get_by_label("Trainee").select_option(label=TRAINEE_NAME)
    when = timezone.localtime() + datetime.timedelta(days=2)
    registrar.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT10:00"))
    registrar.get_by_label("Place").fill("Skills lab 1")
    registrar.get_by_label(station.title).check()
    examiners = registrar.get_by_role("group", name="Examiners (one or two)")
    expect(examiners.get_by_label(instructor.display_name)).to_have_count(0)  # not an examiner
    examiners.get_by_label(examiner.display_name).check()
    registrar.get_by_role("button", name="Schedule").click()
    expect(registrar.get_by_text("Assessment scheduled; the trainee has been told.")).to_be_visible()
    expect(registrar.get_by_role("region", name="Assessments")).to_contain_text(TRAINEE_NAME)

    trainee.reload()
    expect(stage(trainee, "Written and practical exam")).to_contain_text("Written exam passed. Practical assessment on")

    # The day of the assessment comes (final marks are accepted from it on).
    Assessment.objects.filter(enrolment=enrolment).update(scheduled_at=timezone.now())
    marker = pages["examiner"] = actor_page()
    marker.set_viewport_size({"width": 820, "height": 1180})
    sign_in(marker, examiner.email, totp=True)
    expect(marker.get_by_role("heading", name="Examining")).to_be_visible()
    expect(marker.get_by_role("heading", name=f"{TRAINEE_NAME} · {course.code}")).to_be_visible()
    marker.get_by_role("link", name=station.title).click()
    rubric = Assessment.objects.get(enrolment=enrolment).rubrics.get()
    for criterion in rubric.criteria.all():
        group = marker.locator("fieldset.criterion", has_text=criterion.text)
        group.get_by_label(str(criterion.points), exact=True).check()
    marker.get_by_label("Good").check()
    marker.get_by_label("Feedback for the candidate").fill("Accurate landmarking; safe, confident technique.")
    marker.get_by_role("button", name="Submit final marks").click()
    expect(marker.get_by_text("Marks submitted; they are final.")).to_be_visible()
    expect(marker.get_by_text("Submitted", exact=True)).to_be_visible()

    # 7. Every requirement is met: the award waits for an administrator to issue it.
    award = Award.objects.get(trainee=user, course=course)
    assert award.handson_sessions == 1
    assert not Certificate.objects.exists()
    trainee.reload()
    expect(stage(trainee, "Written and practical exam")).to_contain_text("Written and practical exams passed.")
    expect(stage(trainee, "Written and practical exam").get_by_text("Done", exact=True)).to_be_visible()
    certificate_stage = stage(trainee, "Certificate")
    expect(certificate_stage).to_contain_text("You have met every requirement. An administrator reviews the award")
    expect(certificate_stage.get_by_text("In progress", exact=True)).to_be_visible()
    assert any(
        m.subject == "[Glabella] You have qualified: your certificate is being prepared"
        for m in mail.outbox
        if m.to == [TRAINEE_EMAIL]
    )

    registrar.get_by_role("link", name="Certificates", exact=True).click()
    expect(registrar.get_by_role("heading", name="Ready to issue")).to_be_visible()
    registrar.get_by_role("checkbox", name=f"Issue to {TRAINEE_NAME}").check()
    registrar.get_by_role("button", name="Issue the ticked certificates").click()
    # The eager "worker" renders the PDF inside that request; WeasyPrint can take a while.
    expect(
        registrar.get_by_text("1 certificate queued for rendering; it is emailed to its holder when ready.")
    ).to_be_visible(timeout=60_000)
    expect(registrar.get_by_text("No award is waiting to be issued.")).to_be_visible()

    # 8. The certificate is issued; the trainee finds it and downloads the PDF.
    certificate = Certificate.objects.get(award=award)
    assert certificate.status == Certificate.Status.ISSUED, certificate.last_error
    assert certificate.holder_name == TRAINEE_NAME
    assert any(m.subject == f"[Glabella] Your certificate {certificate.serial}" for m in mail.outbox)
    trainee.reload()
    certificate_stage = stage(trainee, "Certificate")
    expect(certificate_stage).to_contain_text(f"Certificate {certificate.serial} is valid")
    expect(certificate_stage.get_by_text("Done", exact=True)).to_be_visible()
    certificate_stage.get_by_role("link", name="View my certificate").click()
    expect(trainee).to_have_url(re.compile(rf"/certificates/{certificate.pk}/$"))
    expect(trainee.get_by_role("heading", name=COURSE_TITLE, level=1)).to_be_visible()
    expect(trainee.get_by_text(certificate.serial).first).to_be_visible()
    expect(trainee.locator(".badge-valid")).to_have_text("Valid")
    expect(trainee.get_by_label("Share link")).to_have_value(certificate.verification_url())
    with trainee.expect_download() as download_info:
        trainee.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # 9. The QR code on the PDF opens the public verification page.
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "page1")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with Image.open(tmp_path / "page1.png") as image:
        symbols = decode(image, symbols=[ZBarSymbol.QRCODE])
    assert len(symbols) == 1, f"expected one QR code on page 1, found {len(symbols)}"
    url = symbols[0].data.decode()
    assert url == f"{settings.SITE_URL}/verify/{certificate.code}/"

    # Anyone who scans it, signed in or not, sees the verdict: valid, the name as
    # printed and the course; nothing else about the holder.
    public = pages["public"] = actor_page()
    public.goto(urlsplit(url).path)
    expect(public.get_by_role("heading", name="Certificate verification")).to_be_visible()
    verdict = public.get_by_role("region", name="Valid certificate")
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text("Issued by Glabella and in force today.")
    expect(verdict).to_contain_text(TRAINEE_NAME)
    expect(verdict).to_contain_text(COURSE_TITLE)
    expect(verdict).to_contain_text(certificate.serial)
    expect(public.locator("body")).not_to_contain_text(TRAINEE_EMAIL)
    expect(public.locator("body")).not_to_contain_text("G24680")  # nor the licence
    expect(public.get_by_role("button", name="Sign out")).to_have_count(0)
