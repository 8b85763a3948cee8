"""Demo course: 'Botulinum Toxin Type A: Foundations of Facial Aesthetics' from
demo_data/course.json, with the demo instructor, and the demo trainee enrolled part-way."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import User

from . import services
from .models import Course, Enrolment, Lesson, Module

DATA = Path(__file__).resolve().parent / "demo_data" / "course.json"


def load_course(*, data: dict | None = None, actor: User | None = None) -> Course:
    data = data or json.loads(DATA.read_text())
    spec = data["course"]
    today = timezone.localdate()
    course = Course.objects.filter(code=spec["code"]).first() or Course(code=spec["code"])
    course.title = spec["title"]
    course.summary = spec["summary"]
    course.description = spec["description"]
    course.accrediting_body = spec["accrediting_body"]
    course.accreditation_number = spec["accreditation_number"]
    course.credit_hours = Decimal(str(spec["credit_hours"]))
    course.certificate_validity_months = spec["certificate_validity_months"]
    if course.pk is None:
        course.accreditation_valid_from = today - datetime.timedelta(days=120)
        course.accreditation_valid_until = today + datetime.timedelta(days=3 * 365)
        course.eligible_professions = ["md", "do", "np", "pa", "rn", "dds"]
        course.capacity = 24
        course.status = Course.Status.PUBLISHED
    services.course_save(course=course, actor=actor)
    for m_index, module_spec in enumerate(data["modules"], start=1):
        module, _created = Module.objects.update_or_create(
            course=course,
            position=m_index,
            defaults={"title": module_spec["title"], "summary": module_spec.get("summary", "")},
        )
        for l_index, lesson_spec in enumerate(module_spec["lessons"], start=1):
            lesson = Lesson.objects.filter(module=module, position=l_index).first() or Lesson(
                module=module, position=l_index
            )
            lesson.title = lesson_spec["title"]
            lesson.minutes = lesson_spec.get("minutes", 15)
            lesson.body_html = lesson_spec["body_html"]
            services.lesson_save(lesson=lesson)
    return course


def seed() -> Course:
    course = load_course()
    instructor = User.objects.get(email="instructor@glabella.test")
    course.instructors.add(instructor)
    trainee = User.objects.get(email="trainee@glabella.test")
    enrolment = Enrolment.objects.filter(trainee=trainee, course=course).first()
    if enrolment is None:
        enrolment = services.enrolment_create(trainee=trainee, course=course)
        for lesson in Lesson.objects.filter(module__course=course).order_by("module__position", "position")[
            :4
        ]:
            services.lesson_complete(enrolment=enrolment, lesson=lesson)
    return course
