"""Demo course: 'Botulinum Toxin Type A: Foundations of Facial Aesthetics' from
demo_data/course.json, with the demo instructor, and the demo trainee enrolled part-way;
its two runs (``seed_runs``), the demo trainee on the first."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import User

from . import services
from .models import Course, CourseRun, Enrolment, Lesson, Module

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
        # The UK Level 7 pattern: 10 observed + 10 supervised cases (courses.handson.case_types).
        course.handson_min_sessions = 10
        course.handson_type_minimums = {"observed": 10, "supervised": 10}
        course.handson_area_minimums = {"glabella": 4, "forehead": 2, "lateral_canthal": 2}
        course.handson_recent_competent = 3
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
    seed_images(course=course, actor=instructor)
    trainee = User.objects.get(email="trainee@glabella.test")
    enrolment = Enrolment.objects.filter(trainee=trainee, course=course).first()
    if enrolment is None:
        enrolment = services.enrolment_create(trainee=trainee, course=course)
        first_lessons = Lesson.objects.filter(module__course=course).order_by("module__position", "position")[:4]
        for lesson in first_lessons:
            services.lesson_complete(enrolment=enrolment, lesson=lesson)
    if not enrolment.sessions.exists():
        seed_observed(enrolment=enrolment, instructor=instructor, count=3)
        seed_dysport_sessions(enrolment=enrolment, instructor=instructor)
        seed_sessions(enrolment=enrolment, instructor=instructor)
        seed_reviews(enrolment=enrolment, instructor=instructor)
    from .handson import demo_mentors

    demo_mentors.seed(enrolment=enrolment)
    return course


def seed_runs(course: Course) -> list[CourseRun]:
    """Two open runs: one in four weeks, with the demo trainee on it, and one in four
    months. Seeded after every other demo enrolment (portal's seed_demo): those trainees
    enrolled on the course before it had runs, as a real course's first trainees would
    have, and keep their enrolments without a run."""
    from .authoring import services as authoring_services

    runs = list(course.runs.order_by("starts_on"))
    if runs:
        return runs
    admin = User.objects.get(email="admin@glabella.test")
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=28)
    later = today + datetime.timedelta(days=120)
    specs = [
        (soon, 12, soon - datetime.timedelta(days=7), "Riverside Aesthetics Training Clinic, New York", "New York"),
        (later, 16, None, "Lakeshore Skin Clinic, Chicago", "Chicago"),
    ]
    for starts_on, places, closes_on, location, city in specs:
        run = CourseRun(
            course=course, code=f"{starts_on:%Y-%m}-{city.lower().replace(' ', '-')}",
            title=f"{starts_on:%B %Y}, {city}", starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=2),
            enrolment_closes_on=closes_on, places=places, location=location, status=CourseRun.Status.OPEN,
        )  # fmt: skip
        runs.append(authoring_services.run_save(run=run, actor=admin))
    enrolment = Enrolment.objects.get(course=course, trainee__email="trainee@glabella.test")
    services.enrolment_assign_run(enrolment=enrolment, run=runs[0], actor=admin)
    return runs


def _diagram_png(title: str, points: list[tuple[int, int]]) -> bytes:
    """A plain demo diagram: a brow line and the injection points, captioned."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "#f5f7f9")
    draw = ImageDraw.Draw(image)
    draw.arc((120, 60, 520, 360), start=200, end=340, fill="#4d5b6a", width=4)
    for x, y in points:
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill="#7b2d8e")
    draw.text((24, 360), title, fill="#1b2430")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_images(*, course: Course, actor: User) -> None:
    """Two lesson images: one shown in the first lesson of the glabella (it cannot be
    deleted while it is), one uploaded but not used yet (it can)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from .authoring import services as authoring_services

    if course.images.exists():
        return
    shown = authoring_services.lesson_image_add(
        course=course,
        upload=SimpleUploadedFile(
            "glabella.png", _diagram_png("Glabellar complex: five points", [(320, 150), (260, 140), (380, 140),
                                                                             (210, 120), (430, 120)]),
            content_type="image/png",
        ),
        alt_text="Glabellar complex: procerus and four corrugator injection points",
        actor=actor,
    )  # fmt: skip
    authoring_services.lesson_image_add(
        course=course,
        upload=SimpleUploadedFile(
            "forehead.png",
            _diagram_png("Frontalis: draft", [(220, 90), (320, 80), (420, 90)]),
            content_type="image/png",
        ),
        alt_text="Frontalis injection points (draft, not used yet)",
        actor=actor,
    )
    lesson = Lesson.objects.filter(module__course=course).order_by("module__position", "position").first()
    src = reverse("courses:lesson_image", args=[course.code, shown.pk])
    lesson.body_html += f'<p><img src="{src}" alt="{shown.alt_text}"></p>'
    services.lesson_save(lesson=lesson)


GLABELLA = {
    "procerus": 4,
    "corrugator_medial_r": 4,
    "corrugator_medial_l": 4,
    "corrugator_lateral_r": 4,
    "corrugator_lateral_l": 4,
}


def seed_sessions(*, enrolment: Enrolment, instructor: User, sign_all: bool = False) -> None:
    """Four signed sessions (the glabella each time, forehead lines once), then a draft
    awaiting sign-off (or a fifth signed one with ``sign_all``)."""
    from .handson import face_sites
    from .handson import services as handson_services
    from .handson.consultation_demo import seed_case
    from .models import COMPETENCIES, CaseType, Independence, Product

    botox = Product.objects.get(code="onabotulinumtoxinA")

    forehead = {s["code"]: 4 for s in face_sites.SITES if s["area"] == "forehead"}
    canthal = {s["code"]: 4 for s in face_sites.SITES if s["area"] == "lateral_canthal"}
    plans = [
        (40, "M-0101", GLABELLA, Independence.DIRECT, "Landmarking the corrugators took several attempts."),
        (30, "M-0102", GLABELLA, Independence.LIMITED, "Good depth control at the medial corrugators."),
        (
            20,
            "M-0103",
            {**GLABELLA, **forehead},
            Independence.LIMITED,
            "Keep forehead points 2 cm above the brow.",
        ),
        (10, "M-0104", {**GLABELLA, **canthal}, Independence.COMPETENT, "Confident, efficient and safe."),
        (2, "M-0105", GLABELLA, Independence.COMPETENT, ""),
    ]
    today = timezone.localdate()
    for index, (days_ago, code, units, overall, to_improve) in enumerate(plans):
        session = handson_services.session_save_draft(
            enrolment=enrolment,
            instructor=instructor,
            data={
                "performed_on": today - datetime.timedelta(days=days_ago),
                "case_type": CaseType.SUPERVISED,
                "clinic": "Riverside Aesthetics Training Clinic",
                "model_code": code,
                "consent_confirmed": True,
                "product": botox,
                "vial_units": Decimal(100),
                "diluent_ml": Decimal("2.5"),
                "lot_number": f"C{5120 + index}A2",
                "lot_expiry": today + datetime.timedelta(days=200),
                "complications": "Mild bruising at one corrugator site; pressure applied." if index == 1 else "",
                "complication_management": "",
                "overall_independence": overall,
                "went_well": "Thorough consultation and consent; clean aseptic technique.",
                "to_improve": to_improve,
                "agreed_actions": "Review the danger-zone lesson before the next session." if index < 2 else "",
            },
            units_by_site={k: Decimal(v) for k, v in units.items()},
            ratings={c: overall for c, _label in COMPETENCIES},
            acknowledged=True,
        )
        if index == len(plans) - 1:  # the latest case: consultation, consent and a before photo
            seed_case(session=session, trainee=enrolment.trainee)
        if sign_all or index < len(plans) - 1:
            handson_services.session_sign(session_id=session.pk, instructor=instructor)


def seed_dysport_sessions(*, enrolment: Enrolment, instructor: User) -> None:
    """Two signed Dysport sessions, older than the Botox ones: the label's 50 U to the
    glabellar lines (no warning), then 60 U (checked against Dysport's 50 U, not Botox's 20)."""
    from .handson import services as handson_services
    from .models import COMPETENCIES, CaseType, Independence, Product

    dysport = Product.objects.get(code="abobotulinumtoxinA")
    today = timezone.localdate()
    plans = [(50, "M-0091", 10, "Dysport at its label dose: 10 U at each glabellar site."), (45, "M-0092", 12, "")]
    for index, (days_ago, code, per_site, went_well) in enumerate(plans):
        session = handson_services.session_save_draft(
            enrolment=enrolment,
            instructor=instructor,
            data={
                "performed_on": today - datetime.timedelta(days=days_ago),
                "case_type": CaseType.SUPERVISED,
                "clinic": "Riverside Aesthetics Training Clinic",
                "model_code": code,
                "consent_confirmed": True,
                "product": dysport,
                "vial_units": Decimal(300),
                "diluent_ml": Decimal("2.5"),
                "lot_number": f"D{7310 + index}B1",
                "lot_expiry": today + datetime.timedelta(days=150),
                "complications": "",
                "complication_management": "",
                "overall_independence": Independence.DIRECT,
                "went_well": went_well,
                "to_improve": "" if index == 0 else "Dysport units are not Botox units: check the plan's product.",
                "agreed_actions": "",
            },
            units_by_site={site: Decimal(per_site) for site in GLABELLA},
            ratings={c: Independence.DIRECT for c, _label in COMPETENCIES},
            acknowledged=True,
        )
        handson_services.session_sign(session_id=session.pk, instructor=instructor)


def seed_observed(*, enrolment: Enrolment, instructor: User, count: int) -> None:
    """``count`` signed observed cases: the trainee watched the instructor treat the
    glabella (competencies "Not observed", the trainee's part was consultation)."""
    from .handson import services as handson_services
    from .models import COMPETENCIES, CaseType, Independence, Product

    botox = Product.objects.get(code="onabotulinumtoxinA")
    today = timezone.localdate()
    for index in range(count):
        session = handson_services.session_save_draft(
            enrolment=enrolment,
            instructor=instructor,
            data={
                "performed_on": today - datetime.timedelta(days=60 - 2 * index),
                "case_type": CaseType.OBSERVED,
                "clinic": "Riverside Aesthetics Training Clinic",
                "model_code": f"M-02{index:02d}",
                "consent_confirmed": True,
                "product": botox,
                "vial_units": Decimal(100),
                "diluent_ml": Decimal("2.5"),
                "lot_number": "C5100A2",
                "lot_expiry": today + datetime.timedelta(days=200),
                "complications": "",
                "complication_management": "",
                "overall_independence": Independence.NOT_OBSERVED,
                "went_well": "Watched the full consultation, landmarking and injection; asked good questions.",
                "to_improve": "",
                "agreed_actions": "",
            },
            units_by_site={k: Decimal(v) for k, v in GLABELLA.items()},
            ratings={c: Independence.NOT_OBSERVED for c, _label in COMPETENCIES},
            acknowledged=True,
        )
        handson_services.session_sign(session_id=session.pk, instructor=instructor)


def seed_reviews(*, enrolment: Enrolment, instructor: User) -> None:
    """The review of case M-0102 (30 days ago) at 14 days, signed, with mild bruising; case
    M-0103 (20 days ago) is left due for its review (the daily reminder picks it up)."""
    from .handson import review_services
    from .models import InjectionSession

    session = enrolment.sessions.get(model_code="M-0102", status=InjectionSession.Status.SIGNED)
    review = review_services.review_save(
        session_id=session.pk,
        instructor=instructor,
        data={
            "reviewed_on": session.performed_on + datetime.timedelta(days=14),
            "timing_note": "",
            "outcome": "full",
            "symmetry": "symmetrical",
            "lot_number": session.lot_number,
            "management": "Bruising at the right medial corrugator site, fading; arnica and reassurance.",
        },
        topup={},
        events=[
            {"kind": "bruising", "severity": "mild", "onset_on": session.performed_on + datetime.timedelta(days=1)}
        ],
    )
    review_services.review_sign(review_id=review.pk, instructor=instructor)
