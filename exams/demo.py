"""Demo written exam for BTA-101: the bank in demo_data/question_bank.json and settings."""

import json
from pathlib import Path

from courses.models import Course

from . import bank
from .models import ExamSettings

DATA = Path(__file__).resolve().parent / "demo_data" / "question_bank.json"
BLUEPRINT = {
    "pharmacology": 5,
    "anatomy": 5,
    "assessment": 5,
    "technique": 5,
    "complications": 5,
    "ethics": 5,
}


def seed(course: Course) -> None:
    report = bank.bank_import(course=course, bank=json.loads(DATA.read_text()))
    if not report.ok:
        raise ValueError(f"Demo bank is invalid: {report.errors[:3]}")
    ExamSettings.objects.get_or_create(
        course=course,
        defaults={
            "blueprint": BLUEPRINT,
            "case_sets_per_attempt": 1,
            "time_limit_minutes": 45,
            "pass_mark_percent": 70,
            "attempts_allowed": 3,
            "wait_hours": 24,
            "review": ExamSettings.Review.FULL,
        },
    )
