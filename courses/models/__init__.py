"""The models of the courses app, by topic: ``catalogue`` (courses, lessons, enrolments)
``handson`` (the supervised-session log) and ``consultation`` (its consultation, consent
and photographs). Re-exported here because Django and the
migrations look them up as ``courses.models.<name>`` (the migrations also reference
``lesson_image_path`` and ``validate_area_minimums`` by that path)."""

from .catalogue import (
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    LessonImage,
    Module,
    lesson_image_path,
    validate_area_minimums,
)
from .consultation import (
    CONTRAINDICATION_FIELDS,
    CONTRAINDICATIONS,
    RISKS,
    Answer,
    CasePhoto,
    Consultation,
    case_photo_path,
)
from .handson import COMPETENCIES, Independence, InjectionSession, Product, SessionSite

__all__ = [
    "COMPETENCIES",
    "CONTRAINDICATIONS",
    "CONTRAINDICATION_FIELDS",
    "RISKS",
    "Answer",
    "CasePhoto",
    "Consultation",
    "Course",
    "Enrolment",
    "Independence",
    "InjectionSession",
    "Lesson",
    "LessonCompletion",
    "LessonImage",
    "Module",
    "Product",
    "SessionSite",
    "case_photo_path",
    "lesson_image_path",
    "validate_area_minimums",
]
