"""Checks for uploaded documents: by content, not by name, and by size.

A document is accepted only if it is a JPEG, PNG or PDF whose name agrees with its
content, no larger than MAX_UPLOAD_BYTES. Images must stay under MAX_IMAGE_PIXELS and,
read from the header before anything is decoded, under MAX_IMAGE_DECODED_BYTES once
decoded and converted (a 5 KB PNG can claim 40 megapixels); they are then decoded and
written again, pixels only, by a child process whose address space and CPU time are
capped (core/reencode.py): the web process never holds a decoded picture, and a child
that runs out of room is a message at the field, not a 500. PDFs must be complete and
are parsed in the same kind of child, which refuses any script, embedded file or action
anywhere in the document (core/pdf_actions.py). Each user may upload
UPLOAD_RATE_LIMIT files.
"""

from __future__ import annotations

import io
import logging
import math
import os
import subprocess  # nosec B404  (runs our own checker with sys.executable, no shell)
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core import ratelimit, reencode

logger = logging.getLogger(__name__)

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"

EXTENSIONS = {JPEG: (".jpg", ".jpeg"), PNG: (".png",), PDF: (".pdf",)}
KIND_NAMES = {JPEG: "JPEG image", PNG: "PNG image", PDF: "PDF"}
CHECKER = Path(reencode.__file__).resolve()

MSG_EMPTY = _("The file is empty.")
MSG_TOO_LARGE = _("The file is {size}; the limit is {limit}.")
MSG_UNKNOWN_TYPE = _("Upload a JPEG, PNG or PDF. This file's content is none of those.")
MSG_NAME_MISMATCH = _("The file is named {name} but its content is a {kind}. Rename it or upload the right file.")
MSG_BROKEN_IMAGE = _("The image could not be read; it may be damaged or incomplete.")
MSG_IMAGE_TOO_BIG = _("The image has more than {limit} megapixels; scan or photograph it at a lower resolution.")
MSG_IMAGE_TOO_HEAVY = _(
    "This image is too large to process: decoded it would take {size} MB and the limit is {limit} MB. "
    "Save it at a lower resolution, or as a JPEG, and upload it again."
)
MSG_IMAGE_FAILED = _(
    "This image is too large to process; save it at a lower resolution, or as a JPEG, and upload it again."
)
MSG_BROKEN_PDF = _("The PDF could not be read; it may be damaged or incomplete.")
MSG_ACTIVE_PDF = _("PDFs with scripts, embedded files or automatic actions are not accepted.")
MSG_PDF_FAILED = _("This PDF is too large or complex to check; upload a scan of the document as a JPEG or PNG instead.")
MSG_TOO_MANY_UPLOADS = _("You have uploaded many files in a short time; try again in {minutes} minutes.")


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    content_type: str
    extension: str


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return PDF
    return None


def check_document(upload, *, request=None) -> CheckedDocument:
    """Return the document as it will be stored, or raise ValidationError with a message
    for the form field. With the ``request``, the upload counts against its user's
    UPLOAD_RATE_LIMIT (uploads made by the system, like the demo's, pass none)."""
    if request is not None:
        _count_upload(request)
    size = upload.size
    if not size:
        raise ValidationError(MSG_EMPTY, code="empty")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            MSG_TOO_LARGE.format(size=filesizeformat(size), limit=filesizeformat(limit)),
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    content_type = sniff(data[:1024])
    if content_type is None:
        raise ValidationError(MSG_UNKNOWN_TYPE, code="type")
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            MSG_NAME_MISMATCH.format(name=name, kind=KIND_NAMES[content_type]),
            code="name_mismatch",
        )
    if content_type == PDF:
        _check_pdf(data)
        return CheckedDocument(data, PDF, ".pdf")
    return CheckedDocument(_reencode_image(data, content_type), content_type, extension)


def _count_upload(request) -> None:
    rate = settings.UPLOAD_RATE_LIMIT
    if not ratelimit.allow(request, scope="upload", rate=rate, per="user"):
        minutes = math.ceil(ratelimit.retry_after(rate) / 60)
        raise ValidationError(MSG_TOO_MANY_UPLOADS.format(minutes=minutes), code="rate_limited")


def _complete(data: bytes, content_type: str) -> bool:
    """WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process, so
    a cut-off upload would decode with a grey tail; check the end marker ourselves."""
    if content_type == JPEG:
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    return b"IEND" in data[-64:]


def _reencode_image(data: bytes, content_type: str) -> bytes:
    if not _complete(data, content_type):
        raise ValidationError(MSG_BROKEN_IMAGE, code="broken")
    _check_image_header(data)
    status, out = _run_checker(data, content_type)
    if status == 0 and out:
        return out
    if status == reencode.BROKEN:
        raise ValidationError(MSG_BROKEN_IMAGE, code="broken")
    raise ValidationError(MSG_IMAGE_FAILED, code="too_heavy")


def _check_image_header(data: bytes) -> None:
    """Refuse, from the header alone (Image.open decodes nothing), an image with too
    many pixels or one whose decoded and converted pixels would exceed the budget."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError(MSG_BROKEN_IMAGE, code="broken")
            width, height = image.size
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            needed = reencode.decoded_bytes(image, settings.MAX_IMAGE_SIDE)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, for sizes far beyond ours: refused before decoding either way.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(MSG_BROKEN_IMAGE, code="broken") from None
    budget = settings.MAX_IMAGE_DECODED_BYTES
    if needed > budget:
        raise ValidationError(
            MSG_IMAGE_TOO_HEAVY.format(size=math.ceil(needed / 2**20), limit=budget // 2**20),
            code="too_heavy",
        )


def _run_checker(data: bytes, content_type: str) -> tuple[int, bytes]:
    """Run core/reencode.py on ``data`` in a child process; (exit status, stdout).
    The child caps its own address space and CPU time; a child that overruns the wall
    clock is killed. A negative status is the signal that ended it."""
    seconds = settings.UPLOAD_CHECK_SECONDS
    command = [
        sys.executable,
        "-I",  # isolated: no environment variables, user site or working directory on the path
        str(CHECKER),
        content_type,
        str(settings.UPLOAD_CHECK_MEMORY_BYTES),
        str(seconds),
        str(settings.MAX_IMAGE_SIDE),
    ]
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603  (our own script, argument list, no shell)
            command, input=data, capture_output=True, timeout=seconds * 2, check=False
        )
    except subprocess.TimeoutExpired:
        logger.warning("upload check timed out after %ss (%s, %s bytes)", seconds * 2, content_type, len(data))
        return -9, b""
    if done.returncode not in (0, reencode.BROKEN, reencode.ACTIVE):
        logger.warning(
            "upload check ended with status %s (%s, %s bytes): %s",
            done.returncode,
            content_type,
            len(data),
            done.stderr.decode(errors="replace")[-500:],
        )
    return done.returncode, done.stdout


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        MSG_IMAGE_TOO_BIG.format(limit=f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g}"),
        code="too_many_pixels",
    )


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(MSG_BROKEN_PDF, code="broken")
    status, _out = _run_checker(data, PDF)
    if status == 0:
        return
    if status == reencode.BROKEN:
        raise ValidationError(MSG_BROKEN_PDF, code="broken")
    if status == reencode.ACTIVE:
        raise ValidationError(MSG_ACTIVE_PDF, code="active_pdf")
    raise ValidationError(MSG_PDF_FAILED, code="too_complex")
