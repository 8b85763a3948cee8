"""The question-bank import report on a phone: a hostile file's problems are listed by row,
and a long unbroken reference does not push the page (or the Problem column) off screen."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import AdministratorFactory, add_totp
from courses.tests.factories import CourseFactory
from exams.models import Question

pytestmark = pytest.mark.browser


def test_the_import_report_fits_a_phone(page, live_server, tmp_path):
    administrator = add_totp(AdministratorFactory(email="bank-admin@example.com"))
    course = CourseFactory()
    client = Client()
    client.force_login(administrator, backend=settings.AUTHENTICATION_BACKENDS[0])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    hostile = tmp_path / "bank.json"
    hostile.write_text(json.dumps({"format": "glabella-question-bank/1", "items": [
        {"ref": "R" * 45, "type": "single", "topic": "anatomy", "difficulty": "easy", "stem": "Which?",
         "options": [{"text": "A", "correct": "yes"}, {"text": "B", "correct": False}]},
        {"ref": "PH-01", "type": "single", "topic": ["anatomy"], "difficulty": "easy", "stem": "Which\u0000?",
         "options": "A;B"},
    ]}))  # fmt: skip

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(reverse("exams:bank", args=[course.code]))
    page.set_input_files("#id_file", str(hostile))
    page.get_by_role("button", name="Import", exact=True).click()

    report = page.get_by_role("alert")
    expect(report.get_by_role("heading")).to_have_text("4 problems; nothing was imported")
    expect(report).to_contain_text("option 1 correct must be true or false, not text.")
    expect(report).to_contain_text("stem contains a NUL character (\\0), which cannot be stored.")
    problem = report.get_by_text("options must be a list, not text.")
    assert problem.bounding_box()["x"] + problem.bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not Question.objects.exists()
