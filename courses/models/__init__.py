"""The models of the courses app, by topic: ``catalogue`` (courses, lessons, enrolments)
``handson`` (the supervised-session log) and ``reviews`` (review visits). Re-exported here because Django and the
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
    validate_type_minimums,
)
from .handson import (
    COMPETENCIES,
    PERFORMED_CASE_TYPES,
    CaseType,
    Independence,
    InjectionSession,
    Product,
    ProductAreaReference,
    SessionSite,
)
from .reviews import (
    REPORTABLE_SEVERITIES,
    AdverseEvent,
    AdverseEventKind,
    Review,
    ReviewOutcome,
    ReviewReminder,
    ReviewSite,
    ReviewSymmetry,
    Severity,
)

__all__ = [
    "REPORTABLE_SEVERITIES",
    "AdverseEvent",
    "AdverseEventKind",
    "Review",
    "ReviewOutcome",
    "ReviewReminder",
    "ReviewSite",
    "ReviewSymmetry",
    "Severity",
    "COMPETENCIES",
    "PERFORMED_CASE_TYPES",
    "CaseType",
    "Course",
    "Enrolment",
    "Independence",
    "InjectionSession",
    "Lesson",
    "LessonCompletion",
    "LessonImage",
    "Module",
    "Product",
    "ProductAreaReference",
    "SessionSite",
    "lesson_image_path",
    "validate_area_minimums",
    "validate_type_minimums",
]
