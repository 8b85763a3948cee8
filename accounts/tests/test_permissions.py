"""Who reaches which page added by the foundation. Anonymous users are sent to sign in;
signed-in users without the role get 403; objects that are not theirs answer 404."""

import pytest
from django.urls import get_resolver, reverse

from accounts.tests.factories import JurisdictionFactory, LicenceFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ("anonymous", "owner", "other_trainee", "instructor", "examiner", "administrator")

# url name → expected GET status per role, in ROLES order.
EXPECTED = {
    "home": (200, 200, 200, 200, 200, 200),
    "dashboard": (302, 302, 302, 302, 302, 302),
    "accounts:trainee_dashboard": (LOGIN, 200, 200, 403, 403, 403),
    "accounts:profile_edit": (LOGIN, 200, 200, 200, 200, 200),
    "accounts:licence_list": (LOGIN, 200, 200, 403, 403, 403),
    "accounts:licence_create": (LOGIN, 200, 200, 403, 403, 403),
    "accounts:licence_detail": (LOGIN, 200, 404, 404, 404, 200),
    "accounts:licence_document": (LOGIN, 200, 404, 404, 404, 200),
    "accounts:instructor_dashboard": (LOGIN, 403, 403, 200, 403, 403),
    "accounts:examiner_dashboard": (LOGIN, 403, 403, 403, 200, 403),
    "accounts:admin_dashboard": (LOGIN, 403, 403, 403, 403, 200),
    "accounts:licence_queue": (LOGIN, 403, 403, 403, 403, 200),
    "accounts:licence_review": (LOGIN, 403, 403, 403, 403, 200),
    "accounts:licence_revoke": (LOGIN, 403, 403, 403, 403, 405),
    "accounts:jurisdiction_list": (LOGIN, 403, 403, 403, 403, 200),
    "accounts:jurisdiction_create": (LOGIN, 403, 403, 403, 403, 200),
    "accounts:jurisdiction_edit": (LOGIN, 403, 403, 403, 403, 200),
    "core:audit_list": (LOGIN, 403, 403, 403, 403, 200),
    "courses:catalogue": (200, 200, 200, 200, 200, 200),
    "courses:detail": (200, 200, 200, 200, 200, 200),
    "courses:enrol": (LOGIN, 405, 405, 403, 403, 403),
    "courses:withdraw": (LOGIN, 405, 405, 403, 403, 403),
    "courses:learn": (LOGIN, 302, 404, 302, 404, 302),
    "courses:lesson": (LOGIN, 200, 404, 200, 404, 200),
    "courses:lesson_complete": (LOGIN, 405, 405, 403, 403, 403),
    "courses:lesson_image": (LOGIN, 200, 404, 200, 404, 200),
    "courses:roster": (LOGIN, 403, 403, 200, 403, 200),
    "courses:session_list": (LOGIN, 403, 403, 200, 403, 403),
    "courses:session_create": (LOGIN, 403, 403, 200, 403, 403),
    "courses:session_detail": (LOGIN, 200, 404, 200, 200, 200),
    "courses:session_edit": (LOGIN, 403, 403, 302, 403, 403),  # signed: sent back, locked
    "courses:session_sign": (LOGIN, 403, 403, 405, 403, 403),
    "courses:session_amend": (LOGIN, 403, 403, 200, 403, 403),
    "courses:session_reflect": (LOGIN, 405, 405, 403, 403, 403),
    "courses:logbook": (LOGIN, 200, 404, 403, 403, 403),
    "courses:logbook_pdf": (LOGIN, 200, 404, 403, 403, 403),
    "exams:home": (LOGIN, 200, 404, 403, 403, 403),
    "exams:start": (LOGIN, 405, 405, 403, 403, 403),
    "exams:attempt": (LOGIN, 200, 404, 403, 403, 403),
    "exams:save": (LOGIN, 405, 405, 403, 403, 403),
    "exams:autosave": (LOGIN, 405, 405, 403, 403, 403),
    "exams:summary": (LOGIN, 200, 404, 403, 403, 403),
    "exams:submit": (LOGIN, 405, 405, 403, 403, 403),
    "exams:result": (LOGIN, 302, 404, 403, 403, 403),  # still open: back to the attempt
    "exams:analysis": (LOGIN, 403, 403, 403, 403, 200),
    "exams:analysis_csv": (LOGIN, 403, 403, 403, 403, 200),
    "exams:bank": (LOGIN, 403, 403, 403, 403, 200),
    "exams:bank_export": (LOGIN, 403, 403, 403, 403, 200),
    "exams:practical": (LOGIN, 200, 404, 403, 403, 403),
    "exams:practical_admin": (LOGIN, 403, 403, 403, 403, 200),
    "exams:standard_setting": (LOGIN, 403, 403, 403, 403, 200),
    "exams:score_station": (LOGIN, 403, 403, 403, 200, 403),  # the assigned examiner only
    "certification:verify_lookup": (200, 200, 200, 200, 200, 200),
    "certification:verify": (200, 200, 200, 200, 200, 200),
    "certification:list": (LOGIN, 200, 200, 403, 403, 403),
    "certification:detail": (LOGIN, 200, 404, 403, 403, 200),
    "certification:pdf": (LOGIN, 200, 404, 403, 403, 200),
    "certification:badge": (LOGIN, 200, 404, 403, 403, 200),
    "certification:staff_queue": (LOGIN, 403, 403, 403, 403, 200),
    "certification:staff_issue": (LOGIN, 403, 403, 403, 403, 405),
    "certification:staff_detail": (LOGIN, 403, 403, 403, 403, 200),
    "certification:staff_revoke": (LOGIN, 403, 403, 403, 403, 405),
    "certification:staff_reissue": (LOGIN, 403, 403, 403, 403, 405),
    "certification:staff_retry": (LOGIN, 403, 403, 403, 403, 405),
    "certification:staff_resend_email": (LOGIN, 403, 403, 403, 403, 405),
}


@pytest.fixture
def world(trainee, other_trainee, instructor, examiner, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.tests.factories import png_bytes
    from courses.services import lesson_image_add
    from courses.tests.factories import EnrolmentFactory, course_with_lessons
    from courses.tests.test_handson_services import record
    from exams.services import attempt_start
    from exams.tests.factories import exam_for

    course = course_with_lessons(1, instructors=[instructor])
    lesson = course.modules.first().lessons.first()
    enrolment = EnrolmentFactory(trainee=trainee, course=course)
    LicenceFactory(holder=trainee, verified=True)
    session = record(enrolment, instructor)
    enrolment.completions.create(lesson=lesson)
    exam_for(course)
    attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    from django.utils import timezone

    from exams.models import Assessment, PracticalExam
    from exams.tests.test_practical import make_station

    station = make_station(PracticalExam.objects.create(course=course))
    assessment = Assessment.objects.create(enrolment=enrolment, number=1, scheduled_at=timezone.now(), place="Lab")
    assessment.rubrics.set(station.versions.all())
    assessment.examiners.set([examiner])
    image = lesson_image_add(course=course, upload=SimpleUploadedFile("a.png", png_bytes()), alt_text="Procerus")
    from certification.tests.factories import certificate_issued

    certificate = certificate_issued(enrolment, licence=trainee.licences.get(), attempt=attempt, assessment=assessment)
    licence = LicenceFactory(holder=trainee)
    jurisdiction = JurisdictionFactory()
    users = dict(zip(ROLES, (None, trainee, other_trainee, instructor, examiner, administrator), strict=True))
    kwargs = {
        "accounts:licence_detail": {"pk": licence.pk},
        "accounts:licence_document": {"pk": licence.pk},
        "accounts:licence_review": {"pk": licence.pk},
        "accounts:licence_revoke": {"pk": licence.pk},
        "accounts:jurisdiction_edit": {"pk": jurisdiction.pk},
        "courses:detail": {"code": course.code},
        "courses:enrol": {"code": course.code},
        "courses:withdraw": {"code": course.code},
        "courses:learn": {"code": course.code},
        "courses:lesson": {"code": course.code, "lesson_id": lesson.pk},
        "courses:lesson_complete": {"code": course.code, "lesson_id": lesson.pk},
        "courses:lesson_image": {"code": course.code, "image_id": image.pk},
        "courses:roster": {"code": course.code},
        "courses:session_list": {"code": course.code},
        "courses:session_create": {"code": course.code},
        "courses:logbook": {"code": course.code},
        "courses:logbook_pdf": {"code": course.code},
        "exams:home": {"code": course.code},
        "exams:start": {"code": course.code},
        "exams:analysis": {"code": course.code},
        "exams:analysis_csv": {"code": course.code},
        "exams:bank": {"code": course.code},
        "exams:bank_export": {"code": course.code, "fmt": "json"},
        "exams:practical": {"code": course.code},
        "exams:practical_admin": {"code": course.code},
        "exams:standard_setting": {"station_id": station.pk},
        "exams:score_station": {"pk": assessment.pk, "rubric_id": station.versions.get().pk},
        "certification:verify": {"code": certificate.code},
        **{
            f"certification:{name}": {"pk": certificate.pk}
            for name in (
                "detail",
                "pdf",
                "badge",
                "staff_detail",
                "staff_revoke",
                "staff_reissue",
                "staff_retry",
                "staff_resend_email",
            )
        },
        **{
            f"courses:{name}": {"pk": session.pk}
            for name in ("session_detail", "session_edit", "session_sign", "session_amend", "session_reflect")
        },
        **{
            f"exams:{name}": {"pk": attempt.pk}
            for name in ("attempt", "save", "autosave", "summary", "submit", "result")
        },
    }
    return users, kwargs


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get_access_matches_the_table(client_for, world, name):
    users, kwargs = world
    url = reverse(name, kwargs=kwargs.get(name))
    for role, expected in zip(ROLES, EXPECTED[name], strict=True):
        response = client_for(users[role]).get(url)
        if expected == LOGIN:
            assert response.status_code == 302, (name, role)
            assert response["Location"].startswith(reverse("account_login")), (name, role)
        else:
            assert response.status_code == expected, (name, role, response.status_code)


def test_every_project_url_is_in_the_table():
    names = set()
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace and namespace != "admin":
            names |= {f"{namespace}:{p.name}" for p in pattern.url_patterns}
        elif getattr(pattern, "name", None):
            names.add(pattern.name)
    assert names - set(EXPECTED) == set()


def test_post_to_a_licence_of_another_trainee_changes_nothing(client_for, trainee, other_trainee):
    licence = LicenceFactory(holder=trainee)
    response = client_for(other_trainee).post(
        reverse("accounts:licence_review", args=[licence.pk]), {"decision": "verify"}
    )
    assert response.status_code == 403
    licence.refresh_from_db()
    assert licence.status == "submitted"
