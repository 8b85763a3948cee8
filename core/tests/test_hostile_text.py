"""Text that people type and others read, tried with script, attribute-breaking,
right-to-left-override and very long values: pages escape it, PDFs print it as text,
CSV exports neutralise what a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RLO = "Ada \u202enamkarT\u202c"  # shows as "Ada Trakman"
# What a PDF shows: WeasyPrint applies the direction override, as a browser does (which
# is why legal names and licence numbers refuse such characters at input).
PRINTED = {RLO: "Ada Trakman"}
PAYLOADS = [SCRIPT, ATTRIBUTE, RLO]
IDS = ["script", "attribute", "rlo"]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1+1)"]


def assert_shown_escaped(html: str, payload: str) -> None:
    assert escape(payload) in html, payload
    if payload in (SCRIPT, ATTRIBUTE):
        assert payload not in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Names, licence numbers, reasons --------------------------------------------------------


@pytest.fixture
def course_world(trainee, instructor, examiner, administrator):
    from accounts.tests.factories import LicenceFactory
    from courses.tests.factories import EnrolmentFactory, course_with_lessons
    from tests.support.handson import record

    course = course_with_lessons(1, instructors=[instructor])
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    return {"course": course, "enrolment": enrolment, "record": record}


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_legal_names_are_escaped_wherever_staff_read_them(client_for, trainee, instructor, administrator,
                                                          course_world, payload):  # fmt: skip
    from accounts.tests.factories import LicenceFactory

    type(trainee).objects.filter(pk=trainee.pk).update(legal_name=payload)
    LicenceFactory(holder=trainee)  # waiting in the queue
    course = course_world["course"]
    pages = [
        (instructor, reverse("courses:roster", args=[course.code])),
        (administrator, reverse("accounts:licence_queue")),
        (administrator, reverse("courses:roster", args=[course.code])),
        (trainee, reverse("accounts:trainee_dashboard")),
    ]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_licence_numbers_and_reasons_are_escaped(client_for, trainee, administrator, payload):
    from accounts import services
    from accounts.tests.factories import LicenceFactory

    rejected = LicenceFactory(holder=trainee, number=payload[:50])
    services.licence_reject(licence_id=rejected.pk, actor=administrator, reason=payload)
    revoked = LicenceFactory(holder=trainee, verified=True, number=payload[:50])
    services.licence_revoke(licence_id=revoked.pk, actor=administrator, reason=payload)
    waiting = LicenceFactory(holder=trainee, number=payload[:50])
    for user, url in [
        (trainee, reverse("accounts:trainee_dashboard")),
        (trainee, reverse("accounts:licence_list")),
        (trainee, reverse("accounts:licence_detail", args=[rejected.pk])),
        (trainee, reverse("accounts:licence_detail", args=[revoked.pk])),
        (administrator, reverse("accounts:licence_queue")),
        (administrator, reverse("accounts:licence_review", args=[waiting.pk])),
        (administrator, reverse("core:audit_list")),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), payload[:50])


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_certificate_names_and_revocation_reasons_are_escaped_and_printed_as_text(client_for, administrator, payload):
    from certification.documents import certificate_pdf
    from certification.services import lifecycle
    from tests.support.certificates import make_certificate

    certificate = make_certificate(name=f"Dr {payload}")
    text = squeeze(pdf_text(certificate_pdf(certificate)))
    assert squeeze(PRINTED.get(payload, payload)) in text
    verify = client_for(None).get(reverse("certification:verify", args=[certificate.code]))
    assert_shown_escaped(verify.content.decode(), f"Dr {payload}")
    lifecycle.certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason=payload)
    staff = client_for(administrator).get(reverse("certification:staff_detail", args=[certificate.pk]))
    assert staff.status_code == 200
    assert_shown_escaped(staff.content.decode(), payload)


def test_a_very_long_name_fits_the_certificate_and_the_pages(client_for, administrator):
    from certification.documents import certificate_pdf
    from tests.support.certificates import make_certificate

    name = "Wolfeschlegelsteinhausenbergerdorff " * 5 + "Adelheid-Marie " * 5
    name = name.strip()[:200]
    certificate = make_certificate(name=name)
    text = squeeze(pdf_text(certificate_pdf(certificate)))
    assert squeeze(name) in text
    assert client_for(None).get(reverse("certification:verify", args=[certificate.code])).status_code == 200
    response = client_for(administrator).get(reverse("certification:staff_detail", args=[certificate.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "field", "limit", "data"),
    [
        ("accounts:profile_edit", "legal_name", 200, {"profession": "md"}),
        ("accounts:licence_create", "number", 50, {"profession": "md"}),
    ],
)
def test_values_over_the_limit_are_refused_at_the_field(client_for, trainee, url_name, field, limit, data):
    response = client_for(trainee).post(reverse(url_name), {**data, field: "x" * (limit + 1)})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_a_legal_name_with_direction_controls_is_refused(client_for, trainee):
    """A right-to-left override would make a certificate show a name other than the one
    stored and searched; legal names are refused with it (and with other invisible
    formatting characters)."""
    for name in (RLO, "Ada\u2066Trainee", "Ada\u200bTrainee"):
        response = client_for(trainee).post(reverse("accounts:profile_edit"), {"legal_name": name, "profession": "md"})
        assert response.status_code == 200
        assert response.context["form"].errors["legal_name"] == [
            "Use letters, spaces and punctuation only: this name contains invisible formatting characters."
        ]
    trainee.refresh_from_db()
    assert trainee.legal_name == "Ada Trainee"
    ok = client_for(trainee).post(reverse("accounts:profile_edit"), {"legal_name": "أحمد بن علي", "profession": "md"})
    assert ok.status_code == 302


# Lessons, feedback, hands-on logbook ------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_lesson_text_is_sanitised(client_for, trainee, course_world, payload):
    from courses.services import lesson_save

    course = course_world["course"]
    lesson = course.modules.first().lessons.first()
    lesson.body_html = f'<p>{payload}</p><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>{payload}'
    lesson_save(lesson=lesson)
    html = client_for(trainee).get(reverse("courses:lesson", args=[course.code, lesson.pk])).content.decode()
    body = html[html.index("<article") :] if "<article" in html else html
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_practical_feedback_is_escaped(client_for, instructor, examiner, payload):
    from exams.practical import services as practical
    from tests.support.practical import build_eligible, held_today, make_station, schedule

    enrolment = build_eligible(instructor)
    from exams.models import PracticalExam

    make_station(PracticalExam.objects.get_or_create(course=enrolment.course)[0])
    assessment = held_today(schedule(enrolment, [examiner]))
    for rubric in assessment.rubrics.all():
        points = {str(c.pk): c.points for c in rubric.criteria.all()}
        practical.score_save(assessment=assessment, rubric_id=rubric.pk, examiner=examiner, points=points,
                             global_grade=3, comments=payload, submit=True)  # fmt: skip
    response = client_for(enrolment.trainee).get(reverse("exams:practical", args=[enrolment.course.code]))
    assert response.status_code == 200
    assert_shown_escaped(response.content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_hands_on_pages_escape_and_the_logbook_pdf_prints_text(client_for, trainee, instructor, course_world, payload):
    type(trainee).objects.filter(pk=trainee.pk).update(legal_name=payload)
    session = course_world["record"](course_world["enrolment"], instructor, clinic=payload[:100], went_well=payload)
    course = course_world["course"]
    for user, url in [
        (trainee, reverse("courses:session_detail", args=[session.pk])),
        (trainee, reverse("courses:logbook", args=[course.code])),
        (instructor, reverse("courses:session_list", args=[course.code])),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert_shown_escaped(response.content.decode(), payload[:100])
    from courses.handson.logbook_pdf import render_logbook_pdf  # what the worker renders
    from courses.models import Enrolment

    text = squeeze(pdf_text(render_logbook_pdf(Enrolment.objects.get(pk=course_world["enrolment"].pk))))
    assert squeeze(PRINTED.get(payload, payload)) in text


# Exam items and CSV exports ---------------------------------------------------------------


@pytest.fixture
def exam_world(trainee, administrator, course_world):
    from exams.tests.factories import exam_for

    course = course_world["course"]
    exam_for(course)
    course_world["enrolment"].completions.create(lesson=course.modules.first().lessons.first())
    return course


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_item_stems_are_escaped_on_the_exam_result_and_analysis_pages(client_for, trainee, administrator, exam_world,
                                                                      course_world, payload):  # fmt: skip
    from exams.services import attempts as services

    exam_world.questions.update(stem=payload)
    # One attempt allowed: the result's full review shows the items (the key is released).
    exam_world.exam_settings.__class__.objects.filter(course=exam_world).update(attempts_allowed=1)
    attempt = services.attempt_start(trainee=trainee, enrolment=course_world["enrolment"])
    page = client_for(trainee).get(reverse("exams:attempt", args=[attempt.pk]))
    assert_shown_escaped(page.content.decode(), payload)
    services.attempt_submit(attempt=attempt, trainee=trainee)
    result = client_for(trainee).get(reverse("exams:result", args=[attempt.pk]))
    assert_shown_escaped(result.content.decode(), payload)
    analysis = client_for(administrator).get(reverse("exams:analysis", args=[exam_world.code]))
    assert_shown_escaped(analysis.content.decode(), payload)


def test_csv_exports_neutralise_formulas(client_for, trainee, administrator, exam_world, course_world):
    from exams.services import attempts as services

    questions = list(exam_world.questions.order_by("ref"))
    for question, formula in zip(questions, FORMULAS * 2, strict=False):
        question.stem = formula
        question.save()
    attempt = services.attempt_start(trainee=trainee, enrolment=course_world["enrolment"])
    services.attempt_submit(attempt=attempt, trainee=trainee)
    client = client_for(administrator)
    for url in (
        reverse("exams:bank_export", args=[exam_world.code, "csv"]),
        reverse("exams:analysis_csv", args=[exam_world.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells
        dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert dangerous == [], (url, dangerous)
        for formula in FORMULAS:
            assert "'" + formula in cells, (url, formula)
