"""Item analysis checked against a response matrix worked out independently here."""

import math
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.tests.factories import CourseFactory, EnrolmentFactory
from exams.analysis import exam_analysis
from exams.models import Attempt, AttemptItem
from exams.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

# Rows are candidates, columns items (1 = correct): 6 candidates, 4 items, one fixed form.
MATRIX = [
    [1, 1, 1, 0],
    [1, 1, 0, 0],
    [1, 0, 1, 1],
    [1, 1, 1, 1],
    [0, 0, 0, 1],
    [1, 0, 0, 0],
]


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    return cov / math.sqrt(vx * vy)


def expected():
    k = len(MATRIX[0])
    totals = [sum(row) for row in MATRIX]
    n = len(MATRIX)
    p = [sum(row[i] for row in MATRIX) / n for i in range(k)]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n  # population variance
    kr20 = k / (k - 1) * (1 - sum(pi * (1 - pi) for pi in p) / variance)
    discrimination = [pearson([row[i] for row in MATRIX], [sum(row) - row[i] for row in MATRIX]) for i in range(k)]
    return p, discrimination, mean, math.sqrt(variance), kr20


def build():
    course = CourseFactory()
    questions = [QuestionFactory(course=course, ref=f"I{i}") for i in range(4)]
    now = timezone.now()
    for row in MATRIX:
        attempt = Attempt.objects.create(
            enrolment=EnrolmentFactory(course=course), number=1, status="submitted", started_at=now,
            deadline=now + timezone.timedelta(minutes=30), submitted_at=now, pass_mark_percent=50, review="full",
            score=sum(row), max_score=4, percent=Decimal(25 * sum(row)), passed=sum(row) >= 2,
        )  # fmt: skip
        for position, (question, correct) in enumerate(zip(questions, row, strict=True), start=1):
            options = list(question.options.all())
            right = str(options[0].pk)
            wrong = str(options[1 + position % 3].pk)
            AttemptItem.objects.create(
                attempt=attempt, position=position, question=question, topic=question.topic, kind="single",
                stem=question.stem, options=[{"key": str(o.pk), "text": o.text} for o in options],
                correct_keys=[right], response=[right] if correct else [wrong], is_correct=bool(correct),
            )  # fmt: skip
    return course


def test_facility_discrimination_and_kr20_match_an_independent_computation(django_assert_max_num_queries):
    course = build()
    p, discrimination, mean, sd, kr20 = expected()
    with django_assert_max_num_queries(6):
        stats = exam_analysis(course=course)
    assert stats.attempts == 6
    assert round(stats.mean, 3) == round(mean, 3)
    assert round(stats.sd, 3) == round(sd, 3)
    assert round(stats.kr20, 3) == round(kr20, 3)
    assert [round(i.facility, 3) for i in stats.items] == [round(x, 3) for x in p]
    assert [round(i.discrimination, 3) for i in stats.items] == [round(x, 3) for x in discrimination]
    # Item I0: 5 of 6 right; the wrong answer chose option 2.
    first = stats.items[0]
    assert [(count, correct) for _text, count, correct in first.option_counts if count] == [
        (5, True),
        (1, False),
    ]
    assert "too easy" not in first.flags
    assert [(score, n) for score, n, _pct in stats.distribution] == [(0, 0), (1, 2), (2, 1), (3, 2), (4, 1)]


def test_flags_weak_items():
    course = build()
    stats = exam_analysis(course=course)
    flags = {i.ref: i.flags for i in stats.items}
    _p, discrimination, *_ = expected()
    for index, value in enumerate(discrimination):
        if value < 0:
            assert "negative discrimination" in flags[f"I{index}"]
