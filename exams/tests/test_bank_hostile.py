"""Question-bank files a spreadsheet or an attacker might produce: each problem is named at
its row in the report (or, for a file that is not a bank at all, at the file field), and
nothing is written; the bank already there is untouched."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.tests.factories import CourseFactory
from exams import bank
from exams.models import CaseSet, Option, Question

pytestmark = pytest.mark.django_db

HEADER = "ref,type,topic,difficulty,case_ref,case_title,case_vignette,stem,option_1,option_2,correct,explanation,status"


def item(**changes):
    data = {
        "ref": "OK-1", "type": "single", "topic": "anatomy", "difficulty": "easy", "stem": "Which muscle?",
        "options": [{"text": "Procerus", "correct": True}, {"text": "Frontalis", "correct": False}],
        "explanation": "", "status": "active",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not DROP}


DROP = object()


def case(**changes):
    data = {"ref": "CASE-1", "title": "A frown", "vignette": "A patient frowns.", "items": [item(ref="C-1")]}
    data.update(changes)
    return data


@pytest.fixture
def course():
    """A course whose bank already holds OK-1, which no failed import may change."""
    course = CourseFactory()
    report = bank.bank_import(course=course, bank={"format": bank.FORMAT, "items": [item()]})
    assert report.ok
    return course


def import_json(course, data) -> bank.ImportReport:
    return bank.bank_import_file(course=course, name="bank.json", data=json.dumps(data).encode())


def assert_nothing_written(course):
    question = Question.objects.get()
    assert (question.ref, question.stem, question.case_set) == ("OK-1", "Which muscle?", None)
    assert list(Option.objects.values_list("text", flat=True)) == ["Procerus", "Frontalis"]
    assert not CaseSet.objects.exists()


WRONG_TYPES = [
    # (the file's content, the problems the report lists as (where, ref, message))
    pytest.param({"items": "OK-2"}, [("file", "—", "items must be a list, not text.")], id="items-string"),
    pytest.param({"items": {"ref": "OK-2"}}, [("file", "—", "items must be a list, not an object.")], id="items-dict"),
    pytest.param({"case_sets": 3}, [("file", "—", "case_sets must be a list, not a number.")], id="case-sets-number"),
    pytest.param({"items": ["OK-2"]}, [("item 1", "—", "An item must be an object ({…}), not text.")],
                 id="item-string"),
    pytest.param({"items": [None]}, [("item 1", "—", "An item must be an object ({…}), not null.")], id="item-null"),
    pytest.param({"items": [[item()]]}, [("item 1", "—", "An item must be an object ({…}), not a list.")],
                 id="item-list"),
    pytest.param({"items": [item(ref=12)]}, [("item 1", "—", "ref must be text, not a number.")], id="ref-number"),
    pytest.param({"items": [item(ref=["A"])]}, [("item 1", "—", "ref must be text, not a list.")], id="ref-list"),
    pytest.param({"items": [item(ref={"a": 1})]}, [("item 1", "—", "ref must be text, not an object.")],
                 id="ref-dict"),
    pytest.param({"items": [item(ref=None)]}, [("item 1", "—", "The reference (ref) is missing.")], id="ref-null"),
    pytest.param({"items": [item(ref=True)]}, [("item 1", "—", "ref must be text, not true/false.")], id="ref-bool"),
    pytest.param({"items": [item(ref="OK-2", stem={"en": "Which?"})]},
                 [("item 1", "OK-2", "stem must be text, not an object.")], id="stem-dict"),
    pytest.param({"items": [item(ref="OK-2", stem=["Which?"])]},
                 [("item 1", "OK-2", "stem must be text, not a list.")], id="stem-list"),
    pytest.param({"items": [item(ref="OK-2", stem=None)]},
                 [("item 1", "OK-2", "The question text (stem) is empty.")], id="stem-null"),
    pytest.param({"items": [item(ref="OK-2", stem=3.5)]},
                 [("item 1", "OK-2", "stem must be text, not a number.")], id="stem-number"),
    pytest.param({"items": [item(ref="OK-2", type=1)]}, [("item 1", "OK-2", "type must be text, not a number.")],
                 id="type-number"),
    pytest.param({"items": [item(ref="OK-2", type=["single"])]},
                 [("item 1", "OK-2", "type must be text, not a list.")], id="type-list"),
    pytest.param({"items": [item(ref="OK-2", type=None)]},
                 [("item 1", "OK-2", "type must be single or multiple, not “”.")], id="type-null"),
    pytest.param({"items": [item(ref="OK-2", topic=["anatomy"])]},
                 [("item 1", "OK-2", "topic must be text, not a list.")], id="topic-list"),
    pytest.param({"items": [item(ref="OK-2", topic={"name": "anatomy"})]},
                 [("item 1", "OK-2", "topic must be text, not an object.")], id="topic-dict"),
    pytest.param({"items": [item(ref="OK-2", difficulty=2)]},
                 [("item 1", "OK-2", "difficulty must be text, not a number.")], id="difficulty-number"),
    pytest.param({"items": [item(ref="OK-2", status=False)]},
                 [("item 1", "OK-2", "status must be text, not true/false.")], id="status-bool"),
    pytest.param({"items": [item(ref="OK-2", explanation=["Because"])]},
                 [("item 1", "OK-2", "explanation must be text, not a list.")], id="explanation-list"),
    pytest.param({"items": [item(ref="OK-2", options="Procerus;Frontalis")]},
                 [("item 1", "OK-2", "options must be a list, not text.")], id="options-string"),
    pytest.param({"items": [item(ref="OK-2", options={"text": "Procerus"})]},
                 [("item 1", "OK-2", "options must be a list, not an object.")], id="options-dict"),
    pytest.param({"items": [item(ref="OK-2", options=2)]},
                 [("item 1", "OK-2", "options must be a list, not a number.")], id="options-number"),
    pytest.param({"items": [item(ref="OK-2", options=None)]},
                 [("item 1", "OK-2", "An item needs at least two options, none of them empty."),
                  ("item 1", "OK-2", "A single-best-answer item needs exactly one correct option; this one has 0.")],
                 id="options-null"),
    pytest.param({"items": [item(ref="OK-2", options=["Procerus", {"text": "Frontalis", "correct": True}])]},
                 [("item 1", "OK-2", "option 1 must be an object ({…}), not text.")], id="option-string"),
    pytest.param({"items": [item(ref="OK-2", options=[{"text": 1, "correct": True}, {"text": "Frontalis"}])]},
                 [("item 1", "OK-2", "option 1 text must be text, not a number.")], id="option-text-number"),
    pytest.param({"items": [item(ref="OK-2", options=[{"text": "P", "correct": "yes"}, {"text": "F"}])]},
                 [("item 1", "OK-2", "option 1 correct must be true or false, not text.")], id="option-correct-string"),
    pytest.param({"items": [item(ref="OK-2", options=[{"text": "P", "correct": 1}, {"text": "F"}])]},
                 [("item 1", "OK-2", "option 1 correct must be true or false, not a number.")],
                 id="option-correct-number"),
    pytest.param({"case_sets": ["CASE-1"]}, [("case set 1", "—", "A case set must be an object ({…}), not text.")],
                 id="case-string"),
    pytest.param({"case_sets": [case(ref=7)]}, [("case set 1", "—", "ref must be text, not a number.")],
                 id="case-ref-number"),
    pytest.param({"case_sets": [case(vignette=["A patient"])]},
                 [("case set 1", "CASE-1", "vignette must be text, not a list.")], id="case-vignette-list"),
    pytest.param({"case_sets": [case(title={"en": "x"})]},
                 [("case set 1", "CASE-1", "title must be text, not an object.")], id="case-title-dict"),
    pytest.param({"case_sets": [case(items="C-1")]},
                 [("case set 1", "CASE-1", "items must be a list, not text.")], id="case-items-string"),
    pytest.param({"case_sets": [case(items=[5])]},
                 [("case set 1, item 1", "—", "An item must be an object ({…}), not a number.")],
                 id="case-item-number"),
    pytest.param({"case_sets": [case(), case(items=[item(ref="C-2")])]},
                 [("case set 2", "CASE-1", "This reference appears twice in the file.")], id="case-twice"),
    pytest.param({"items": [item(ref="R" * 41)]},
                 [("item 1", "R" * 41, "ref: Ensure this value has at most 40 characters (it has 41).")],
                 id="ref-too-long"),
    pytest.param({"items": [item(ref="OK-2", options=[{"text": "P" * 501, "correct": True}, {"text": "F"}])]},
                 [("item 1", "OK-2", "option 1 text: Ensure this value has at most 500 characters (it has 501).")],
                 id="option-too-long"),
    pytest.param({"case_sets": [case(ref="C" * 41)]},
                 [("case set 1", "C" * 41, "ref: Ensure this value has at most 40 characters (it has 41).")],
                 id="case-ref-too-long"),
    pytest.param({"case_sets": [case(title="T" * 201)]},
                 [("case set 1", "CASE-1", "title: Ensure this value has at most 200 characters (it has 201).")],
                 id="case-title-too-long"),
    pytest.param({"case_sets": [case(title="")]},
                 [("case set 1", "CASE-1", "title: This field cannot be blank.")], id="case-title-blank"),
    pytest.param({"items": [item(ref="OK\x002")]},
                 [("item 1", "OK\x002", "ref contains a NUL character (\\0), which cannot be stored.")], id="nul-ref"),
    pytest.param({"items": [item(ref="OK-2", stem="Which\x00 muscle?")]},
                 [("item 1", "OK-2", "stem contains a NUL character (\\0), which cannot be stored.")], id="nul-stem"),
    pytest.param({"items": [item(ref="OK-2", explanation="\x00")]},
                 [("item 1", "OK-2", "explanation contains a NUL character (\\0), which cannot be stored.")],
                 id="nul-explanation"),
    pytest.param({"items": [item(ref="OK-2", options=[{"text": "P\x00", "correct": True}, {"text": "F"}])]},
                 [("item 1", "OK-2", "option 1 text contains a NUL character (\\0), which cannot be stored.")],
                 id="nul-option"),
    pytest.param({"case_sets": [case(vignette="A\x00")]},
                 [("case set 1", "CASE-1", "vignette contains a NUL character (\\0), which cannot be stored.")],
                 id="nul-vignette"),
    pytest.param({"items": [item(ref="OK-2", stem="Which \ud800?")]},
                 [("item 1", "OK-2", "stem contains characters that are not valid Unicode.")], id="lone-surrogate"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "problems"), WRONG_TYPES)
def test_a_bank_of_the_wrong_shape_is_reported_at_its_rows_and_nothing_is_written(course, content, problems):
    # given a valid item beside the bad one, so that "nothing is written" means something
    content = {"format": bank.FORMAT, "items": [], **content}
    if isinstance(content["items"], list):
        content["items"] = [*content["items"], item(ref="OK-3", stem="Changed?")]
    report = import_json(course, content)
    assert report.errors == problems
    assert (report.created, report.updated) == (0, 0)
    assert_nothing_written(course)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000, "The file is not valid JSON. The data is nested too deeply."),
        (b'{"format": "glabella-question-bank/1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "The file is not valid JSON. The data is nested too deeply."),
        (b'{"format": "glabella-question-bank/1", "items": [], "x": 1e400}',
         "The file is not valid JSON. The data holds a number that is not finite (NaN, Infinity or too large)."),
        (b'{"format": "glabella-question-bank/1", "items": [], "x": NaN}',
         "The file is not valid JSON. The data holds a number that is not finite (NaN, Infinity or too large)."),
        (b'{"format": "glabella-question-bank/1", "items": [], "x": ' + b"1" * 5000 + b"}",
         "The file is not valid JSON. The data holds a number with too many digits."),
        (b"\xff\xfe{}", "The file is not valid JSON. The data is not UTF-8 text."),
        (b"[]", "The file is not a Glabella question bank (format “glabella-question-bank/1” expected)."),
        (b'"glabella-question-bank/1"',
         "The file is not a Glabella question bank (format “glabella-question-bank/1” expected)."),
    ],
    ids=["100k-[", "100k-deep-items", "1e400", "NaN", "5000-digits", "not-utf8", "list", "string"],
)  # fmt: skip
def test_a_file_that_is_not_a_bank_is_refused_whole(course, data, message):
    with pytest.raises(ValueError, match="^") as error:
        bank.bank_import_file(course=course, name="bank.json", data=data)
    assert str(error.value) == message
    assert_nothing_written(course)


def csv_file(*rows, newline="\n", bom=False) -> bytes:
    text = newline.join([HEADER, *rows]) + newline
    return ("\ufeff" if bom else "").encode() + text.encode()


def test_a_csv_field_over_the_csv_modules_limit_is_reported_at_its_row(course):
    data = csv_file(
        "OK-3,single,anatomy,easy,,,,Which?,A,B,1,,active",
        f"BIG,single,anatomy,easy,,,,{'x' * 200_000},A,B,1,,active",
    )
    report = bank.bank_import_file(course=course, name="bank.csv", data=data)
    assert report.errors == [
        ("row 3", "—", "This row could not be read (a field is longer than 131,072 characters); "
                       "rows after it were not read."),
    ]  # fmt: skip
    assert_nothing_written(course)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (f"{'R' * 41},single,anatomy,easy,,,,Which?,A,B,1,,active",
         ("row 3", "R" * 41, "ref: Ensure this value has at most 40 characters (it has 41).")),
        ("OK-4,single,anatomy,easy,,,,Which\x00?,A,B,1,,active",
         ("row 3", "OK-4", "stem contains a NUL character (\\0), which cannot be stored.")),
        ("OK-4,single,anatomy,easy,,,,Which?,A\x00,B,1,,active",
         ("row 3", "OK-4", "option 1 text contains a NUL character (\\0), which cannot be stored.")),
        ("OK-4,single,anatomy,easy,C1,,A patient,Which?,A,B,1,,active",
         ("case set 1", "C1", "title: This field cannot be blank.")),
    ],
    ids=["ref-too-long", "nul-stem", "nul-option", "case-without-title"],
)  # fmt: skip
def test_csv_rows_the_database_would_refuse_are_reported_and_nothing_is_written(course, row, problem):
    data = csv_file("OK-3,single,anatomy,easy,,,,Which?,A,B,1,,active", row)
    report = bank.bank_import_file(course=course, name="bank.csv", data=data)
    assert report.errors == [problem]
    assert_nothing_written(course)


@pytest.mark.parametrize(
    ("newline", "bom"),
    [("\r\n", True), ("\r\n", False), ("\r", True), ("\n", True)],
    ids=["crlf-bom", "crlf", "cr", "bom"],
)
def test_a_csv_with_a_bom_or_windows_line_endings_imports(course, newline, bom):
    data = csv_file(
        'OK-3,single,anatomy,easy,,,,"Which muscle\r\nfrowns?",Procerus,Frontalis,1,,active',
        "OK-1,single,anatomy,easy,,,,Which muscle?,Procerus,Corrugator,1,,active",
        newline=newline,
        bom=bom,
    )
    report = bank.bank_import_file(course=course, name="BANK.CSV", data=data)
    assert report.errors == []
    assert (report.created, report.updated) == (1, 1)
    assert Question.objects.get(ref="OK-3").stem == "Which muscle\r\nfrowns?"
    assert list(Question.objects.get(ref="OK-1").options.values_list("text", flat=True)) == ["Procerus", "Corrugator"]


def test_the_bank_page_shows_row_problems_in_the_report_and_file_problems_at_the_field(client_for, administrator,
                                                                                     course):  # fmt: skip
    client = client_for(administrator)
    url = reverse("exams:bank", args=[course.code])
    bad = {"format": bank.FORMAT, "items": [item(ref="OK-2", options="A;B")]}
    response = client.post(url, {"file": SimpleUploadedFile("bank.json", json.dumps(bad).encode())})
    assert response.status_code == 200
    assert response.context["report"].errors == [("item 1", "OK-2", "options must be a list, not text.")]
    assert "1 problem; nothing was imported" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("bank.json", b"[" * 100_000)})
    assert response.status_code == 200
    assert response.context["error"] == "The file is not valid JSON. The data is nested too deeply."
    assert 'aria-invalid="true"' in response.content.decode()
    big = csv_file(f"BIG,single,anatomy,easy,,,,{'x' * 200_000},A,B,1,,active")
    response = client.post(url, {"file": SimpleUploadedFile("bank.csv", big)})
    assert response.status_code == 200
    assert response.context["report"].errors[0][0] == "row 2"
    assert_nothing_written(course)
