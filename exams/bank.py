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

from django.db import transaction

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


def _check_item(item: dict, where: str, report: ImportReport) -> None:
    ref = str(item.get("ref", "")).strip()

    def error(message: str) -> None:
        report.errors.append((where, ref or "—", message))

    if not ref:
        error("The reference (ref) is missing.")
    if item.get("type") not in KINDS:
        error(f"type must be single or multiple, not “{item.get('type', '')}”.")
    if item.get("topic") not in Topic.values:
        error(f"topic must be one of {', '.join(Topic.values)}, not “{item.get('topic', '')}”.")
    if item.get("difficulty") not in Difficulty.values:
        error(f"difficulty must be easy, medium or hard, not “{item.get('difficulty', '')}”.")
    if item.get("status", ItemStatus.ACTIVE) not in ItemStatus.values:
        error(f"status must be draft, active or retired, not “{item.get('status')}”.")
    if not str(item.get("stem", "")).strip():
        error("The question text (stem) is empty.")
    options = item.get("options") or []
    texts = [str(o.get("text", "")).strip() for o in options]
    correct = sum(1 for o in options if o.get("correct"))
    if len(options) < 2 or any(not t for t in texts):
        error("An item needs at least two options, none of them empty.")
    elif len(set(texts)) != len(texts):
        error("Two options have the same text.")
    if item.get("type") == Question.Kind.SINGLE and correct != 1:
        error(f"A single-best-answer item needs exactly one correct option; this one has {correct}.")
    if item.get("type") == Question.Kind.MULTIPLE and correct < 2:
        error(f"A multiple-response item needs at least two correct options; this one has {correct}.")


def parse_json(data: bytes) -> dict:
    try:
        bank = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"The file is not valid JSON: {exc}") from None
    if not isinstance(bank, dict) or bank.get("format") != FORMAT:
        raise ValueError(f"The file is not a Glabella question bank (format “{FORMAT}” expected).")
    return bank


def parse_csv(data: bytes) -> dict:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The CSV file must be UTF-8 encoded.") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("ref", "type", "topic", "difficulty", "stem", "correct") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise ValueError(f"The CSV header lacks: {', '.join(missing)}.")
    items, cases = [], {}
    for number, row in enumerate(reader, start=2):
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


def bank_check(bank: dict) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()

    def check(item, where):
        _check_item(item, item.get("_row", where), report)
        ref = str(item.get("ref", "")).strip()
        if ref in seen:
            report.errors.append((item.get("_row", where), ref, "This reference appears twice in the file."))
        seen.add(ref)

    for index, item in enumerate(bank.get("items") or [], start=1):
        check(item, f"item {index}")
    for c_index, case in enumerate(bank.get("case_sets") or [], start=1):
        where = f"case set {c_index}"
        if not str(case.get("ref", "")).strip() or not str(case.get("vignette", "")).strip():
            report.errors.append((where, case.get("ref") or "—", "A case set needs a reference and a vignette."))
        for index, item in enumerate(case.get("items") or [], start=1):
            check(item, f"{where}, item {index}")
    return report


def _upsert(course: Course, item: dict, case_set: CaseSet | None, report: ImportReport) -> None:
    question = Question.objects.filter(course=course, ref=item["ref"].strip()).first()
    if question is None:
        question = Question(course=course, ref=item["ref"].strip())
        report.created += 1
    else:
        report.updated += 1
    question.case_set = case_set
    question.kind = item["type"]
    question.topic = item["topic"]
    question.difficulty = item["difficulty"]
    question.stem = item["stem"].strip()
    question.explanation = (item.get("explanation") or "").strip()
    question.status = item.get("status", ItemStatus.ACTIVE)
    question.save()
    question.options.all().delete()
    Option.objects.bulk_create(
        [
            Option(question=question, text=o["text"].strip(), is_correct=bool(o.get("correct")), position=i)
            for i, o in enumerate(item["options"])
        ]
    )


def bank_import(*, course: Course, bank: dict) -> ImportReport:
    """Check every item, then (only if all are valid) write them in one transaction."""
    report = bank_check(bank)
    if not report.ok:
        return report
    with transaction.atomic():
        for item in bank.get("items") or []:
            _upsert(course, item, None, report)
        for case in bank.get("case_sets") or []:
            case_set, _created = CaseSet.objects.update_or_create(
                course=course,
                ref=case["ref"].strip(),
                defaults={
                    "title": case.get("title", "").strip(),
                    "vignette": case["vignette"].strip(),
                    "status": ItemStatus.ACTIVE,
                },
            )
            for item in case.get("items") or []:
                _upsert(course, item, case_set, report)
    return report


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
