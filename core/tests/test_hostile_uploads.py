"""The hostile corpus (core/tests/hostile.py) through every upload field: the licence
form, the lesson image and the course director's signature in the Django admin, and the
certificate PDF check on /verify/. Each sample is refused with a message at its field,
or, for images that pass, stored re-encoded without metadata; nothing refused reaches
the private media folder."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.tests import hostile

pytestmark = pytest.mark.django_db
CORPUS = hostile.corpus()
FIELDS = ("licence", "lesson_image", "signature", "verify")


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.MAX_IMAGE_PIXELS = hostile.PIXEL_LIMIT
    settings.MAX_UPLOAD_BYTES = hostile.SIZE_LIMIT


def stored_files(settings) -> dict[str, str]:
    root = settings.PRIVATE_MEDIA_ROOT
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def assert_clean_image(data: bytes) -> None:
    """Re-encoded: no EXIF (so no GPS position), no text chunks, none of the original's
    metadata bytes."""
    assert hostile.GPS_MARKER not in data
    assert b"<script>" not in data
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert "Comment" not in image.info


def expected(sample: hostile.Sample, field: str) -> tuple[str, str]:
    """(verdict, message) for this sample at this field."""
    if field == "verify":
        # Only checked against the issued certificates' fingerprints, never stored or
        # parsed: any PDF-looking file gets an answer; anything else is refused.
        if not sample.content:
            return "refuse", "The submitted file is empty."
        if sample.content.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
            return "accept", ""
        return "refuse", "This file is not a PDF. Upload the certificate's PDF file."
    if sample.key == "empty":
        return "refuse", "The submitted file is empty."
    if sample.verdict == "accept" and sample.kind == "pdf" and field == "lesson_image":
        return "refuse", "Lesson images must be JPEG or PNG."
    if sample.verdict == "accept" and sample.kind == "pdf" and field == "signature":
        return "refuse", "The signature must be a PNG or JPEG image."
    return sample.verdict, sample.message


# One submission per field -----------------------------------------------------------------


def submit_licence(client_for, world, sample):
    from accounts.models import Licence

    client = client_for(world["trainee"])
    response = client.post(
        reverse("accounts:licence_create"),
        {
            "profession": "md",
            "number": "A7654321",
            "jurisdiction": world["jurisdiction"].pk,
            "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            "document": SimpleUploadedFile(sample.name, sample.content),
        },
    )
    if response.status_code == 302:
        licence = Licence.objects.get(holder=world["trainee"])
        with licence.document.open("rb") as handle:
            return "accept", handle.read(), None
    return "refuse", None, response.context["form"].errors.get("document", [])


def submit_lesson_image(client_for, world, sample):
    from courses.models import LessonImage

    client = client_for(world["administrator"])
    response = client.post(
        reverse("admin:courses_lessonimage_add"),
        {
            "course": world["course"].pk,
            "alt_text": "Procerus",
            "upload": SimpleUploadedFile(sample.name, sample.content),
        },
    )
    if response.status_code == 302:
        image = LessonImage.objects.get()
        with image.image.open("rb") as handle:
            return "accept", handle.read(), None
    return "refuse", None, response.context["adminform"].form.errors.get("upload", [])


def course_change_data(client, course) -> dict:
    """What the Django admin's course page would post back unchanged."""
    import json

    response = client.get(reverse("admin:courses_course_change", args=[course.pk]))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "director_signature" or value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, dict):
            data[name] = json.dumps(value)
        else:
            data[name] = str(field.prepare_value(value)) if not isinstance(value, str) else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(name)] = value
        for inner in formset.forms:
            for name in inner.fields:
                value = inner[name].value()
                if value not in (None, False):
                    data[inner.add_prefix(name)] = str(value)
    return data


def submit_signature(client_for, world, sample):
    client = client_for(world["administrator"])
    course = world["course"]
    data = course_change_data(client, course)
    data["director_signature"] = SimpleUploadedFile(sample.name, sample.content)
    response = client.post(reverse("admin:courses_course_change", args=[course.pk]), data)
    if response.status_code == 302:
        course.refresh_from_db()
        with course.director_signature.open("rb") as handle:
            return "accept", handle.read(), None
    form = response.context["adminform"].form
    assert set(form.errors) <= {"director_signature"}, form.errors
    return "refuse", None, form.errors.get("director_signature", [])


def submit_verify(client_for, world, sample):
    response = client_for(None).post(
        reverse("certification:verify_lookup"),
        {"action": "file", "document": SimpleUploadedFile(sample.name, sample.content)},
    )
    if response.status_code == 200 and "upload" not in (response.context or {}):
        assert "Not a genuine, unaltered certificate" in response.content.decode()
        return "accept", None, None
    return "refuse", None, response.context["upload"].errors.get("document", [])


SUBMIT = {
    "licence": submit_licence,
    "lesson_image": submit_lesson_image,
    "signature": submit_signature,
    "verify": submit_verify,
}


@pytest.fixture
def world(trainee, administrator):
    from accounts.tests.factories import JurisdictionFactory
    from courses.tests.factories import course_with_lessons

    return {
        "trainee": trainee,
        "administrator": administrator,
        "jurisdiction": JurisdictionFactory(),
        "course": course_with_lessons(1),
    }


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("sample", CORPUS, ids=[s.key for s in CORPUS])
def test_hostile_upload_is_refused_at_the_field_or_stored_clean(client_for, world, settings, sample, field):
    verdict, message = expected(sample, field)
    before = stored_files(settings)
    got, stored, errors = SUBMIT[field](client_for, world, sample)
    after = stored_files(settings)
    assert got == verdict, (sample.key, field, errors)
    if verdict == "refuse":
        assert errors, (sample.key, field)
        assert any(message in error for error in errors), (sample.key, field, errors)
        assert after == before, f"{sample.key} refused at {field} but something reached storage"
        return
    if field == "verify":
        assert after == before  # checked, never kept
        return
    assert len(set(after) - set(before)) == 1
    if sample.kind == "image":
        assert_clean_image(stored)
    else:
        assert stored == sample.content


@pytest.mark.parametrize("sample", [s for s in CORPUS if s.key.startswith("bomb")], ids=lambda s: s.key)
def test_bombs_are_refused_under_the_default_pixel_limit_too(settings, sample):
    from django.core.exceptions import ValidationError

    from core.uploads import check_document

    settings.MAX_IMAGE_PIXELS = 40_000_000
    with pytest.raises(ValidationError) as error:
        check_document(SimpleUploadedFile(sample.name, sample.content))
    assert error.value.messages == [
        "The image has more than 40 megapixels; scan or photograph it at a lower resolution."
    ]


def test_a_verification_upload_over_5_mb_is_refused_and_not_kept(client, settings):
    before = stored_files(settings)
    response = client.post(
        reverse("certification:verify_lookup"),
        {"action": "file", "document": SimpleUploadedFile("c.pdf", b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024))},
    )
    assert response.status_code == 400
    assert response.context["upload"].errors["document"] == [
        "The file is larger than 5 MB; no Glabella certificate is that large."
    ]
    assert stored_files(settings) == before


def test_the_signature_page_opens_with_a_signature_on_file(client_for, world, settings):
    """A course with a stored signature (a private file with no URL) still opens in the admin."""
    sample = next(s for s in CORPUS if s.key == "jpeg-with-gps-exif")
    assert submit_signature(client_for, world, sample)[0] == "accept"
    response = client_for(world["administrator"]).get(reverse("admin:courses_course_change", args=[world["course"].pk]))
    assert response.status_code == 200
    assert "signatures/signature" in response.content.decode()
