"""The models of the courses app, by topic: ``catalogue`` (courses, lessons, enrolments),
``handson`` (the supervised-session log) and ``mentors`` (trainees' mentors and their
external sign-off). Re-exported here because Django and the migrations look them up as
``courses.models.<name>`` (the migrations also reference ``lesson_image_path`` and
``validate_area_minimums`` by that path)."""

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
from .handson import COMPETENCIES, Independence, InjectionSession, Product, SessionSite
from .mentors import Mentor, SignOffRequest

__all__ = [
    "COMPETENCIES",
    "Course",
    "Enrolment",
    "Independence",
    "InjectionSession",
    "Lesson",
    "Mentor",
    "LessonCompletion",
    "LessonImage",
    "Module",
    "Product",
    "SessionSite",
    "SignOffRequest",
    "lesson_image_path",
    "validate_area_minimums",
]
