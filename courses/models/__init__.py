"""The models of the courses app, by topic: ``catalogue`` (courses, lessons, enrolments),
``handson`` (the supervised-session log), ``consultation`` (its consultation, consent and
photographs), ``mentors`` (trainees' mentors and their external sign-off) and ``reviews``
(review visits and adverse events). Re-exported here because Django and the migrations
look them up as ``courses.models.<name>`` (the migrations also reference
``lesson_image_path`` and ``validate_area_minimums`` by that path)."""

from .catalogue import (
    Course,
    CourseRun,
    Enrolment,
    Lesson,
    LessonCompletion,
    LessonImage,
    Module,
    lesson_image_path,
    validate_area_minimums,
    validate_type_minimums,
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
from .mentors import Mentor, SignOffRequest
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
    "CONTRAINDICATIONS",
    "CONTRAINDICATION_FIELDS",
    "RISKS",
    "Answer",
    "CasePhoto",
    "Consultation",
    "Course",
    "CourseRun",
    "Enrolment",
    "Independence",
    "InjectionSession",
    "Lesson",
    "Mentor",
    "LessonCompletion",
    "LessonImage",
    "Module",
    "Product",
    "ProductAreaReference",
    "SessionSite",
    "case_photo_path",
    "SignOffRequest",
    "lesson_image_path",
    "validate_area_minimums",
    "validate_type_minimums",
]
