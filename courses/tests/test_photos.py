"""Case photographs: only with the model's photo consent, checked and re-encoded without
metadata, private (404 for anyone not entitled), deleted by hand or after the course's
retention period unless the model consented to teaching use."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import LicenceFactory, TraineeFactory, UserFactory
from core.models import AuditEvent
from core.storage import private_files, private_storage
from core.uploads import MSG_BROKEN_IMAGE
from courses.handson import photos
from courses.handson.consultation import MSG_PHOTOS_STORED
from courses.models import CasePhoto
from courses.tests.factories import CourseFactory, EnrolmentFactory
from tests.support.consultation import add_photo, consultation_post, photo_upload, record_consultation
from tests.support.handson import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(enrolment, instructor):
    """A draft session whose consultation records the consent to photographs."""
    session = record(enrolment, instructor, sign=False)
    record_consultation(session, instructor)
    return session


def upload(client, session, file, kind="before"):
    return client.post(reverse("courses:photo_add", args=[session.pk]), {"kind": kind, "photo": file})


def photo_files() -> list[str]:
    return private_files("handson-photos")


def test_without_photo_consent_no_photo_can_be_uploaded(client_for, enrolment, instructor):
    session = record(enrolment, instructor, sign=False)
    client = client_for(enrolment.trainee)
    # No consultation yet, then one without the consent to photographs.
    for _attempt in range(2):
        response = upload(client, session, photo_upload())
        assert response.status_code == 400
        assert response.context["form"].errors["photo"] == [str(photos.MSG_NO_CONSENT)]
        assert "The consultation does not record the model's consent to photographs" in response.content.decode()
        record_consultation(session, instructor, photo_consent=False)
    assert not CasePhoto.objects.exists()
    assert photo_files() == []
    page = client.get(reverse("courses:session_detail", args=[session.pk])).content.decode()
    assert 'action="' + reverse("courses:photo_add", args=[session.pk]) not in page
    assert "Photographs can be added once the consultation records" in page


def test_an_uploaded_photo_is_private_re_encoded_and_streamed_uncached(client_for, enrolment, case):
    client = client_for(enrolment.trainee)
    original = photo_upload("IMG_0042.jpg", exif_make="SecretCam")
    assert b"SecretCam" in original.read()
    original.seek(0)
    response = upload(client, case, original)
    assert response.status_code == 302
    photo = CasePhoto.objects.get()
    # Stored under a random name that carries no identity, in private storage (no URL).
    assert re.fullmatch(r"handson-photos/[0-9a-f]{32}\.jpg", photo.file.name)
    assert photo_files() == [photo.file.name]
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(photo.file.name)
    with private_storage.open(photo.file.name) as handle:
        stored = handle.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (64, 48)
        assert not image.getexif()
    # The session page shows it through the streaming view only.
    page = client.get(reverse("courses:session_detail", args=[case.pk])).content.decode()
    file_url = reverse("courses:photo_file", args=[photo.pk])
    assert f'src="{file_url}"' in page
    streamed = client.get(file_url)
    assert streamed.status_code == 200
    assert streamed["Cache-Control"] == "private, no-store"
    assert streamed["Content-Type"] == "image/jpeg"
    assert b"".join(streamed.streaming_content) == stored
    event = AuditEvent.objects.get(action="photo.uploaded")
    assert event.actor == enrolment.trainee
    assert "IMG_0042" not in repr(event.summary) + repr(event.details)


def test_a_refused_photo_leaves_the_case_as_it_was(client_for, enrolment, instructor, case):
    add_photo(case, instructor)
    before = photo_files()
    client = client_for(enrolment.trainee)
    broken = photo_upload("before.jpg")
    broken = type(broken)("before.jpg", broken.read()[:200], "image/jpeg")
    response = upload(client, case, broken)
    assert response.status_code == 400
    assert response.context["form"].errors["photo"] == [str(MSG_BROKEN_IMAGE)]
    response = upload(client, case, type(broken)("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    assert response.context["form"].errors["photo"] == [str(photos.MSG_NOT_A_PHOTO)]
    assert CasePhoto.objects.count() == 1
    assert photo_files() == before


def test_photo_consent_cannot_be_withdrawn_while_photos_are_stored(client_for, instructor, case):
    add_photo(case, instructor)
    response = client_for(instructor).post(
        reverse("courses:consultation_edit", args=[case.pk]), consultation_post(photo_consent=None)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["photo_consent"] == [str(MSG_PHOTOS_STORED)]
    assert case.consultation.photo_consent


def test_only_the_trainee_the_instructors_and_administrators_see_photos(
    client_for, enrolment, instructor, administrator, examiner, case
):
    photo = add_photo(case, instructor)
    file_url = reverse("courses:photo_file", args=[photo.pk])
    for user in (enrolment.trainee, instructor, administrator):
        assert client_for(user).get(file_url).status_code == 200, user
    other_instructor = UserFactory(email="elsewhere@example.com", is_trainee=False, is_instructor=True)
    CourseFactory(instructors=[other_instructor])
    peer = TraineeFactory(email="peer@example.com")
    LicenceFactory(holder=peer, verified=True)
    EnrolmentFactory(trainee=peer, course=enrolment.course)  # even in the same course
    for user in (peer, other_instructor, examiner, None):
        client = client_for(user)
        assert client.get(file_url).status_code == 404, user
        assert client.get(reverse("courses:photo_delete", args=[photo.pk])).status_code in (404, 302), user
        assert client.post(reverse("courses:photo_delete", args=[photo.pk])).status_code in (404, 302), user
        assert upload(client, case, photo_upload()).status_code in (404, 302), user
    assert CasePhoto.objects.count() == 1
    assert client_for(None).get(file_url).status_code == 404  # no sign-in redirect that confirms it exists
    assert client_for(enrolment.trainee).post(file_url).status_code == 405


def test_the_trainee_deletes_a_photo_after_confirming_and_it_is_audited(client_for, enrolment, instructor, case):
    photo = add_photo(case, instructor)
    name = photo.file.name
    client = client_for(enrolment.trainee)
    delete_url = reverse("courses:photo_delete", args=[photo.pk])
    confirm = client.get(delete_url)
    assert "Delete this photograph?" in confirm.content.decode()
    assert CasePhoto.objects.exists()
    response = client.post(delete_url)
    assert response["Location"].endswith("#photos")
    assert not CasePhoto.objects.exists()
    assert not private_storage.exists(name)
    event = AuditEvent.objects.get(action="photo.deleted")
    assert event.actor == enrolment.trainee
    assert event.object_id == str(photo.pk)


def test_staff_delete_a_photo_too(client_for, administrator, instructor, case):
    photo = add_photo(case, instructor)
    client_for(administrator).post(reverse("courses:photo_delete", args=[photo.pk]))
    assert not CasePhoto.objects.exists()
    assert AuditEvent.objects.get(action="photo.deleted").actor == administrator


def test_review_photos_can_be_added_after_sign_off(client_for, instructor, case):
    client = client_for(instructor)
    client.post(reverse("courses:session_sign", args=[case.pk]), {"confirmed": "yes"})
    response = upload(client, case, photo_upload("review.png"), kind="review")
    assert response.status_code == 302
    assert CasePhoto.objects.get().kind == "review"


# Retention -----------------------------------------------------------------------------------


def test_retention_deletes_exactly_the_expired_photos_without_teaching_consent(enrolment, instructor, case):
    now = timezone.now()
    course = enrolment.course  # keeps them 730 days by default
    assert course.handson_photo_retention_days == 730

    def aged(session, days):
        photo = add_photo(session, instructor)
        CasePhoto.objects.filter(pk=photo.pk).update(uploaded_at=now - datetime.timedelta(days=days))
        return photo

    expired = aged(case, 731)
    recent = aged(case, 100)
    taught = record(enrolment, instructor, sign=False, model_code="M-0200")
    record_consultation(taught, instructor, teaching_consent=True)
    kept_for_teaching = aged(taught, 900)
    # Another course keeps photographs 30 days.
    short = CourseFactory(instructors=[instructor], handson_photo_retention_days=30)
    other = record(EnrolmentFactory(trainee=enrolment.trainee, course=short), instructor, sign=False)
    record_consultation(other, instructor)
    short_expired = aged(other, 31)
    short_recent = aged(other, 29)
    expired_files = {expired.file.name, short_expired.file.name}

    assert photos.photos_delete_expired(now=now) == 2

    left = set(CasePhoto.objects.values_list("pk", flat=True))
    assert left == {recent.pk, kept_for_teaching.pk, short_recent.pk}
    assert not any(private_storage.exists(name) for name in expired_files)
    assert len(photo_files()) == 3
    events = AuditEvent.objects.filter(action=photos.RETENTION_ACTION)
    assert {e.object_id for e in events} == {str(expired.pk), str(short_expired.pk)}
    assert all(e.actor is None for e in events)
    # Running again deletes nothing more and audits nothing more.
    assert photos.photos_delete_expired(now=now) == 0
    assert CasePhoto.objects.count() == 3
    assert AuditEvent.objects.filter(action=photos.RETENTION_ACTION).count() == 2


def test_the_retention_task_is_scheduled_daily(settings):
    from courses.tasks import handson_photos_retention_task

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == handson_photos_retention_task.name)
    assert entry["schedule"].hour == {0}
    assert handson_photos_retention_task.apply().get() == 0


# Query budget -------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["trainee", "instructor"])
def test_the_session_page_costs_the_same_with_1_or_5_photos(
    client_for, enrolment, instructor, case, django_assert_num_queries, viewer
):
    user = enrolment.trainee if viewer == "trainee" else instructor
    client = client_for(user)
    url = reverse("courses:session_detail", args=[case.pk])
    add_photo(case, instructor)
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).content.decode().count("photo-grid") == 1
    for _n in range(4):
        add_photo(case, instructor)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('<li><figure><a href="/photos/') == 5
