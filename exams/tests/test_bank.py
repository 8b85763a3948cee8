import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.tests.factories import CourseFactory
from exams import bank
from exams.models import CaseSet, Question

pytestmark = pytest.mark.django_db
DEMO = Path(bank.__file__).resolve().parent / "demo_data" / "question_bank.json"


def test_the_demo_bank_imports_and_round_trips_through_csv_and_json():
    course = CourseFactory()
    report = bank.bank_import(course=course, bank=json.loads(DEMO.read_text()))
    assert report.ok, report.errors[:3]
    assert Question.objects.filter(course=course).count() >= 60
    assert CaseSet.objects.filter(course=course).count() >= 3
    assert set(Question.objects.values_list("topic", flat=True)) == {
        "pharmacology", "anatomy", "assessment", "technique", "complications", "ethics"
    }  # fmt: skip
    exported_csv = bank.bank_export_csv(course=course)
    other = CourseFactory()
    report = bank.bank_import(course=other, bank=bank.parse_csv(exported_csv.encode()))
    assert report.ok, report.errors[:3]
    assert report.created == Question.objects.filter(course=course).count()
    assert (
        json.loads(bank.bank_export_json(course=other))["items"]
        == json.loads(bank.bank_export_json(course=course))["items"]
    )


def test_import_reports_every_bad_row_and_writes_nothing():
    course = CourseFactory()
    csv_text = (
        "ref,type,topic,difficulty,stem,option_1,option_2,option_3,correct,explanation,status\n"
        "OK-1,single,anatomy,easy,Which muscle?,Procerus,Frontalis,,1,,active\n"
        "BAD-1,single,astrology,easy,Which?,A,B,,1,,active\n"
        "BAD-2,multiple,anatomy,easy,Which?,A,B,C,1,,active\n"
        "BAD-3,single,anatomy,easy,,A,B,,1;2,,active\n"
    )
    report = bank.bank_import(course=course, bank=bank.parse_csv(csv_text.encode()))
    assert not report.ok
    assert (
        "row 3",
        "BAD-1",
        "topic must be one of pharmacology, anatomy, assessment, technique, complications, ethics, not “astrology”.",
    ) in report.errors  # noqa: E501
    assert (
        "row 4",
        "BAD-2",
        "A multiple-response item needs at least two correct options; this one has 1.",
    ) in report.errors
    assert ("row 5", "BAD-3", "The question text (stem) is empty.") in report.errors
    assert (
        "row 5",
        "BAD-3",
        "A single-best-answer item needs exactly one correct option; this one has 2.",
    ) in report.errors
    assert not Question.objects.exists()


def test_csv_export_neutralises_formulas():
    course = CourseFactory()
    bank.bank_import(
        course=course,
        bank={"format": bank.FORMAT, "items": [{
            "ref": "F-1", "type": "single", "topic": "ethics", "difficulty": "easy", "stem": "=HYPERLINK(\"x\")",
            "options": [{"text": "+1", "correct": True}, {"text": "@SUM(A1)", "correct": False}],
        }]},
    )  # fmt: skip
    exported = bank.bank_export_csv(course=course)
    assert "'=HYPERLINK" in exported
    assert "'+1" in exported
    again = bank.parse_csv(exported.encode())
    assert again["items"][0]["stem"] == '=HYPERLINK("x")'


def test_bank_page_imports_and_reports(client_for, administrator, trainee):
    course = CourseFactory()
    url = reverse("exams:bank", args=[course.code])
    assert client_for(trainee).get(url).status_code == 403
    client = client_for(administrator)
    response = client.post(url, {"file": SimpleUploadedFile("bank.json", b"{not json")})
    assert "The file is not valid JSON" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("bank.json", DEMO.read_bytes())})
    assert response.status_code == 302
    assert Question.objects.filter(course=course).count() >= 60
    export = client.get(reverse("exams:bank_export", args=[course.code, "csv"]))
    assert export["Content-Type"].startswith("text/csv")
    assert client.get(reverse("exams:bank_export", args=[course.code, "xml"])).status_code == 404


def test_the_downloaded_csv_opens_in_excel_with_accents_and_imports_again(client_for, administrator):
    course = CourseFactory()
    assert bank.bank_import(course=course, bank=json.loads(DEMO.read_text())).ok
    Question.objects.filter(course=course).update(stem="Ptosis après injection: que faire ?")
    body = client_for(administrator).get(reverse("exams:bank_export", args=[course.code, "csv"])).content
    assert body.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark
    assert "après" in body.decode("utf-8-sig")
    other = CourseFactory()
    report = bank.bank_import(course=other, bank=bank.parse_csv(body))
    assert report.ok, report.errors[:3]
    assert Question.objects.filter(course=other, stem__contains="après").count() == report.created
