"""Each dashboard, and the /dashboard/ router in front of them, costs the same number of
queries with 10 and with 200 of every row it shows (issue #8). The rows are written with
bulk_create: these tests are about reading them, and must stay quick."""

from __future__ import annotations

import datetime
import hashlib
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Jurisdiction, Licence, NameChangeRequest, User
from certification.models import Award, Certificate
from certification.services.status_lists import status_positions_allocate
from courses.models import Course, Enrolment, InjectionSession, Lesson, LessonCompletion, Mentor, Module, SessionSite
from exams.models import Assessment, Attempt, PracticalExam, RubricVersion, Station, StationScore
from tests.support.products import product

pytestmark = pytest.mark.django_db

SIZES = (10, 200)
_serial = itertools.count(1)

# Every signed-in page starts with the session and the user; administrators and examiners
# add the check that their second factor is set up (core.middleware).
SIGNED_IN = 2
SECOND_FACTOR = 1

# The router reads nothing but the user's role flags.
ROUTER_QUERIES = SIGNED_IN
ROUTER_QUERIES_WITH_SECOND_FACTOR = SIGNED_IN + SECOND_FACTOR

# /teach/: the courses taught, with seats taken and lesson totals as subqueries.
INSTRUCTOR_DASHBOARD_QUERIES = SIGNED_IN + 2  # courses taught, drafts awaiting sign-off

# /examine/: the assessments (trainee and course joined), their stations (rubric versions
# with the station joined), this examiner's scores and the Angoff exercises they judge.
EXAMINER_DASHBOARD_QUERIES = SIGNED_IN + SECOND_FACTOR + 4

# /staff/: the licence counts, the oldest licence waiting, the mentors waiting, the name
# changes waiting, the certificate counts, the awards waiting, the issued-per-month chart,
# the courses (seats and lessons as subqueries) and the open Angoff exercises this
# administrator judges.
ADMIN_DASHBOARD_QUERIES = SIGNED_IN + SECOND_FACTOR + 9

# /me/ with every stage filled in: licences (jurisdiction joined), enrolments (lesson
# counts as subqueries), hands-on sessions and their sites, the written exam's state
# (attempts aggregated, exam settings, accommodations, booked sittings), practicals,
# awards and their certificates. (courses/tests DASHBOARD_QUERIES is the same page with
# no session or award yet, whose prefetches Django then skips: two fewer.)
TRAINEE_DASHBOARD_QUERIES = SIGNED_IN + 11


def _users(n: int, **fields) -> list[User]:
    users = []
    for _ in range(n):
        k = next(_serial)
        users.append(User(email=f"row{k}@example.com", legal_name=f"Dr Row {k:04d}", profession="md", password="!",
                          **fields))  # fmt: skip
    return User.objects.bulk_create(users)


def _courses(n: int, *, instructor: User | None = None, **fields) -> list[Course]:
    """Published courses of one module with two lessons each."""
    today = timezone.localdate()
    courses = []
    for _ in range(n):
        k = next(_serial)
        values = {"code": f"DSH-{k:04d}", "title": f"Dashboard course {k:04d}", "summary": "Summary.",
                  "accrediting_body": "Board", "accreditation_number": f"B-{k}", "credit_hours": 8,
                  "accreditation_valid_from": today - datetime.timedelta(days=30),
                  "accreditation_valid_until": today + datetime.timedelta(days=700), "capacity": 20,
                  "status": Course.Status.PUBLISHED, "handson_min_sessions": 1,
                  "handson_type_minimums": {"observed": 1, "supervised": 1},
                  "handson_area_minimums": {"glabella": 1}, "handson_recent_competent": 1}  # fmt: skip
        courses.append(Course(**{**values, **fields}))
    courses = Course.objects.bulk_create(courses)
    modules = Module.objects.bulk_create(Module(course=c, title="Module", position=1) for c in courses)
    Lesson.objects.bulk_create(
        Lesson(module=m, title=f"Lesson {i}", body_html="<p>Procerus.</p>", position=i) for m in modules for i in (1, 2)
    )
    if instructor is not None:
        Teaching = Course.instructors.through
        Teaching.objects.bulk_create(Teaching(course=c, user=instructor) for c in courses)
    return courses


def _enrol(trainees: list[User], courses: list[Course]) -> list[Enrolment]:
    return Enrolment.objects.bulk_create(Enrolment(trainee=t, course=c) for t, c in zip(trainees, courses, strict=True))


def _licences(holders: list[User], *, status: str, decided_by: User) -> list[Licence]:
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        country="US", region="CA", defaults={"name": "United States — California", "certifiable_professions": ["md"]}
    )
    decided = {} if status == Licence.Status.SUBMITTED else {"decided_at": timezone.now(), "decided_by": decided_by}
    refused = status == Licence.Status.REJECTED
    return Licence.objects.bulk_create(
        Licence(holder=h, profession="md", number=f"LIC-{next(_serial):05d}", jurisdiction=jurisdiction,
                expires_on=timezone.localdate() + datetime.timedelta(days=365), document="licences/scan.png",
                document_content_type="image/png", status=status,
                decision_reason=f"Illegible scan {next(_serial)}." if refused else "", **decided)
        for h in holders
    )  # fmt: skip


def _certified(enrolments: list[Enrolment], licences: list[Licence], instructor: User, *, certificate: bool = True):
    """For each enrolment: a signed observed and a signed supervised case at one site, a passed written
    attempt, a passed practical, an award and (unless ``certificate`` is False) an issued
    certificate."""
    now, today = timezone.now(), timezone.localdate()
    botox = product("onabotulinumtoxinA")
    sessions = InjectionSession.objects.bulk_create(
        InjectionSession(enrolment=e, instructor=instructor, performed_on=today, clinic="Clinic", model_code="M-0001",
                         consent_confirmed=True, lot_number="L1", lot_expiry=today + datetime.timedelta(days=90),
                         overall_independence="competent", status=InjectionSession.Status.SIGNED, signed_at=now,
                         product=botox, case_type=case_type)
        for e in enrolments for case_type in ("observed", "supervised")
    )  # fmt: skip
    SessionSite.objects.bulk_create(SessionSite(session=s, site_code="procerus", units=Decimal(4)) for s in sessions)
    attempts = Attempt.objects.bulk_create(
        Attempt(enrolment=e, number=1, status="submitted", started_at=now - datetime.timedelta(hours=1), deadline=now,
                submitted_at=now, pass_mark_percent=70, review="full", score=9, max_score=10, percent=90, passed=True)
        for e in enrolments
    )  # fmt: skip
    assessments = Assessment.objects.bulk_create(
        Assessment(enrolment=e, number=1, scheduled_at=now, place="Lab", status="completed", passed=True,
                   percent=95, completed_at=now)
        for e in enrolments
    )  # fmt: skip
    awards = Award.objects.bulk_create(
        Award(trainee=e.trainee, course=e.course, enrolment=e, licence=licence, written_attempt=attempt,
              assessment=assessment, handson_sessions=1)
        for e, licence, attempt, assessment in zip(enrolments, licences, attempts, assessments, strict=True)
    )  # fmt: skip
    if not certificate:
        return awards
    positions = status_positions_allocate(len(awards))
    return Certificate.objects.bulk_create(
        Certificate(award=a, holder=e.trainee, holder_name=e.trainee.legal_name, holder_profession="Physician (MD)",
                    status_list=position[0], status_index=position[1],
                    course_code=e.course.code, course_title=e.course.title, accrediting_body="Board",
                    accreditation_number="B-1", credit_hours=8, certified_on=today, issued_on=today,
                    expires_on=today + datetime.timedelta(days=730), status=Certificate.Status.ISSUED,
                    pdf=f"certificates/{a.pk}.pdf", pdf_sha256=hashlib.sha256(str(a.pk).encode()).hexdigest(),
                    rendered_at=now)
        for a, e, position in zip(awards, enrolments, positions, strict=True)
    )  # fmt: skip


def _practicals_to_score(enrolments: list[Enrolment], examiner: User) -> list[Assessment]:
    """A scheduled practical of two stations per enrolment, assigned to ``examiner``, who
    has a draft score for the first station."""
    exams = PracticalExam.objects.bulk_create(PracticalExam(course=e.course) for e in enrolments)
    stations = Station.objects.bulk_create(
        Station(practical=x, title=f"Station {p} of {x.course.code}", position=p) for x in exams for p in (1, 2)
    )
    rubrics = RubricVersion.objects.bulk_create(RubricVersion(station=s, pass_mark=1) for s in stations)
    pairs = list(zip(rubrics[::2], rubrics[1::2], strict=True))
    now = timezone.now()
    assessments = Assessment.objects.bulk_create(
        Assessment(enrolment=e, number=1, scheduled_at=now + datetime.timedelta(days=3), place=f"Lab {e.course.code}")
        for e in enrolments
    )
    Examining, Stations = Assessment.examiners.through, Assessment.rubrics.through
    Examining.objects.bulk_create(Examining(assessment=a, user=examiner) for a in assessments)
    Stations.objects.bulk_create(
        Stations(assessment=a, rubricversion=r) for a, pair in zip(assessments, pairs, strict=True) for r in pair
    )
    StationScore.objects.bulk_create(
        StationScore(assessment=a, rubric=pair[0], examiner=examiner)
        for a, pair in zip(assessments, pairs, strict=True)
    )
    return assessments


def _stat(page: str, value: int, label: str) -> bool:
    return f'<div class="stat">{value}</div><div class="stat-label">{label}</div>' in page


def test_instructor_dashboard_costs_the_same_with_10_and_200_courses_taught(
    client_for, instructor, django_assert_num_queries
):
    client = client_for(instructor)
    courses: list[Course] = []
    for total in SIZES:
        new = _courses(total - len(courses), instructor=instructor)
        _enrol(_users(len(new)), new)  # a seat taken in each
        courses += new
        _courses(5)  # taught by someone else: not shown
        with django_assert_num_queries(INSTRUCTOR_DASHBOARD_QUERIES):
            response = client.get(reverse("accounts:instructor_dashboard"))
        page = response.content.decode()
        assert len(response.context["courses"]) == total
        assert all(course.title in page and reverse("courses:roster", args=[course.code]) in page for course in courses)
        assert page.count("<span>1 / 20</span>") == total
        with django_assert_num_queries(ROUTER_QUERIES):
            assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:instructor_dashboard")


def test_examiner_dashboard_costs_the_same_with_10_and_200_assessments(client_for, examiner, django_assert_num_queries):
    client = client_for(examiner)
    assessments: list[Assessment] = []
    for total in SIZES:
        n = total - len(assessments)
        assessments += _practicals_to_score(_enrol(_users(n), _courses(n)), examiner)
        with django_assert_num_queries(EXAMINER_DASHBOARD_QUERIES):
            response = client.get(reverse("accounts:examiner_dashboard"))
        page = response.content.decode()
        assert len(response.context["pending"]) == total
        for assessment in assessments:
            enrolment = assessment.enrolment
            assert f"<h3>{enrolment.trainee.display_name} · {enrolment.course.code}</h3>" in page
            assert f"Station 2 of {enrolment.course.code}</a>" in page
            assert reverse("exams:score_station", args=[assessment.pk, assessment.rubrics.all()[0].pk]) in page
        assert page.count('<span class="badge badge-draft">Draft</span>') == total
        with django_assert_num_queries(ROUTER_QUERIES_WITH_SECOND_FACTOR):
            assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:examiner_dashboard")


def test_admin_dashboard_costs_the_same_with_10_and_200_of_each_row(
    client_for, administrator, instructor, django_assert_num_queries
):
    client = client_for(administrator)
    courses: list[Course] = []
    for total in SIZES:
        n = total - len(courses)
        new = _courses(n)
        courses += new
        trainees = _users(n)
        licences = _licences(trainees, status=Licence.Status.VERIFIED, decided_by=administrator)
        _licences(_users(n), status=Licence.Status.SUBMITTED, decided_by=administrator)
        _licences(_users(n), status=Licence.Status.REJECTED, decided_by=administrator)
        Mentor.objects.bulk_create(
            Mentor(trainee=t, full_name="Dr Mentor", email="m@clinic.example", profession="doctor", register="gmc",
                   registration_number="7000001", years_injecting=5)
            for t in trainees
        )  # fmt: skip
        NameChangeRequest.objects.bulk_create(
            NameChangeRequest(user=t, current_name=t.legal_name, requested_name=f"{t.legal_name} W", reason="marriage")
            for t in trainees
        )
        enrolments = _enrol(trainees, new)
        half = n // 2  # half issued, half awaiting an administrator
        _certified(enrolments[:half], licences[:half], instructor)
        _certified(enrolments[half:], licences[half:], instructor, certificate=False)
        with django_assert_num_queries(ADMIN_DASHBOARD_QUERIES):
            response = client.get(reverse("accounts:admin_dashboard"))
        page = response.content.decode()
        assert _stat(page, total, "licences awaiting verification")
        assert _stat(page, total, "mentors awaiting verification")
        assert _stat(page, total, "name changes awaiting review")
        assert _stat(page, total, "verified licences")
        assert _stat(page, total, "rejected")
        assert _stat(page, total // 2, "awards ready to issue")
        assert _stat(page, total // 2, "valid")
        assert page.count('<td data-label="Seats">1 / 20</td>') == total
        assert all(course.title in page and reverse("exams:bank", args=[course.code]) in page for course in courses)
        with django_assert_num_queries(ROUTER_QUERIES_WITH_SECOND_FACTOR):
            assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:admin_dashboard")


def test_trainee_dashboard_costs_the_same_with_10_and_200_licences_courses_and_certificates(
    client_for, trainee, administrator, instructor, django_assert_num_queries
):
    client = client_for(trainee)
    licences: list[Licence] = []
    certificates: list[Certificate] = []
    for total in SIZES:
        n = total - len(certificates)
        # Each award cites a verified licence; a refused one per row as well, with its reason.
        verified = _licences([trainee] * n, status=Licence.Status.VERIFIED, decided_by=administrator)
        licences += verified + _licences([trainee] * n, status=Licence.Status.REJECTED, decided_by=administrator)
        enrolments = _enrol([trainee] * n, _courses(n))
        LessonCompletion.objects.bulk_create(  # two part way through the theory
            LessonCompletion(enrolment=e, lesson=e.course.modules.get().lessons.first()) for e in enrolments[:2]
        )
        certificates += _certified(enrolments, verified, instructor)
        with django_assert_num_queries(TRAINEE_DASHBOARD_QUERIES):
            response = client.get(reverse("accounts:trainee_dashboard"))
        page = response.content.decode()
        assert len(response.context["journeys"]) == total
        assert len(response.context["licences"]) == 2 * total
        assert all(licence.number in page for licence in licences)
        assert all(licence.decision_reason in page for licence in licences if licence.status == Licence.Status.REJECTED)
        for certificate in certificates:
            assert certificate.course_title in page
            assert f"Certificate {certificate.serial} is valid" in page
            assert reverse("certification:detail", args=[certificate.pk]) in page
        assert page.count("Observed 1 of 1 · Supervised 1 of 1.") == total
        assert page.count("1 of 2 lessons complete.") == 2 * (SIZES.index(total) + 1)
        with django_assert_num_queries(ROUTER_QUERIES):
            assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:trainee_dashboard")
