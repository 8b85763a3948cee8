"""The states of the gates that following links cannot reach: pages reached by posting.
Each is driven in Chromium as its role would (on the seeded demo, after the crawl), then
checked as crawled pages are: axe-core at every width on the page as it stands (no
reload), and the HTML as served (the navigation's response) saved for the Nu checker.

``STATES`` lists them; ``run`` fails a state that was not reached as its label says."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

# Every scripted state, in the order they are driven. A label is what gates.txt shows.
STATES = [
    "anonymous: sign-up form sent back with errors",
    "anonymous: sign-in with a wrong password",
    "anonymous: signed up, asked to confirm the email address",
    "anonymous: password reset requested",
    "mentor: sign-off page opened from the emailed link",
    "mentor: sign-off form sent back with errors",
    "mentor: case signed",
    "mentor: the emailed link opened again (already used)",
    "mentor: an emailed link past its expiry",
    "trainee, licence awaiting verification: profile form sent back with errors",
    "trainee: licence form sent back empty",
    "trainee: mentor form sent back with errors",
    "trainee: withdraw a name change request, confirmation without JavaScript",
    "trainee, certified: name change request sent back with errors",
    "trainee: withdraw from a course, confirmation without JavaScript",
    "trainee, withdrawn: opens the written exam",
    "candidate: start the written exam, confirmation",
    "candidate: exam in progress, page 1",
    "candidate: exam in progress, a page with a case vignette",
    "candidate: exam summary before submitting",
    "candidate: exam result with topic feedback",
    "invigilator: pausing the room without ticking the confirmation",
    "invigilator: the room paused",
    "candidate, writing: the paper paused by the invigilator",
    "instructor: course content form sent back with errors",
    "instructor: module form sent back with errors",
    "instructor: lesson form sent back with errors",
    "instructor: exam settings with an impossible blueprint count",
    "instructor: delete a module, confirmation without JavaScript",
    "instructor: hands-on session form sent back with errors",
    "instructor: sign off a hands-on session, confirmation without JavaScript",
    "administrator: new course form sent back with errors",
    "administrator: product form sent back with errors",
    "administrator: licence decision sent back with errors",
    "administrator: lesson image in use, deletion refused",
    "administrator: delete a lesson image, confirmation without JavaScript",
    "examiner: final station marks, confirmation without JavaScript",
    "examiner: station scoring form sent back with errors",
]

COURSE = "BTA-101"

# Forms sent as they stand: the browser's own checks (required, type=email) would stop
# the post before the server could answer with its messages.
NO_BROWSER_VALIDATION = "document.querySelectorAll('form').forEach(f => f.noValidate = true)"
# Every field a person types into, emptied (hidden fields, choices and the token kept).
BLANK_FORM = """form => {
  form.noValidate = true;
  form.querySelectorAll("input, textarea").forEach(el => {
    if (["hidden", "checkbox", "radio", "submit", "button", "file"].includes(el.type)) return;
    el.value = "";
  });
}"""
# Without scripts the server asks before an irreversible action (core/confirm.py).
NO_CONFIRM = "el => { el.removeAttribute('data-confirm'); el.form && el.form.removeAttribute('data-confirm'); }"


class Gate:
    """Opens a signed-in Chromium context per role and checks the page it stands on."""

    def __init__(self, *, browser, origin: str, out: Path, pages: list[dict], axe_path: str, axe_run: str, widths):
        self.browser, self.origin, self.out, self.pages = browser, origin, out, pages
        self.axe_path, self.axe_run, self.widths = axe_path, axe_run, widths
        self.problems: list[str] = []
        self.checked: list[str] = []
        self.contexts = []

    def open(self, email: str | None = None, password: str | None = None):
        from tests.browser.test_gates import _sign_in

        context = self.browser.new_context(base_url=self.origin, bypass_csp=True)
        context.set_default_timeout(15_000)
        context.add_init_script(path=self.axe_path)
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm answered yes
        if email is not None:
            _sign_in(page, email, password)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def check(self, page, label: str, response, status: int = 200) -> None:
        """``response``: the navigation's response, whose body is the HTML as served;
        ``status``: the one it must have (a refused form may say 400, a used link 410)."""
        assert label in STATES, label
        self.checked.append(label)
        path = urlsplit(page.url).path
        if response is None:
            self.problems.append(f"[state: {label}] {path}: no navigation response to check")
            return
        if response.status != status:
            self.problems.append(f"[state: {label}] {path} answered {response.status}, not {status}")
        file = self.out / f"{len(self.pages):04d}.html"
        file.write_bytes(response.body())
        self.pages.append({"file": file.name, "role": f"state: {label}", "path": path})
        for width in self.widths:
            page.set_viewport_size({"width": width, "height": 900})
            self.problems.extend(
                f"[state: {label}] {path} at {width}px: axe {v['impact']} {v['id']} "
                f"({v['count']}×) {', '.join(v['targets'])}: {v['help']}"
                for v in page.evaluate(self.axe_run)
            )
        page.set_viewport_size({"width": self.widths[0], "height": 900})

    def goto(self, page, path: str, label: str | None = None, status: int = 200):
        response = page.goto(path)
        if label:
            self.check(page, label, response, status)
        return response


def click(page, locator):
    """Click ``locator`` (a submit button or a link) and return the navigation's response:
    after a redirect, the page it ended on."""
    page.evaluate(NO_BROWSER_VALIDATION)
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def send_blank(
    gate: Gate, page, path: str, label: str, form: str = "main form[method=post]", status: int = 200
) -> None:
    """Open ``path``, empty every typed field of its form, send it and check the answer."""
    page.goto(path)
    target = page.locator(form).first
    target.evaluate(BLANK_FORM)
    gate.check(page, label, click(page, target.locator("button[type=submit]").first), status)


def send_unconfirmed(gate: Gate, page, button, label: str):
    """Send a data-confirm form as a browser without scripts would: the server asks."""
    button.evaluate(NO_CONFIRM)
    response = click(page, button)
    gate.check(page, label, response)
    return response


def anonymous(gate: Gate) -> None:
    page = gate.open()
    page.goto("/accounts/signup/")
    gate.check(
        page, "anonymous: sign-up form sent back with errors", click(page, page.get_by_role("button", name="Sign up"))
    )
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "trainee@glabella.test")
    page.fill("input[name=password]", "not-the-password")
    response = click(page, page.locator("main form button[type=submit]").first)
    gate.check(page, "anonymous: sign-in with a wrong password", response)
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "new.trainee@example.com")
    page.fill("input[name=password1]", "a-long-demo-passphrase-42")
    page.fill("input[name=password2]", "a-long-demo-passphrase-42")
    response = click(page, page.get_by_role("button", name="Sign up"))
    gate.check(page, "anonymous: signed up, asked to confirm the email address", response)
    page = gate.open()
    page.goto("/accounts/password/reset/")
    page.fill("input[name=email]", "trainee@glabella.test")
    response = click(page, page.locator("main form button[type=submit]").first)
    gate.check(page, "anonymous: password reset requested", response)


def _mentor_link(model_code: str = "M-0207") -> str:
    """A new case of the demo trainee with their verified mentor, sent for sign-off by
    the emailed link (as the trainee's "Email my mentor" button does); the link's path."""
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from courses.handson import mentor_services
    from courses.handson.demo_mentors import GLABELLA
    from courses.models import CaseType, Enrolment, Mentor, Product

    trainee = User.objects.get(email="trainee@glabella.test")
    enrolment = Enrolment.objects.get(trainee=trainee, course__code=COURSE)
    mentor = Mentor.objects.filter(trainee=trainee, status=Mentor.Status.VERIFIED).first()
    today = timezone.localdate()
    case = mentor_services.mentor_case_save_draft(
        enrolment=enrolment, trainee=trainee, mentor=mentor,
        data={
            "performed_on": today - datetime.timedelta(days=1), "case_type": CaseType.SUPERVISED,
            "clinic": "Raman Skin Clinic, Leeds", "model_code": model_code, "consent_confirmed": True,
            "product": Product.objects.get(code="onabotulinumtoxinA"), "vial_units": Decimal(100),
            "diluent_ml": Decimal("2.5"), "lot_number": "C5190A2", "lot_expiry": today + datetime.timedelta(days=200),
            "complications": "", "complication_management": "",
        },
        units_by_site={k: Decimal(v) for k, v in GLABELLA.items()}, acknowledged=True,
    )  # fmt: skip
    _request, token = mentor_services.signoff_request_send(session_id=case.pk, trainee=trainee)
    return reverse("courses:signoff", args=[token])


def mentor(gate: Gate) -> None:
    from django.utils import timezone

    from courses.models import SignOffRequest

    link = _mentor_link()
    page = gate.open()  # the mentor has no account: a fresh browser
    gate.goto(page, link, "mentor: sign-off page opened from the emailed link")
    response = click(page, page.get_by_role("button", name="Record my decision"))
    gate.check(page, "mentor: sign-off form sent back with errors", response, status=400)
    for radio in page.get_by_label("Competent unsupervised").all():
        radio.check()
    page.get_by_label("What went well").fill("Careful palpation of the corrugators.")
    page.get_by_label("Sign: I supervised this case and it is recorded correctly").check()
    page.get_by_label(re.compile("I confirm I supervised this case")).check()
    gate.check(page, "mentor: case signed", click(page, page.get_by_role("button", name="Record my decision")))
    gate.goto(page, link, "mentor: the emailed link opened again (already used)", status=410)
    expired = _mentor_link("M-0208")
    SignOffRequest.objects.filter(session__model_code="M-0208").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    gate.goto(page, expired, "mentor: an emailed link past its expiry", status=410)


def trainee(gate: Gate) -> None:
    # The legal name can still be edited until a licence is verified.
    page = gate.open("nurse@glabella.test", "demo-nurse-pass")
    send_blank(gate, page, "/me/profile/", "trainee, licence awaiting verification: profile form sent back with errors")
    page = gate.open("certified@glabella.test", "demo-certified-pass")
    label = "trainee, certified: name change request sent back with errors"
    send_blank(gate, page, "/me/name-change/", label, "main form[enctype]")
    page = gate.open("trainee@glabella.test", "demo-trainee-pass")
    send_blank(gate, page, "/me/licences/new/", "trainee: licence form sent back empty")
    send_blank(gate, page, "/me/mentors/", "trainee: mentor form sent back with errors", status=400)
    page.goto("/me/name-change/")  # the demo trainee's request awaits review
    withdraw = page.locator("form[action$='/withdraw/'] button[type=submit]")
    label = "trainee: withdraw a name change request, confirmation without JavaScript"
    send_unconfirmed(gate, page, withdraw, label)
    page.goto(f"/courses/{COURSE}/")
    withdraw = page.locator("form[action$='/withdraw/'] button[type=submit]")
    send_unconfirmed(gate, page, withdraw, "trainee: withdraw from a course, confirmation without JavaScript")
    click(page, page.locator("main form button[type=submit]").first)  # yes, withdraw
    gate.goto(page, f"/courses/{COURSE}/exam/", "trainee, withdrawn: opens the written exam")


def candidate(gate: Gate) -> None:
    from accounts.models import User
    from exams.models import Booking
    from exams.sittings import services as sitting_services
    from exams.sittings.demo import CANDIDATE, INVIGILATOR

    _role, email, password = CANDIDATE
    booking = Booking.objects.get(enrolment__trainee__email=email, enrolment__course__code=COURSE)
    sitting_services.booking_check_in(
        booking=booking, identity_confirmed=True, actor=User.objects.get(email=INVIGILATOR[1])
    )
    page = gate.open(email, password)
    page.goto(f"/courses/{COURSE}/exam/")
    response = click(page, page.get_by_role("link", name="Start the exam").first)
    gate.check(page, "candidate: start the written exam, confirmation", response)
    response = click(page, page.get_by_role("button", name="Start now: the clock starts"))
    gate.check(page, "candidate: exam in progress, page 1", response)
    # Unanswered through the paper to the case (the vignette and its questions).
    while "/summary/" not in page.url:
        if page.locator(".case-page").count():
            gate.check(page, "candidate: exam in progress, a page with a case vignette", response)
            response = click(page, page.locator(".paper-actions button[name=go][value=summary]"))
            break
        response = click(page, page.locator(".paper-actions button[name=go][value=next]"))
    gate.check(page, "candidate: exam summary before submitting", response)
    response = click(page, page.get_by_role("button", name="Submit for grading"))
    gate.check(page, "candidate: exam result with topic feedback", response)


def invigilator(gate: Gate) -> None:
    """The whole room paused; a candidate still writing (the demo's second) sees it."""
    from courses.models import Course
    from exams.sittings.demo import CANDIDATE, INVIGILATOR, OTHERS, today_sitting

    _role, email, password = INVIGILATOR
    sitting = today_sitting(Course.objects.get(code=COURSE))
    page = gate.open(email, password)
    page.goto(f"/invigilate/sittings/{sitting.pk}/")
    page.locator("#id_room-reason").fill("Fire alarm")
    pause = page.get_by_role("button", name="Pause the room")
    response = click(page, pause)
    gate.check(page, "invigilator: pausing the room without ticking the confirmation", response, status=400)
    page.locator("#id_room-reason").fill("Fire alarm")
    page.get_by_label("Yes, pause every candidate in this room").check()
    gate.check(page, "invigilator: the room paused", click(page, pause))
    writing = gate.open(OTHERS[0][0], CANDIDATE[2])
    writing.goto(f"/courses/{COURSE}/exam/")
    response = click(writing, writing.get_by_role("link", name="Resume your attempt"))
    gate.check(writing, "candidate, writing: the paper paused by the invigilator", response)


def instructor(gate: Gate) -> None:
    from courses.models import InjectionSession

    page = gate.open("instructor@glabella.test", "demo-instructor-pass")
    course = f"/author/courses/{COURSE}/"
    content = "main form[method=post]:not([action])"  # not the image forms
    send_blank(gate, page, course, "instructor: course content form sent back with errors", content)
    send_blank(gate, page, f"{course}modules/new/", "instructor: module form sent back with errors")
    page.goto(course)
    page.locator("a[href*='/lessons/new/']").first.click()
    page.wait_for_load_state()
    send_blank(gate, page, urlsplit(page.url).path, "instructor: lesson form sent back with errors")
    page.goto(f"/staff/exams/{COURSE}/settings/")
    page.locator("#id_topic_pharmacology").fill("500")
    response = click(page, page.locator("main form[method=post] button[type=submit]").first)
    gate.check(page, "instructor: exam settings with an impossible blueprint count", response)
    page.goto(course)
    delete = page.locator("form[action*='/modules/'][action$='/delete/'] button[type=submit]").first
    send_unconfirmed(gate, page, delete, "instructor: delete a module, confirmation without JavaScript")
    send_blank(
        gate, page, f"/teach/courses/{COURSE}/sessions/new/", "instructor: hands-on session form sent back with errors"
    )
    draft = InjectionSession.objects.filter(
        status=InjectionSession.Status.DRAFT, instructor__email="instructor@glabella.test"
    ).first()
    page.goto(f"/sessions/{draft.pk}/")
    sign = page.locator("form[action$='/sign/'] button[type=submit]")
    send_unconfirmed(gate, page, sign, "instructor: sign off a hands-on session, confirmation without JavaScript")


def administrator(gate: Gate) -> None:
    from accounts.models import Licence

    page = gate.open("admin@glabella.test", "demo-admin-pass")
    send_blank(gate, page, "/author/courses/new/", "administrator: new course form sent back with errors")
    send_blank(gate, page, "/author/products/new/", "administrator: product form sent back with errors")
    awaiting = Licence.objects.filter(holder__email="nurse@glabella.test").first()  # the demo's queue
    label = "administrator: licence decision sent back with errors"
    send_blank(gate, page, f"/staff/licences/{awaiting.pk}/", label)
    page.goto(f"/author/courses/{COURSE}/")
    images = page.locator("[data-lesson-images] li")
    used = images.filter(has=page.locator("[data-used-in]")).first
    response = click(page, used.get_by_role("button", name=re.compile("^Delete")))
    gate.check(page, "administrator: lesson image in use, deletion refused", response)
    unused = images.filter(has_not=page.locator("[data-used-in]")).first
    send_unconfirmed(
        gate,
        page,
        unused.get_by_role("button", name=re.compile("^Delete")),
        "administrator: delete a lesson image, confirmation without JavaScript",
    )


def examiner(gate: Gate) -> None:
    page = gate.open("examiner@glabella.test", "demo-examiner-pass")
    page.goto("/examine/")
    page.goto(page.locator("a[href*='/examine/assessments/']").first.get_attribute("href"))
    submit = page.locator("button[name=action][value=submit]")
    send_unconfirmed(gate, page, submit, "examiner: final station marks, confirmation without JavaScript")
    response = click(page, page.locator("main form button[type=submit]").first)  # yes, with nothing scored
    gate.check(page, "examiner: station scoring form sent back with errors", response)


def run(gate: Gate) -> list[str]:
    """Every state; returns the problems found (axe, HTTP, a state not reached)."""
    for step in (anonymous, mentor, trainee, candidate, invigilator, instructor, administrator, examiner):
        try:
            step(gate)
        except Exception as error:  # noqa: BLE001 (one broken script must not hide the others' findings)
            gate.problems.append(f"[state script {step.__name__}] stopped: {type(error).__name__}: {error}")
    missing = [label for label in STATES if label not in gate.checked]
    gate.problems.extend(f"[state: {label}] not reached" for label in missing)
    return gate.problems
