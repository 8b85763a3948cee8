"""Issue 16, second hardening round, in certification: the verify look-up matches the
family name only, a revoked or superseded certificate's PDF is withdrawn from its holder,
and a replaced director's signature leaves no file behind."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from certification import verification
from certification.models import Certificate
from tests.support.certificates import make_certificate

pytestmark = pytest.mark.django_db


# The verify look-up: the family name, not any word of the name --------------------------


@pytest.mark.parametrize(
    ("name", "typed", "found"),
    [
        ("Maria van der Berg", "van der Berg", True),
        ("Maria van der Berg", "Berg", True),
        ("Maria van der Berg", "der berg", True),
        ("Maria van der Berg", "Maria", False),
        ("Maria van der Berg", "van", False),
        ("Dr Léa Fontaine-Nakamura", "Fontaine-Nakamura", True),
        ("Dr Léa Fontaine-Nakamura", "nakamura", True),
        ("Dr Léa Fontaine-Nakamura", "Lea", False),
        ("Dr Léa Fontaine-Nakamura", "Dr", False),
        ("Dr María-José Fernández de la Cruz", "FERNANDEZ DE LA CRUZ", True),
        ("Dr María-José Fernández de la Cruz", "José", False),
        ("Ann Lee", "Ann", False),
        ("山田 太郎", "山田", True),
        ("山田 太郎", "太郎", False),
    ],
)
def test_the_surname_is_the_family_name(name, typed, found):
    assert verification.surname_matches(name, typed) is found


def test_a_given_name_finds_no_certificate_on_the_public_page(client):
    certificate = make_certificate(name="Dr Léa Fontaine-Nakamura")
    url = reverse("certification:verify_lookup")
    given = client.post(url, {"action": "lookup", "serial": certificate.serial, "surname": "Léa"})
    assert given.status_code == 400
    assert "No certificate matches that serial number and surname" in given.content.decode()
    family = client.post(url, {"action": "lookup", "serial": certificate.serial, "surname": "fontaine-nakamura"})
    assert family.status_code == 200
    assert "Valid certificate" in family.content.decode()


# A withdrawn certificate's PDF -----------------------------------------------------------


def test_a_revoked_certificates_pdf_is_withdrawn_from_its_holder(client_for, administrator):
    from certification.services.lifecycle import certificate_revoke

    certificate = make_certificate()
    certificate_revoke(certificate_id=certificate.pk, actor=administrator, reason="Obtained by fraud")
    response = client_for(certificate.holder).get(reverse("certification:pdf", args=[certificate.pk]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This certificate can no longer be downloaded" in page
    assert "Obtained by fraud" in page
    assert response["Content-Type"].startswith("text/html")
    # The administrators keep the record.
    staff = client_for(administrator).get(reverse("certification:pdf", args=[certificate.pk]))
    assert staff.status_code == 200
    assert staff["Content-Type"] == "application/pdf"


def test_a_superseded_certificates_pdf_points_to_the_newer_one(client_for, administrator):
    from accounts.tests.factories import LicenceFactory
    from certification.services.lifecycle import certificate_reissue

    certificate = make_certificate()
    LicenceFactory(holder=certificate.holder, verified=True)
    newer = certificate_reissue(certificate_id=certificate.pk, actor=administrator, reason="Name corrected")
    response = client_for(certificate.holder).get(reverse("certification:pdf", args=[certificate.pk]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "replaced by a newer certificate" in page
    assert reverse("certification:detail", args=[newer.pk]) in page
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.SUPERSEDED


def test_a_current_certificates_pdf_still_downloads(client_for):
    certificate = make_certificate()
    response = client_for(certificate.holder).get(reverse("certification:pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'


# The director's signature ---------------------------------------------------------------


def test_replacing_the_directors_signature_deletes_the_old_file_and_is_audited(
    administrator, django_capture_on_commit_callbacks
):
    from core.models import AuditEvent
    from courses import services
    from courses.tests.factories import CourseFactory

    course = CourseFactory()
    course.director_signature.save("signature.png", ContentFile(b"old signature"), save=True)
    old_name = course.director_signature.name
    storage = course.director_signature.storage
    assert storage.exists(old_name)
    course.director_signature = ContentFile(b"new signature", name="signature.png")
    with django_capture_on_commit_callbacks(execute=True):
        services.course_save(course=course, actor=administrator)
    course.refresh_from_db()
    assert course.director_signature.name != old_name
    assert storage.exists(course.director_signature.name)
    assert not storage.exists(old_name)
    event = AuditEvent.objects.get(action="course.signature_replaced")
    assert event.actor == administrator
    assert event.details == {"old": old_name, "new": course.director_signature.name}
    # Saving without a new signature deletes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.course_save(course=course, actor=administrator)
    assert storage.exists(course.director_signature.name)
    assert AuditEvent.objects.filter(action="course.signature_replaced").count() == 1


def test_a_failed_save_keeps_the_old_signature(administrator, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from courses import services
    from courses.tests.factories import CourseFactory

    course = CourseFactory()
    course.director_signature.save("signature.png", ContentFile(b"old signature"), save=True)
    old_name = course.director_signature.name
    course.director_signature = ContentFile(b"new signature", name="signature.png")
    course.capacity = -1  # refused by full_clean
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.course_save(course=course, actor=administrator)
    assert course.director_signature.storage.exists(old_name)
