"""The main forms, fuzzed with Hypothesis through the test client: random types, missing
fields, huge numbers, bad dates, stray characters. Whatever arrives, the answer is never a
500 (the test client re-raises a view's exception). JSON bodies (autosave) and the
question-bank importer are fuzzed in ``test_fuzz_json.py``.

Each form starts from a valid submission and has fields dropped or replaced, so that the
fuzzing reaches the services behind the form as well as its fields. Example counts are
modest to keep the suite fast; under CI=true the examples are derandomised so that a run
is repeatable."""

from __future__ import annotations

import datetime
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=CI,
    # The fixtures (database, users, course) are built once per test and shared by its
    # examples on purpose: each example only adds to them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_STRINGS = [
    "", " ", "0", "-1", "1e309", "-1e309", "NaN", "Infinity", "9" * 40, "-" + "9" * 40, "0.0000000001",
    "2024-02-30", "0000-00-00", "9999-12-31", "31/12/2030", "2030-13-01", "1-1-1", "\x00", "a\x00b", "\u202e",
    "<script>alert(1)</script>", "' OR 1=1 --", "null", "true", "[]", "{}", "%00", "\ud7ff", "x" * 5000,
    "00000000-0000-0000-0000-000000000000", "../../etc/passwd",
]  # fmt: skip
values = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.lists(st.sampled_from(["1", "x", "", "md"]), max_size=3),
)


def mutated(base: dict, extra_keys=()) -> st.SearchStrategy[dict]:
    """``base`` with some fields dropped and others (or unknown ones) given hostile values."""
    keys = sorted(set(base) | set(extra_keys) | {"junk"})

    @st.composite
    def build(draw):
        data = dict(base)
        for key in draw(st.sets(st.sampled_from(sorted(base)), max_size=len(base))):
            data.pop(key, None)
        data.update(draw(st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))))
        return data

    return build()


def assert_no_server_error(response):
    assert response.status_code < 500, response.status_code


@pytest.fixture
def world(trainee, instructor, examiner, administrator, settings):
    """One course with an enrolled trainee, a signed session, an open attempt and a
    scheduled practical with its examiner."""
    from accounts.tests.factories import JurisdictionFactory, LicenceFactory
    from courses.tests.factories import EnrolmentFactory, course_with_lessons
    from exams.models import Assessment, PracticalExam
    from exams.services.attempts import attempt_start
    from exams.tests.factories import exam_for
    from tests.support.handson import record
    from tests.support.practical import make_station

    settings.VERIFY_RATE_LIMIT = "100000/m"
    settings.EXAM_AUTOSAVE_RATE_LIMIT = "100000/m"
    course = course_with_lessons(1, instructors=[instructor])
    LicenceFactory(holder=trainee, verified=True)
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    enrolment.completions.create(lesson=course.modules.first().lessons.first())
    session = record(enrolment, instructor, sign=False)
    exam_for(course)
    attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    station = make_station(PracticalExam.objects.create(course=course))
    assessment = Assessment.objects.create(enrolment=enrolment, number=1, scheduled_at=timezone.now(), place="Lab")
    assessment.rubrics.set(station.versions.all())
    assessment.examiners.set([examiner])
    return {
        "course": course,
        "enrolment": enrolment,
        "session": session,
        "attempt": attempt,
        "station": station,
        "assessment": assessment,
        "rubric": assessment.rubrics.get(),
        "jurisdiction": JurisdictionFactory(),
        "licence": LicenceFactory(),
    }


def test_profile_form(client_for, trainee, world):
    client = client_for(trainee)

    @FUZZ
    @given(mutated({"legal_name": "Ada Trainee", "profession": "md"}))
    def check(data):
        assert_no_server_error(client.post(reverse("accounts:profile_edit"), data))

    check()


def test_licence_form(client_for, trainee, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.tests.factories import pdf_bytes

    client = client_for(trainee)
    base = {
        "profession": "md",
        "number": "A7654321",
        "jurisdiction": str(world["jurisdiction"].pk),
        "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
        "npi": "1234567893",
    }

    @FUZZ
    @given(mutated(base), st.booleans())
    def check(data, with_document):
        if with_document:
            data["document"] = SimpleUploadedFile("licence.pdf", pdf_bytes())
        assert_no_server_error(client.post(reverse("accounts:licence_create"), data))

    check()


def test_enrol_withdraw_and_course_urls(client_for, trainee, other_trainee, world):
    from accounts.tests.factories import LicenceFactory

    LicenceFactory(holder=other_trainee, verified=True)
    client = client_for(other_trainee)

    @FUZZ
    @given(
        st.sampled_from(["enrol", "withdraw"]),
        mutated({"next": "1"}),
        st.sampled_from([world["course"].code, "x", "a" * 200]),
    )
    def check(action, data, code):
        assert_no_server_error(client.post(reverse(f"courses:{action}", args=[code]), data))

    check()


def test_lesson_completion_next(client_for, trainee, world):
    client = client_for(trainee)
    lesson = world["course"].modules.first().lessons.first()
    url = reverse("courses:lesson_complete", args=[world["course"].code, lesson.pk])
    # Characters str.isdigit() accepts but int() may not ("²"), or reads as another number ("١").
    digits = st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6)

    @FUZZ
    @given(st.one_of(values, digits, st.just(str(lesson.pk)), st.integers(min_value=-(10**30)).map(str)))
    def check(following):
        assert_no_server_error(client.post(url, {"next": following}))

    check()


def session_base(world) -> dict:
    from tests.support.handson import post_data

    return {k: str(v) for k, v in post_data(world["enrolment"]).items()}


def test_session_create_and_edit(client_for, instructor, world):
    client = client_for(instructor)
    base = session_base(world)
    create = reverse("courses:session_create", args=[world["course"].code])
    edit = reverse("courses:session_edit", args=[world["session"].pk])

    @FUZZ
    @given(st.sampled_from([create, edit]), mutated(base))
    def check(url, data):
        assert_no_server_error(client.post(url, data))

    check()


def test_exam_save_form(client_for, trainee, world):
    client = client_for(trainee)
    url = reverse("exams:save", args=[world["attempt"].pk])
    keys = [f"q{n}" for n in range(1, 6)] + [f"flag{n}" for n in range(1, 6)] + ["then"]

    @FUZZ
    @given(mutated({"q1": "1", "flag2": "on", "then": "summary"}, keys))
    def check(data):
        assert_no_server_error(client.post(url, data))

    check()


def test_practical_scoring(client_for, examiner, world):
    client = client_for(examiner)
    rubric = world["rubric"]
    url = reverse("exams:score_station", args=[world["assessment"].pk, rubric.pk])
    base = {f"criterion_{c.pk}": "1" for c in rubric.criteria.all()}
    base.update(global_grade="2", comments="Steady hands.", action="save")

    @FUZZ
    @given(mutated(base))
    def check(data):
        assert_no_server_error(client.post(url, data))

    check()


def test_verification_lookup_and_file(client):
    url = reverse("certification:verify_lookup")

    @FUZZ
    @given(mutated({"action": "lookup", "serial": "GLA-2026-7K3M-9QXD", "surname": "Trainee"}))
    def check(data):
        assert_no_server_error(client.post(url, data))

    check()

    @FUZZ
    @given(st.text(max_size=80))
    def code(value):
        assert_no_server_error(client.get("/verify/" + value.replace("/", "") + "/"))

    code()


def test_staff_forms(client_for, administrator, world):
    from tests.support.certificates import make_certificate

    client = client_for(administrator)
    certificate = make_certificate(email="fuzz@example.com")
    course = world["course"]
    targets = [
        (reverse("accounts:licence_review", args=[world["licence"].pk]), {"decision": "reject", "reason": "Blurred"}),
        (reverse("accounts:licence_revoke", args=[world["licence"].pk]), {"reason": "Withdrawn"}),
        (reverse("accounts:jurisdiction_edit", args=[world["jurisdiction"].pk]),
         {"name": "X", "country": "US", "region": "CA", "certifiable_professions": ["md"], "is_active": "on"}),
        (reverse("accounts:jurisdiction_create"), {"name": "Y", "country": "GB", "region": ""}),
        (reverse("certification:staff_revoke", args=[certificate.pk]), {"revoke-reason": "Fraud"}),
        (reverse("certification:staff_reissue", args=[certificate.pk]), {"reissue-reason": "Typo"}),
        (reverse("certification:staff_issue"), {"awards": "1"}),
        (reverse("exams:practical_admin", args=[course.code]),
         {"enrolment": str(world["enrolment"].pk), "scheduled_at": "2030-01-01T10:00", "place": "Lab",
          "stations": [str(world["station"].pk)], "examiners": ["1"]}),
        (reverse("exams:standard_setting", args=[world["station"].pk]), {"pass_mark": "3.5"}),
    ]  # fmt: skip

    @FUZZ
    @given(st.sampled_from(range(len(targets))), st.data())
    def check(index, data):
        url, base = targets[index]
        assert_no_server_error(client.post(url, data.draw(mutated(base))))

    check()

    lists = [
        (reverse("core:audit_list"), {"action": "", "actor_email": "a@b.c", "since": "2020-01-01", "page": "2"}),
        (reverse("certification:staff_queue"), {"state": "valid", "q": "x", "page": "1"}),
        (reverse("courses:catalogue"), {"q": "tox", "profession": "md", "body": "x", "min_credits": "2", "page": "1"}),
    ]  # fmt: skip

    @FUZZ
    @given(st.sampled_from(range(len(lists))), st.data())
    def query(index, data):
        url, base = lists[index]
        assert_no_server_error(client.get(url, data.draw(mutated(base))))

    query()


# What the fuzzing found, kept as plain examples ---------------------------------------------


def test_a_huge_number_of_units_is_refused_at_its_field_not_a_500(client_for, instructor, world):
    data = session_base(world)
    data["units_procerus"] = "1E26"
    response = client_for(instructor).post(reverse("courses:session_create", args=[world["course"].code]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["units_procerus"]


def test_a_draft_score_saves_before_the_global_grade_is_chosen(client_for, examiner, world):
    from exams.models import StationScore

    rubric = world["rubric"]
    data = {f"criterion_{c.pk}": "1" for c in rubric.criteria.all()}
    data.update(comments="Steady hands.", action="save")
    url = reverse("exams:score_station", args=[world["assessment"].pk, rubric.pk])
    response = client_for(examiner).post(url, data)
    assert response.status_code == 302
    score = StationScore.objects.get(examiner=examiner)
    assert score.global_grade is None
    assert score.status == StationScore.Status.DRAFT
