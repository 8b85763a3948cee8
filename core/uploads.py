"""Checks for uploaded documents: by content, not by name, and by size.

A document is accepted only if it is a JPEG, PNG or PDF whose name agrees with its
content, no larger than MAX_UPLOAD_BYTES. Images must decode fully, stay under
MAX_IMAGE_PIXELS (decompression bombs) and are re-encoded, which drops EXIF and any
other metadata such as a location. PDFs must parse, be complete, and carry no script
or automatic action.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"

EXTENSIONS = {JPEG: (".jpg", ".jpeg"), PNG: (".png",), PDF: (".pdf",)}
KIND_NAMES = {JPEG: "JPEG image", PNG: "PNG image", PDF: "PDF"}
# PDF name-tree and action keys that run code or act on opening.
PDF_ACTIVE_KEYS = (b"/JavaScript", b"/JS", b"/Launch", b"/OpenAction", b"/AA", b"/EmbeddedFile")

MSG_EMPTY = _("The file is empty.")
MSG_TOO_LARGE = _("The file is {size}; the limit is {limit}.")
MSG_UNKNOWN_TYPE = _("Upload a JPEG, PNG or PDF. This file's content is none of those.")
MSG_NAME_MISMATCH = _("The file is named {name} but its content is a {kind}. Rename it or upload the right file.")
MSG_BROKEN_IMAGE = _("The image could not be read; it may be damaged or incomplete.")
MSG_IMAGE_TOO_BIG = _("The image has more than {limit} megapixels; scan or photograph it at a lower resolution.")
MSG_BROKEN_PDF = _("The PDF could not be read; it may be damaged or incomplete.")
MSG_ACTIVE_PDF = _("PDFs with scripts, embedded files or automatic actions are not accepted.")


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


def check_document(upload) -> CheckedDocument:
    """Return the document as it will be stored, or raise ValidationError with a message
    for the form field."""
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


def _complete(data: bytes, content_type: str) -> bool:
    """WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process, so
    a cut-off upload would decode with a grey tail; check the end marker ourselves."""
    if content_type == JPEG:
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    return b"IEND" in data[-64:]


def _reencode_image(data: bytes, content_type: str) -> bytes:
    if not _complete(data, content_type):
        raise ValidationError(MSG_BROKEN_IMAGE, code="broken")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            image.load()
            # Keep the picture the right way up, then write it again without metadata.
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if content_type == JPEG:
                image.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, for sizes far beyond ours: refused before decoding either way.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(MSG_BROKEN_IMAGE, code="broken") from None


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        MSG_IMAGE_TOO_BIG.format(limit=f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g}"),
        code="too_many_pixels",
    )


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(MSG_BROKEN_PDF, code="broken")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) == 0:
            raise ValidationError(MSG_BROKEN_PDF, code="broken")
        root = reader.trailer["/Root"]
        names = root.get("/Names")
        active = any(key in root for key in ("/OpenAction", "/AA")) or (
            names is not None and any(k in names.get_object() for k in ("/JavaScript", "/EmbeddedFiles"))
        )
        for page in reader.pages:
            if "/AA" in page:
                active = True
    except ValidationError:
        raise
    except (PyPdfError, KeyError, ValueError, TypeError, OSError, RecursionError):
        raise ValidationError(MSG_BROKEN_PDF, code="broken") from None
    # Keys may hide in compressed object streams the walk above does not open; the raw
    # scan catches the common uncompressed case as a second line.
    if active or any(key in data for key in PDF_ACTIVE_KEYS):
        raise ValidationError(MSG_ACTIVE_PDF, code="active_pdf")
