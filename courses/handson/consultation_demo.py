"""Demo data for a case's consultation and photographs (called by courses.demo)."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from core.uploads import check_document
from courses.models import CONTRAINDICATION_FIELDS, RISKS, CasePhoto, InjectionSession

from . import consultation, photos


def brow_drawing_png() -> bytes:
    """A plain drawing of a brow and the glabellar injection points: no real face."""
    image = Image.new("RGB", (640, 480), (236, 214, 196))
    draw = ImageDraw.Draw(image)
    for left in (True, False):
        x0, x1 = (90, 290) if left else (350, 550)
        draw.arc((x0, 200, x1, 330), start=200, end=340, fill=(92, 64, 51), width=14)  # brow
        draw.ellipse((x0 + 50, 300, x1 - 50, 360), outline=(120, 96, 84), width=4)  # upper lid
    draw.line((320, 150, 320, 260), fill=(196, 160, 140), width=4)  # a frown line
    for x, y in ((320, 230), (270, 215), (370, 215), (215, 195), (425, 195)):
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(15, 76, 92))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_case(*, session: InjectionSession, trainee: User) -> None:
    """The trainee's consultation of a draft case (every answer "no", consent to treatment
    and to photographs) and a before photograph."""
    taken_at = timezone.make_aware(
        datetime.datetime.combine(session.performed_on, datetime.time(9, 30)), timezone.get_current_timezone()
    )
    data = {name: "no" for name in CONTRAINDICATION_FIELDS}
    data.update(
        history="Healthy; no regular medicines. First botulinum toxin treatment.",
        goals="Soften the frown lines between the brows while keeping natural movement.",
        risks_explained=[code for code, _label in RISKS],
        treatment_consent=True,
        consent_taken_by=f"{trainee.display_name}, treating practitioner (trainee)",
        consent_taken_at=taken_at,
        photo_consent=True,
        teaching_consent=False,
    )
    consultation.consultation_save(session_id=session.pk, actor=trainee, data=data)
    document = check_document(SimpleUploadedFile("before.png", brow_drawing_png(), "image/png"))
    photos.photo_upload(session_id=session.pk, actor=trainee, kind=CasePhoto.Kind.BEFORE, document=document)
