import pytest
from django.core.management import call_command

from accounts.models import Jurisdiction, Licence, User
from courses.models import Course, Enrolment, Lesson

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_user_per_role_and_is_idempotent(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    for email, password in (
        ("trainee@glabella.test", "demo-trainee-pass"),
        ("instructor@glabella.test", "demo-instructor-pass"),
        ("examiner@glabella.test", "demo-examiner-pass"),
        ("admin@glabella.test", "demo-admin-pass"),
    ):
        assert email in first
        assert password in first
        assert User.objects.get(email=email).check_password(password)
    assert User.objects.filter(is_administrator=True, is_staff=True).count() == 1
    assert User.objects.filter(is_instructor=True).count() == 1
    assert User.objects.filter(is_examiner=True).count() == 2  # the examiner and the invigilator
    assert Jurisdiction.objects.count() == 5
    assert Licence.objects.filter(status="verified", holder__email="trainee@glabella.test").count() == 1
    assert Licence.objects.filter(status="submitted").count() == 1
    # The trainee with the verified licence asked for a name change: the queue shows it.
    from accounts.models import NameChangeRequest

    change = NameChangeRequest.objects.get()
    assert (change.user.email, change.status) == ("trainee@glabella.test", "pending")
    assert change.requested_name == "Dr Amara Okafor-Bennett"
    assert change.user.legal_name == "Dr Amara Okafor"
    assert change.document_content_type == "image/png"
    course = Course.objects.get(code="BTA-101")
    assert course.status == "published"
    assert course.credit_hours == 16
    assert course.modules.count() == 6
    assert Lesson.objects.filter(module__course=course).count() >= 18
    assert course.instructors.filter(email="instructor@glabella.test").exists()
    enrolment = Enrolment.objects.get(course=course, trainee__email="trainee@glabella.test")
    assert enrolment.completions.count() == 4
    # Two open runs (seeded once), the demo trainee on the first.
    runs = list(course.runs.order_by("starts_on"))
    assert [run.status for run in runs] == ["open", "open"]
    assert enrolment.run == runs[0]
    assert "<script" not in "".join(Lesson.objects.values_list("body_html", flat=True))
    # The written exam and the practical with four stations; a candidate waits for the examiner.
    from exams.models import Assessment, Question, Station

    assert Question.objects.filter(course=course, status="active").count() >= 60
    assert Station.objects.filter(practical__course=course).count() == 4
    assessment = Assessment.objects.get(enrolment__trainee__email="ready@glabella.test")
    assert assessment.status == "scheduled"
    assert assessment.examiners.get().email == "examiner@glabella.test"
    # A trainee who went all the way holds an issued certificate, signed by the director.
    from certification.models import Certificate

    assert course.director_name
    assert course.director_signature
    certificate = Certificate.objects.get(holder__email="certified@glabella.test")
    assert certificate.status == "issued"
    assert certificate.public_state() == "valid"
    assert "certified@glabella.test" in first
    # A venue sitting open now with its invigilator and booked candidates (one with an
    # accommodation, checked in and writing), and a remote sitting next week; the written exam
    # is taken only in a sitting.
    from django.utils import timezone

    from exams.models import Accommodation, Booking, Sitting

    assert "invigilator@glabella.test" in first
    assert "candidate@glabella.test" in first
    assert not course.exam_settings.allow_unscheduled
    now = timezone.now()
    venue = Sitting.objects.get(course=course, venue__gt="", opens_at__lte=now, closes_at__gt=now)
    assert venue.invigilators.filter(email="invigilator@glabella.test").exists()
    booked = Booking.objects.filter(sitting=venue, status="booked")
    assert booked.filter(enrolment__trainee__email="candidate@glabella.test", attempt__isnull=True).exists()
    writing = Accommodation.objects.get(enrolment__bookings__sitting=venue, time_multiplier=1.5).enrolment
    attempt = writing.attempts.get(status="open")  # 45 minutes × 1.5
    assert (attempt.deadline - attempt.started_at).total_seconds() == 45 * 60 * 1.5
    assert Sitting.objects.filter(course=course, venue="", opens_at__gt=now).count() == 1
    # Another's first certificate was re-issued: superseded, its revocation bit set.
    superseded, current = Certificate.objects.filter(holder__email="reissued@glabella.test").order_by("created_at")
    assert (superseded.status, current.status) == ("superseded", "issued")
    assert current.replaces == superseded
    assert superseded.status_list.bit("revocation", superseded.status_index)
    assert not current.status_list.bit("revocation", current.status_index)
    assert "reissued@glabella.test" in first
    assert "/credentials/status/1/revocation" in first
    assert Certificate.objects.count() == 3
    # The trainee's latest case has a consultation with photo consent and a before photo (a drawing).
    from courses.models import CasePhoto, Consultation

    consultation = Consultation.objects.get(session__enrolment=enrolment)
    assert consultation.photo_consent
    assert not consultation.flagged
    assert CasePhoto.objects.get(session__enrolment=enrolment).kind == "before"
    # A demo employer's API key, printed with the passwords, verifies the certificate.
    from django.test import Client

    from certification.demo import DEMO_API_KEY
    from certification.models import ApiKey

    assert DEMO_API_KEY in first
    assert ApiKey.objects.count() == 1
    response = Client().get(f"/api/v1/verify/{certificate.code}", headers={"Authorization": f"Bearer {DEMO_API_KEY}"})
    assert response.json()["status"] == "valid"


def test_the_demo_shows_the_review_policy(client, django_capture_on_commit_callbacks):
    """retake@glabella.test failed attempt 1 of 3 under a full review: the result shows the
    score and topics but no answer key, and attempt 2 (the paged paper) is booked in a sitting."""
    from django.urls import reverse

    from exams.models import Attempt, ExamSettings

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    settings = ExamSettings.objects.get(course__code="BTA-101")
    assert (settings.review, settings.key_release) == ("full", "after_last_attempt")
    attempt = Attempt.objects.get(enrolment__trainee__email="retake@glabella.test")
    assert attempt.passed is False
    client.force_login(attempt.enrolment.trainee)
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "By topic" in page
    assert "The answer key and explanations are shown after your last attempt." in page
    assert "Answers and explanations" not in page
    home = client.get(reverse("exams:home", args=["BTA-101"])).content.decode()
    assert "The exam is taken in a sitting: book one below." in home  # attempt 2, in a sitting
