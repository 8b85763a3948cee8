"""Consultations and case photographs recorded through the real services, and what the
consultation form posts."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.uploads import check_document
from courses.handson import consultation, photos
from courses.models import CONTRAINDICATION_FIELDS, RISKS


def consultation_data(**overrides) -> dict:
    """A complete consultation, every contraindication answered "no" (the form's cleaned data)."""
    values = {name: "no" for name in CONTRAINDICATION_FIELDS}
    values.update(
        {
            "history": "No relevant history. No regular medicines.",
            "goals": "Softer frown lines, natural movement.",
            "risks_explained": [code for code, _label in RISKS],
            "treatment_consent": True,
            "consent_taken_by": "A. Trainee, nurse prescriber",
            "consent_taken_at": timezone.now().replace(second=0, microsecond=0),
            "photo_consent": True,
            "teaching_consent": False,
        }
    )
    values.update(overrides)
    return values


def consultation_post(**overrides) -> dict:
    """What the consultation form posts for ``consultation_data`` (``None`` drops a field)."""
    values = consultation_data()
    values["consent_taken_at"] = timezone.localtime(values["consent_taken_at"]).strftime("%Y-%m-%dT%H:%M")
    for flag in ("treatment_consent", "photo_consent", "teaching_consent"):
        values[flag] = "on" if values[flag] else None
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def record_consultation(session, actor, **overrides):
    return consultation.consultation_save(session_id=session.pk, actor=actor, data=consultation_data(**overrides))


def photo_upload(name: str = "before.jpg", *, exif_make: str | None = None, size=(64, 48)) -> SimpleUploadedFile:
    """A plain JPEG (or PNG, by the name) as a browser uploads it, optionally with camera metadata."""
    out = io.BytesIO()
    image = Image.new("RGB", size, "tan")
    if name.endswith(".png"):
        image.save(out, format="PNG")
        return SimpleUploadedFile(name, out.getvalue(), "image/png")
    kwargs = {}
    if exif_make:
        exif = Image.Exif()
        exif[0x010F] = exif_make  # Make
        kwargs["exif"] = exif.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def add_photo(session, actor, kind: str = "before"):
    """A photograph stored through the real checks and service."""
    return photos.photo_upload(session_id=session.pk, actor=actor, kind=kind, document=check_document(photo_upload()))
