"""Item analysis checked against a response matrix worked out independently here."""

import codecs
import csv
import io
import math
from decimal import Decimal

import pytest
from django.urls import reverse
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


def expected(matrix=MATRIX):
    MATRIX = matrix  # noqa: N806 (the same formulas over another matrix)
    k = len(MATRIX[0])
    totals = [sum(row) for row in MATRIX]
    n = len(MATRIX)
    p = [sum(row[i] for row in MATRIX) / n for i in range(k)]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n  # population variance
    kr20 = k / (k - 1) * (1 - sum(pi * (1 - pi) for pi in p) / variance)
    discrimination = [pearson([row[i] for row in MATRIX], [sum(row) - row[i] for row in MATRIX]) for i in range(k)]
    return p, discrimination, mean, math.sqrt(variance), kr20


def build(matrix=MATRIX):
    course = CourseFactory()
    questions = [QuestionFactory(course=course, ref=f"I{i}") for i in range(4)]
    now = timezone.now()
    for row in matrix:
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
    # Twelve candidates (the matrix twice: the same proportions), above KR-20's minimum of 10.
    course = build(MATRIX * 2)
    p, discrimination, mean, sd, kr20 = expected(MATRIX * 2)
    with django_assert_max_num_queries(6):
        stats = exam_analysis(course=course)
    assert stats.attempts == 12
    assert round(stats.mean, 3) == round(mean, 3)
    assert round(stats.sd, 3) == round(sd, 3)
    assert round(stats.kr20, 3) == round(kr20, 3)
    assert [round(i.facility, 3) for i in stats.items] == [round(x, 3) for x in p]
    assert [round(i.discrimination, 3) for i in stats.items] == [round(x, 3) for x in discrimination]
    # Item I0: 5 of 6 right; the wrong answer chose option 2.
    first = stats.items[0]
    assert [(count, correct) for _text, count, correct in first.option_counts if count] == [
        (10, True),
        (2, False),
    ]
    assert "too easy" not in first.flags
    assert [(score, n) for score, n, _pct in stats.distribution] == [(0, 0), (1, 4), (2, 2), (3, 4), (4, 2)]


def test_kr20_says_not_enough_data_for_two_attempts(client_for, administrator):
    # Two candidates: any KR-20 from them is noise (the issue saw 1.031).
    course = build([[1, 1, 1, 0], [0, 1, 0, 0]])
    stats = exam_analysis(course=course)
    assert stats.attempts == 2
    assert stats.kr20 is None
    page = client_for(administrator).get(reverse("exams:analysis", args=[course.code]))
    assert "not enough data" in page.content.decode()
    assert "1.031" not in page.content.decode()


def test_kr20_says_not_enough_data_when_every_score_is_the_same():
    course = build([[1, 1, 0, 0]] * 12)
    stats = exam_analysis(course=course)
    assert stats.sd == 0
    assert stats.kr20 is None


def test_csv_has_a_bom_the_summary_and_option_counts(client_for, administrator):
    course = build([*(MATRIX * 2)[:11], [1, 0, 0, 0]])
    stats = exam_analysis(course=course)
    response = client_for(administrator).get(reverse("exams:analysis_csv", args=[course.code]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[:4] == [
        ["attempts", "12"],
        ["mean score", f"{stats.mean:.2f}"],
        ["SD", f"{stats.sd:.2f}"],
        ["KR-20", f"{stats.kr20:.3f}"],
    ]
    header = rows[5]
    first = dict(zip(header, rows[6], strict=True))
    assert first["ref"] == "I0"
    # I0: 10 of 12 right (option 0); the two wrong answers chose option 2.
    assert first["option counts"] == "✓ I0 option 0: 10; I0 option 1: 0; I0 option 2: 2; I0 option 3: 0"


def test_csv_says_not_enough_data_for_few_attempts(client_for, administrator):
    course = build(MATRIX)
    response = client_for(administrator).get(reverse("exams:analysis_csv", args=[course.code]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[3] == ["KR-20", "not enough data"]


def test_flags_weak_items():
    course = build()
    stats = exam_analysis(course=course)
    flags = {i.ref: i.flags for i in stats.items}
    _p, discrimination, *_ = expected()
    for index, value in enumerate(discrimination):
        if value < 0:
            assert "negative discrimination" in flags[f"I{index}"]
