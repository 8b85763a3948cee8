"""JSON bodies and question-bank files, fuzzed with Hypothesis.

The endpoints that read JSON sent from outside (exam autosave; the question-bank import,
JSON and CSV) are given bodies built token by token, so that they hold what Python's
``json`` accepts but JSON does not (``NaN``, ``Infinity``, ``1e400``), integers of
thousands of digits, nesting thousands deep, lone surrogates and NUL, bytes that are not
UTF-8, values of every type where each field is expected. The properties: never a 500 or
an unhandled exception; a refusal says why; a refused autosave changes nothing; an import
either writes every row or writes nothing.

Example counts are modest to keep the suite fast; under CI=true the examples are
derandomised so that a run is repeatable."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from courses.tests.factories import CourseFactory
from exams import bank
from exams.models import CaseSet, Question, Topic
from tests.support.written import ready_trainee, start, tokens

pytestmark = pytest.mark.django_db

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=CI,
    # The fixtures (database, users, course) are built once per test and shared by its
    # examples on purpose: each example only adds to them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# JSON text, token by token ------------------------------------------------------------------

HOSTILE_TOKENS = [
    "1e400", "-1e400", "1E+999", "Infinity", "-Infinity", "NaN", "1" * 4400, "-" + "9" * 5000, "-0", "0.0",
    "1e-400", "true", "false", "null", '"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"a\\u0000b"', '""',
    '"' + "x" * 600 + '"', "[]", "{}",
]  # fmt: skip
scalar_text = st.one_of(
    st.sampled_from(HOSTILE_TOKENS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=20).map(json.dumps),
)
json_text = st.recursive(
    scalar_text,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.lists(st.tuples(st.text(max_size=8).map(json.dumps), children), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
        ),
    ),
    max_leaves=10,
)
deep_text = st.builds(
    lambda depth, opener, closed: opener * depth + ("]" * depth if closed and opener == "[" else ""),
    st.integers(min_value=500, max_value=20_000),
    st.sampled_from(["[", '{"a":']),
    st.booleans(),
)


def obj(fields: dict[str, str]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields.items()) + "}"


# Autosave -------------------------------------------------------------------------------------


@pytest.fixture
def sitting(client_for, settings):
    settings.EXAM_AUTOSAVE_RATE_LIMIT = "100000/m"
    trainee, course = ready_trainee()
    client = client_for(trainee)
    attempt = start(client, course)
    # The page's option tokens (what a browser sends) and the bank's keys (refused).
    options = [option["key"] for item in attempt.items.all() for option in item.options]
    keys = sorted({*tokens(attempt, options), *options})
    return client, attempt, keys


def test_autosave_never_answers_500_and_a_refusal_changes_nothing(sitting):
    client, attempt, keys = sitting
    url = reverse("exams:autosave", args=[attempt.pk])
    n = attempt.items.count()
    fields = st.fixed_dictionaries(
        {},
        optional={
            "position": st.one_of(st.integers(min_value=-1, max_value=n + 1).map(str), json_text),
            "keys": st.one_of(st.lists(st.sampled_from(keys), max_size=3).map(json.dumps), json_text),
            "flagged": st.one_of(st.sampled_from(["true", "false"]), json_text),
            "junk": json_text,
        },
    )
    bodies = st.one_of(
        fields.map(obj).map(str.encode),
        json_text.map(str.encode),
        deep_text.map(str.encode),
        st.builds(lambda body, cut: body[:cut], fields.map(obj).map(str.encode), st.integers(0, 40)),
        st.binary(max_size=200),
        st.text(max_size=40).map(lambda t: t.encode("utf-16")),
    )

    def state():
        return list(attempt.items.order_by("position").values_list("response", "flagged"))

    @FUZZ
    @given(bodies, st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]))
    def check(body, content_type):
        before = state()
        response = client.post(url, body, content_type=content_type)
        assert response.status_code in (200, 400, 413), response.status_code
        data = response.json()
        if response.status_code != 200:
            assert data["ok"] is False
            assert isinstance(data["error"], str)
            assert data["error"]
            assert state() == before

    check()


# The question-bank importer -------------------------------------------------------------------

HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "R" * 41, "T" * 201, "O" * 501, "single", "multiple",
                     "anatomy", "easy", "active", "Q-1", "=1+1", "\r\n"]),
    st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip
valid_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30).filter(str.strip)


@st.composite
def valid_item(draw, ref):
    kind = draw(st.sampled_from(["single", "multiple"]))
    texts = draw(st.lists(valid_text, min_size=2, max_size=4, unique_by=str.strip))
    correct = {0} if kind == "single" else {0, 1}
    return {
        "ref": ref,
        "type": kind,
        "topic": draw(st.sampled_from(Topic.values)),
        "difficulty": draw(st.sampled_from(["easy", "medium", "hard"])),
        "stem": draw(valid_text),
        "options": [{"text": t, "correct": i in correct} for i, t in enumerate(texts)],
        "explanation": draw(st.text(max_size=20).filter(lambda t: "\x00" not in t)),
        "status": draw(st.sampled_from(["draft", "active", "retired"])),
    }


@st.composite
def banks(draw):
    """A valid bank (refs from a small set, so that imports update as well as create),
    with a few of its values replaced by values of any type."""
    refs = draw(st.lists(st.sampled_from([f"Q-{i}" for i in range(1, 7)]), min_size=1, max_size=5, unique=True))
    items = [draw(valid_item(ref)) for ref in refs]
    loose, in_case = items[: len(items) // 2 + 1], items[len(items) // 2 + 1 :]
    data = {"format": bank.FORMAT, "items": loose}
    if in_case:
        data["case_sets"] = [{"ref": draw(st.sampled_from(["C-1", "C-2"])), "title": "A frown",
                              "vignette": draw(valid_text), "items": in_case}]  # fmt: skip
    targets = [data, *data.get("case_sets", []), *items, *(o for item in items for o in item["options"])]
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(targets))
        key = draw(st.sampled_from(sorted(target) + ["options", "items", "ref"]))
        if key == "format":
            continue
        if draw(st.booleans()) and key in target:
            del target[key]
        else:
            target[key] = draw(HOSTILE_VALUES)
    return data


def snapshot(course) -> list:
    return [
        (q.ref, q.kind, q.topic, q.difficulty, q.stem, q.explanation, q.status, q.case_set.ref if q.case_set else None,
         [(o.text, o.is_correct) for o in q.options.all()])
        for q in Question.objects.filter(course=course).select_related("case_set").prefetch_related("options")
    ] + list(CaseSet.objects.filter(course=course).values_list("ref", "title", "vignette"))  # fmt: skip


def refs_in(data) -> set[str]:
    items = list(data.get("items") or [])
    for case in data.get("case_sets") or []:
        items += case.get("items") or []
    return {item["ref"].strip() for item in items}


def import_checked(course, name, payload: bytes):
    """Import; the property: a file-level refusal or a report, never another exception;
    with problems, nothing changed; without, every row is there. The report."""
    before = snapshot(course)
    try:
        report = bank.bank_import_file(course=course, name=name, data=payload)
    except ValueError as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        event("refused whole")
        assert refusal
        assert snapshot(course) == before
        return None
    event("imported" if report.ok else "reported")
    if not report.ok:
        assert all(isinstance(part, str) and part for row in report.errors for part in row)
        assert (report.created, report.updated) == (0, 0)
        assert snapshot(course) == before
    return report


def test_bank_json_import_never_raises_and_is_all_or_nothing():
    course = CourseFactory()

    @FUZZ
    @given(banks(), st.one_of(st.none(), json_text, deep_text))
    def check(data, extra):
        payload = json.dumps(data)
        if extra is not None:  # a raw token JSON cannot carry: 1e400, NaN, 5000 digits, 20,000 levels
            payload = payload[:-1] + ', "extra": ' + extra + "}"
        report = import_checked(course, "bank.json", payload.encode())
        if report is not None and report.ok:
            stored = set(Question.objects.filter(course=course).values_list("ref", flat=True))
            assert refs_in(data) <= stored
            assert report.created + report.updated == len(refs_in(data))

    check()


CSV_HEADER = [
    "ref", "type", "topic", "difficulty", "case_ref", "case_title", "case_vignette", "stem", "option_1",
    "option_2", "option_3", "correct", "explanation", "status",
]  # fmt: skip
csv_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "\x00", "1;2", "²", "١", "9" * 5000, "R" * 41, "O" * 501, '"', "\r", "\n", "'=1", "=1"]),
)


@st.composite
def csv_files(draw):
    rows = []
    for number in range(draw(st.integers(1, 4))):
        row = {
            "ref": f"Q-{number}", "type": "single", "topic": "anatomy", "difficulty": "easy", "case_ref": "",
            "case_title": "", "case_vignette": "", "stem": draw(valid_text), "option_1": "A", "option_2": "B",
            "option_3": "", "correct": "1", "explanation": "", "status": "active",
        }  # fmt: skip
        if draw(st.booleans()):
            row.update(case_ref="C-1", case_title="A frown", case_vignette="A patient frowns.")
        for key in draw(st.lists(st.sampled_from(CSV_HEADER), max_size=3)):
            row[key] = draw(csv_values)
        rows.append(row)
    if draw(st.integers(0, 9)) == 0:  # a field past the csv module's limit
        rows[-1]["stem"] = "x" * (csv.field_size_limit() + 1)
    header = draw(st.one_of(st.just(CSV_HEADER), st.permutations(CSV_HEADER), st.lists(st.sampled_from(CSV_HEADER))))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])))
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    text = out.getvalue()
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text, rows


def test_bank_csv_import_never_raises_and_is_all_or_nothing():
    course = CourseFactory()

    @FUZZ
    @given(csv_files(), st.one_of(st.none(), st.binary(max_size=40)))
    def check(file, garbage):
        text, rows = file
        try:
            payload = text.encode("utf-8")
        except UnicodeEncodeError:
            assume(False)
        report = import_checked(course, "bank.csv", payload + (garbage or b""))
        if report is not None and report.ok and garbage is None:
            stored = set(Question.objects.filter(course=course).values_list("ref", flat=True))
            assert {row["ref"].strip() for row in rows} <= stored

    check()
