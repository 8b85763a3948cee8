"""The exams app's models: the written exam (``written``) and the practical exam
(``practical``). Re-exported here because Django and the migrations find them as
``exams.models.<Name>``."""

from .practical import Assessment, Criterion, GlobalGrade, PracticalExam, RubricVersion, Station, StationScore
from .sittings import Accommodation, Booking, Paper, Sitting, SittingEvent
from .standards import AngoffExercise, AngoffRating, HofsteeBounds, PassMarkVersion
from .written import (
    Attempt,
    AttemptItem,
    CaseSet,
    Difficulty,
    ExamSettings,
    ItemStatus,
    Option,
    Question,
    Topic,
)

__all__ = [
    "Accommodation",
    "Booking",
    "Paper",
    "Sitting",
    "SittingEvent",
    "AngoffExercise",
    "AngoffRating",
    "HofsteeBounds",
    "PassMarkVersion",
    "Assessment",
    "Attempt",
    "AttemptItem",
    "CaseSet",
    "Criterion",
    "Difficulty",
    "ExamSettings",
    "GlobalGrade",
    "ItemStatus",
    "Option",
    "PracticalExam",
    "Question",
    "RubricVersion",
    "Station",
    "StationScore",
    "Topic",
]
