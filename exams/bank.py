"""Question bank import and export.

JSON (``glabella-question-bank/1``)::

    {"format": "glabella-question-bank/1", "course_code": "BTA-101",
     "items": [{"ref": "PH-01", "type": "single" | "multiple", "topic": "pharmacology",
                "difficulty": "easy" | "medium" | "hard", "stem": "...",
                "options": [{"text": "...", "correct": true}, ...],
                "explanation": "...", "status": "active" | "draft" | "retired"}],
     "case_sets": [{"ref": "CASE-01", "title": "...", "vignette": "...", "items": [...]}]}

CSV, one item per row, UTF-8 with a header::

    ref,type,topic,difficulty,case_ref,case_title,case_vignette,stem,
    option_1,…,option_6,correct,explanation,status

``correct`` lists the 1-based numbers of the correct options, separated by ``;``
(``2`` or ``1;3``). Rows with the same ``case_ref`` form one case set.

An import is all or nothing: every row is checked first and the report lists each
problem with its row and reference; nothing is written unless every row is valid.
Items are matched by ``ref``: existing ones are updated (attempts already taken keep
their own snapshot), new ones created.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.json_input import JSONInputError, json_loads
from courses.models import Course

from .models import CaseSet, Difficulty, ItemStatus, Option, Question, Topic

FORMAT = "glabella-question-bank/1"
CSV_COLUMNS = [
    "ref", "type", "topic", "difficulty", "case_ref", "case_title", "case_vignette", "stem",
    *[f"option_{i}" for i in range(1, 7)], "correct", "explanation", "status",
]  # fmt: skip
KINDS = set(Question.Kind.values)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (row, ref, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _neutralise(value: str) -> str:
    """Spreadsheet programs run cells that start with these; prefix them with a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _restore(value: str) -> str:
    """Undo _neutralise on import, so an export imports back unchanged."""
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value


# What the report says. Field names (ref, type, stem…) are the file's, not translated.
MSG_NO_REF = _("The reference (ref) is missing.")
MSG_TYPE = _("type must be single or multiple, not “{value}”.")
MSG_TOPIC = _("topic must be one of {choices}, not “{value}”.")
MSG_DIFFICULTY = _("difficulty must be easy, medium or hard, not “{value}”.")
MSG_STATUS = _("status must be draft, active or retired, not “{value}”.")
MSG_NO_STEM = _("The question text (stem) is empty.")
MSG_OPTIONS = _("An item needs at least two options, none of them empty.")
MSG_SAME_OPTIONS = _("Two options have the same text.")
MSG_SINGLE = _("A single-best-answer item needs exactly one correct option; this one has {n}.")
MSG_MULTIPLE = _("A multiple-response item needs at least two correct options; this one has {n}.")
MSG_TWICE = _("This reference appears twice in the file.")
MSG_CASE = _("A case set needs a reference and a vignette.")
MSG_NOT_TEXT = _("{field} must be text, not {kind}.")
MSG_NOT_LIST = _("{field} must be a list, not {kind}.")
MSG_NOT_OBJECT = _("{field} must be an object ({{…}}), not {kind}.")
MSG_NOT_BOOL = _("{field} must be true or false, not {kind}.")
MSG_NUL = _("{field} contains a NUL character (\\0), which cannot be stored.")
MSG_NOT_UNICODE = _("{field} contains characters that are not valid Unicode.")
MSG_FIELD = _("{field}: {message}")
MSG_NOT_JSON = _("The file is not valid JSON. {reason}")
MSG_NOT_BANK = _("The file is not a Glabella question bank (format “{format}” expected).")
MSG_NOT_UTF8 = _("The CSV file must be UTF-8 encoded.")
MSG_HEADER = _("The CSV header lacks: {columns}.")
MSG_CSV_ROW = _("This row could not be read ({reason}); rows after it were not read.")
MSG_CSV_FIELD_LIMIT = _("a field is longer than {limit} characters")

MSG_RACE = _("The bank changed while this file was being imported; nothing was imported. Try again.")

FILE = "file"  # the report's "where" for problems with the file as a whole
NO_REF = "—"
_FILE_FIELDS = {"kind": "type", "text": "text"}  # model field → the file's name for it


def _kind(value) -> str:
    """What a JSON value is, in the report's words."""
    if value is None:
        return str(_("null"))
    if isinstance(value, bool):
        return str(_("true/false"))
    if isinstance(value, int | float):
        return str(_("a number"))
    if isinstance(value, str):
        return str(_("text"))
    if isinstance(value, list):
        return str(_("a list"))
    return str(_("an object"))


class _Row:
    """The errors of one row (an item or a case set) as they are found."""

    def __init__(self, report: ImportReport, where: str, ref=None):
        self.report, self.where = report, where
        self.ref = _shown_ref(ref)
        self.ok = True

    def error(self, message) -> None:
        self.ok = False
        self.report.errors.append((self.where, self.ref, str(message)))

    def text(self, data: dict, key: str, *, field: str | None = None, default: str | None = "") -> str | None:
        """``data[key]`` if it is storable text; absent or null is ``default``; anything
        else is an error (and None)."""
        field = field or key
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(str(MSG_NOT_TEXT).format(field=field, kind=_kind(value)))
            return None
        problem = _text_problem(value)
        if problem:
            self.error(str(problem).format(field=field))
            return None
        return value

    def choice(self, data: dict, key: str, allowed, message, **extra) -> str | None:
        value = self.text(data, key)
        if value is not None and value not in allowed:
            self.error(str(message).format(value=_shortened(value), **extra))
            return None
        return value


def _text_problem(value: str):
    # PostgreSQL refuses NUL in text (SQLite stores it), and neither stores a lone
    # surrogate (JSON's "\ud800"): both would fail at the write, after the checks.
    if "\x00" in value:
        return MSG_NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return MSG_NOT_UNICODE
    return None


def _shortened(value: str) -> str:
    return value if len(value) <= 60 else value[:60] + "…"


def _shown_ref(ref) -> str:
    """A reference as the report shows it: a sign for none, cut short if very long."""
    if not isinstance(ref, str) or not ref.strip():
        return NO_REF
    return _shortened(ref.strip())


def _where(item, default: str) -> str:
    """Where an item is, for the report: its CSV row, else its place in the file."""
    if isinstance(item, dict) and isinstance(item.get("_row"), str):
        return item["_row"]
    return default


def _check_item(item, where: str, report: ImportReport) -> bool:
    """Note every problem of one item; True if it has none."""
    row = _Row(report, _where(item, where), item.get("ref") if isinstance(item, dict) else None)
    if not isinstance(item, dict):
        row.error(str(MSG_NOT_OBJECT).format(field=str(_("An item")), kind=_kind(item)))
        return False
    ref = row.text(item, "ref")
    if ref is not None and not ref.strip():
        row.error(MSG_NO_REF)
    kind = row.choice(item, "type", KINDS, MSG_TYPE)
    row.choice(item, "topic", Topic.values, MSG_TOPIC, choices=", ".join(Topic.values))
    row.choice(item, "difficulty", Difficulty.values, MSG_DIFFICULTY)
    if item.get("status") is not None:
        row.choice(item, "status", ItemStatus.values, MSG_STATUS)
    stem = row.text(item, "stem")
    if stem is not None and not stem.strip():
        row.error(MSG_NO_STEM)
    row.text(item, "explanation")
    options = item.get("options")
    if options is None:
        options = []
    if not isinstance(options, list):
        row.error(str(MSG_NOT_LIST).format(field="options", kind=_kind(options)))
        return False
    texts, correct, options_ok = [], 0, True
    for number, option in enumerate(options, start=1):
        field = str(_("option {n}")).format(n=number)
        if not isinstance(option, dict):
            row.error(str(MSG_NOT_OBJECT).format(field=field, kind=_kind(option)))
            options_ok = False
            continue
        text = row.text(option, "text", field=f"{field} text")
        is_correct = option.get("correct", False)
        if is_correct is not None and not isinstance(is_correct, bool):
            row.error(str(MSG_NOT_BOOL).format(field=f"{field} correct", kind=_kind(is_correct)))
            options_ok = False
        if text is None:
            options_ok = False
        else:
            texts.append(text.strip())
            correct += bool(is_correct)
    if not options_ok:
        return False
    if len(options) < 2 or any(not t for t in texts):
        row.error(MSG_OPTIONS)
    elif len(set(texts)) != len(texts):
        row.error(MSG_SAME_OPTIONS)
    if kind == Question.Kind.SINGLE and correct != 1:
        row.error(str(MSG_SINGLE).format(n=correct))
    if kind == Question.Kind.MULTIPLE and correct < 2:
        row.error(str(MSG_MULTIPLE).format(n=correct))
    return row.ok


def parse_json(data: bytes) -> dict:
    """The bank in a JSON file; ``ValueError`` (with the reason) if it is not one.
    Whatever is inside is checked by ``bank_check``."""
    try:
        bank = json_loads(data)
    except JSONInputError as error:
        raise ValueError(str(MSG_NOT_JSON).format(reason=error)) from None
    if not isinstance(bank, dict) or bank.get("format") != FORMAT:
        raise ValueError(str(MSG_NOT_BANK).format(format=FORMAT))
    return bank


class BankRowError(ValueError):
    """A row of a file that cannot be read at all: reported at its row."""

    def __init__(self, where: str, message: str):
        super().__init__(message)
        self.where = where


def parse_csv(data: bytes) -> dict:
    """The bank in a CSV file (UTF-8, with or without a byte-order mark; any line endings).
    ``ValueError`` if the file is not such a CSV; ``BankRowError`` for a row that
    cannot be read (a field over the csv module's limit)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(str(MSG_NOT_UTF8)) from None
    # newline="": the csv module then reads \r\n, \r and \n endings, and newlines inside
    # quoted fields, itself.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise BankRowError("row 1", str(MSG_CSV_ROW).format(reason=_csv_reason(error))) from None
    missing = [c for c in ("ref", "type", "topic", "difficulty", "stem", "correct") if c not in fieldnames]
    if missing:
        raise ValueError(str(MSG_HEADER).format(columns=", ".join(missing)))
    items, cases = [], {}
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise BankRowError(f"row {number}", str(MSG_CSV_ROW).format(reason=_csv_reason(error))) from None
        row = {key: _restore(value or "") for key, value in row.items() if key}
        texts = [row.get(f"option_{i}", "") or "" for i in range(1, 7)]
        try:
            correct = {int(x) for x in (row.get("correct") or "").replace(",", ";").split(";") if x.strip()}
        except ValueError:
            correct = set()
        item = {
            "ref": (row.get("ref") or "").strip(),
            "type": (row.get("type") or "").strip(),
            "topic": (row.get("topic") or "").strip(),
            "difficulty": (row.get("difficulty") or "").strip(),
            "stem": row.get("stem") or "",
            "options": [{"text": t, "correct": i + 1 in correct} for i, t in enumerate(texts) if t.strip()],
            "explanation": row.get("explanation") or "",
            "status": (row.get("status") or ItemStatus.ACTIVE).strip() or ItemStatus.ACTIVE,
            "_row": f"row {number}",
        }
        case_ref = (row.get("case_ref") or "").strip()
        if case_ref:
            case = cases.setdefault(case_ref, {"ref": case_ref, "title": "", "vignette": "", "items": []})
            case["title"] = case["title"] or row.get("case_title") or ""
            case["vignette"] = case["vignette"] or row.get("case_vignette") or ""
            case["items"].append(item)
        else:
            items.append(item)
    return {"format": FORMAT, "items": items, "case_sets": list(cases.values())}


def _csv_reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return str(MSG_CSV_FIELD_LIMIT).format(limit=f"{csv.field_size_limit():,}")
    return str(error)


def _sections(bank: dict, report: ImportReport) -> tuple[list, list]:
    """The file's ``items`` and ``case_sets`` lists (absent or null: empty), the wrong
    type noted in the report."""
    found = []
    for key in ("items", "case_sets"):
        value = bank.get(key)
        if value is None:
            value = []
        elif not isinstance(value, list):
            report.errors.append((FILE, NO_REF, str(MSG_NOT_LIST).format(field=key, kind=_kind(value))))
            value = []
        found.append(value)
    return found[0], found[1]


def bank_check(bank: dict) -> ImportReport:
    """Every problem with the bank's shape and content that can be seen without the
    database: types, choices, options, duplicate references."""
    report = ImportReport()
    items, case_sets = _sections(bank, report)
    seen: set[str] = set()

    def check(item, where):
        if _check_item(item, where, report):
            ref = item["ref"].strip()
            if ref in seen:
                report.errors.append((_where(item, where), _shown_ref(ref), str(MSG_TWICE)))
            seen.add(ref)

    for index, item in enumerate(items, start=1):
        check(item, f"item {index}")
    case_refs: set[str] = set()
    for c_index, case in enumerate(case_sets, start=1):
        where = f"case set {c_index}"
        row = _Row(report, where, case.get("ref") if isinstance(case, dict) else None)
        if not isinstance(case, dict):
            row.error(str(MSG_NOT_OBJECT).format(field=str(_("A case set")), kind=_kind(case)))
            continue
        ref, vignette = row.text(case, "ref"), row.text(case, "vignette")
        row.text(case, "title")
        if (ref is not None and not ref.strip()) or (vignette is not None and not vignette.strip()):
            row.error(MSG_CASE)
        elif ref is not None and ref.strip() in case_refs:
            row.error(MSG_TWICE)
        if ref is not None:
            case_refs.add(ref.strip())
        case_items = case.get("items")
        if case_items is not None and not isinstance(case_items, list):
            row.error(str(MSG_NOT_LIST).format(field="items", kind=_kind(case_items)))
            continue
        for index, item in enumerate(case_items or [], start=1):
            check(item, f"{where}, item {index}")
    return report


def _clean(obj, row: _Row, *, exclude=(), prefix: str = "") -> None:
    """``full_clean`` (lengths, choices, blanks, constraints) with each problem noted at
    the row, named as the file names the field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                if name == NON_FIELD_ERRORS:
                    row.error(message)
                else:
                    row.error(str(MSG_FIELD).format(field=prefix + _FILE_FIELDS.get(name, name), message=message))


def _prepare(course: Course, bank: dict, report: ImportReport):
    """The objects the import would write, each ``full_clean``ed (problems noted in the
    report): a list of case sets and a list of (question, options)."""
    questions = {q.ref: q for q in Question.objects.filter(course=course)}
    existing_cases = {c.ref: c for c in CaseSet.objects.filter(course=course)}
    cases, planned = [], []

    def prepare(item, where, case_set):
        row = _Row(report, _where(item, where), item["ref"])
        ref = item["ref"].strip()
        question = questions.get(ref) or Question(course=course, ref=ref)
        question.case_set = case_set
        question.kind = item["type"]
        question.topic = item["topic"]
        question.difficulty = item["difficulty"]
        question.stem = item["stem"].strip()
        question.explanation = (item.get("explanation") or "").strip()
        question.status = item.get("status") or ItemStatus.ACTIVE
        _clean(question, row, exclude=["case_set"])
        options = [
            Option(question=question, text=o["text"].strip(), is_correct=bool(o.get("correct")), position=i)
            for i, o in enumerate(item["options"])
        ]
        for number, option in enumerate(options, start=1):
            _clean(option, row, exclude=["question"], prefix=str(_("option {n}")).format(n=number) + " ")
        planned.append((question, options))

    items, case_sets = _sections(bank, report)
    for index, item in enumerate(items, start=1):
        prepare(item, f"item {index}", None)
    for c_index, case in enumerate(case_sets, start=1):
        where = f"case set {c_index}"
        ref = case["ref"].strip()
        case_set = existing_cases.get(ref) or CaseSet(course=course, ref=ref)
        case_set.title = (case.get("title") or "").strip()
        case_set.vignette = case["vignette"].strip()
        case_set.status = ItemStatus.ACTIVE
        _clean(case_set, _Row(report, where, ref))
        cases.append(case_set)
        for index, item in enumerate(case.get("items") or [], start=1):
            prepare(item, f"{where}, item {index}", case_set)
    return cases, planned


def bank_import(*, course: Course, bank: dict) -> ImportReport:
    """Check every item, ``full_clean`` every object, then (only if all are valid) write
    them in one transaction: all or nothing."""
    report = bank_check(bank)
    if not report.ok:
        return report
    cases, planned = _prepare(course, bank, report)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            for case_set in cases:
                case_set.save()
            for question, options in planned:
                if question.pk is None:
                    report.created += 1
                else:
                    report.updated += 1
                question.save()  # picks up the id of a case set saved above
                question.options.all().delete()
                Option.objects.bulk_create(options)
    except IntegrityError:
        # Another import added one of these references since they were checked.
        report.created = report.updated = 0
        report.errors.append((FILE, NO_REF, str(MSG_RACE)))
    return report


def bank_import_file(*, course: Course, name: str, data: bytes) -> ImportReport:
    """Import an uploaded file (CSV by its name, JSON otherwise). ``ValueError`` if the
    file as a whole is not a bank; problems with its rows are in the report."""
    try:
        parsed = parse_csv(data) if name.lower().endswith(".csv") else parse_json(data)
    except BankRowError as error:
        return ImportReport(errors=[(error.where, NO_REF, str(error))])
    return bank_import(course=course, bank=parsed)


def _item_dict(question: Question) -> dict:
    return {
        "ref": question.ref,
        "type": question.kind,
        "topic": question.topic,
        "difficulty": question.difficulty,
        "stem": question.stem,
        "options": [{"text": o.text, "correct": o.is_correct} for o in question.options.all()],
        "explanation": question.explanation,
        "status": question.status,
    }


def bank_export_json(*, course: Course) -> str:
    questions = (
        Question.objects.filter(course=course).select_related("case_set").prefetch_related("options").order_by("ref")
    )
    items = [_item_dict(q) for q in questions if q.case_set_id is None]
    cases = [
        {
            "ref": case.ref,
            "title": case.title,
            "vignette": case.vignette,
            "items": [_item_dict(q) for q in questions if q.case_set_id == case.pk],
        }
        for case in CaseSet.objects.filter(course=course).order_by("ref")
    ]
    return json.dumps(
        {"format": FORMAT, "course_code": course.code, "items": items, "case_sets": cases},
        indent=2,
        ensure_ascii=False,
    )


def bank_export_csv(*, course: Course) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    questions = (
        Question.objects.filter(course=course).select_related("case_set").prefetch_related("options").order_by("ref")
    )
    for q in questions:
        options = list(q.options.all())
        correct = ";".join(str(i + 1) for i, o in enumerate(options) if o.is_correct)
        texts = [o.text for o in options] + [""] * (6 - len(options))
        case = q.case_set
        row = [
            q.ref, q.kind, q.topic, q.difficulty, case.ref if case else "", case.title if case else "",
            case.vignette if case else "", q.stem, *texts[:6], correct, q.explanation, q.status,
        ]  # fmt: skip
        writer.writerow([_neutralise(str(v)) for v in row])
    return out.getvalue()
