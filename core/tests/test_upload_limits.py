"""Uploads cost the web process bounded memory (issue 16, findings 1 and 8): images are
refused from the header when their decoded size would exceed the budget, decoded and
re-encoded in a memory-capped child process, rate-limited per user, and stored as pixels
only (no comment, EXIF, XMP, text chunks or colour profile; colours converted to sRGB)."""

from __future__ import annotations

import datetime
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import png_bytes
from core import uploads

MB = 2**20
# The web process may grow by at most this much while checking the worst legal uploads.
PARENT_BUDGET = 60 * MB
SIDE = 6_320  # 39.9 megapixels: just under the default 40 MP limit


def refused(name: str, content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        uploads.check_document(SimpleUploadedFile(name, content), **kwargs)
    return error.value.messages[0]


def encoded(mode: str, size, color, fmt: str, **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


# Decoded size, before decoding ---------------------------------------------------------


def test_the_budget_counts_decoded_bytes_not_pixels(settings, monkeypatch):
    """A million 1-bit pixels decode to 1 MB and pass a 1 MB budget; the same million
    pixels in RGB (4 bytes each as decoded) are refused, from the header, before any
    child process is started."""
    settings.MAX_IMAGE_DECODED_BYTES = 1 * MB
    checked = uploads.check_document(SimpleUploadedFile("scan.png", encoded("1", (1000, 1000), 1, "PNG")))
    with Image.open(io.BytesIO(checked.content)) as image:
        assert (image.mode, image.size) == ("1", (1000, 1000))

    def no_child(*args, **kwargs):
        raise AssertionError("decoded before the budget was checked")

    monkeypatch.setattr(uploads, "_run_checker", no_child)
    message = refused("scan.png", encoded("RGB", (1000, 1000), "white", "PNG"))
    assert message == (
        "This image is too large to process: decoded it would take 4 MB and the limit is 1 MB. "
        "Save it at a lower resolution, or as a JPEG, and upload it again."
    )


def test_a_jpeg_is_counted_at_its_draft_scale(settings):
    """A JPEG decodes at the smallest scale that fits MAX_IMAGE_SIDE, so its budget is
    counted there: 2,000 px squared at half scale is 4 MB, not 16 MB."""
    settings.MAX_IMAGE_DECODED_BYTES = 5 * MB
    settings.MAX_IMAGE_SIDE = 1_000
    checked = uploads.check_document(SimpleUploadedFile("photo.jpg", encoded("RGB", (2000, 2000), "white", "JPEG")))
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.size == (1000, 1000)
    settings.MAX_IMAGE_SIDE = 4_000
    assert refused("photo.jpg", encoded("RGB", (2000, 2000), "white", "JPEG")).startswith(
        "This image is too large to process: decoded it would take 16 MB and the limit is 5 MB."
    )


def test_a_child_that_runs_out_of_memory_is_a_message_at_the_field(settings):
    """Under a budget that lets it through, an image the child cannot fit in its capped
    address space is refused with a message, not a 500."""
    settings.UPLOAD_CHECK_MEMORY_BYTES = 100 * MB
    assert refused("scan.png", encoded("RGB", (5000, 5000), "white", "PNG")) == str(uploads.MSG_IMAGE_FAILED)


def test_a_child_that_overruns_the_clock_is_a_message_at_the_field(monkeypatch):
    def too_slow(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(uploads.subprocess, "run", too_slow)
    assert refused("scan.png", png_bytes()) == str(uploads.MSG_IMAGE_FAILED)
    assert refused("licence.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n") == str(uploads.MSG_PDF_FAILED)


# Peak memory of the web process ------------------------------------------------------------

HARNESS = textwrap.dedent(
    """
    import io, json, os, resource, sys, threading
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from core.uploads import check_document

    samples = [(os.path.basename(p), open(p, "rb").read()) for p in sys.argv[1:]]
    for fmt, name in (("JPEG", "warm.jpg"), ("PNG", "warm.png")):  # imports and plugins, once
        warm = io.BytesIO()
        Image.new("L", (8, 8)).save(warm, format=fmt)
        check_document(SimpleUploadedFile(name, warm.getvalue()))

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    before = peak()
    stored = {name: len(check_document(SimpleUploadedFile(name, data)).content) for name, data in samples}
    sequential = peak()
    errors = []

    def one(name, data):
        try:
            check_document(SimpleUploadedFile(name, data))
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=one, args=samples[i % len(samples)]) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({
        "before": before, "sequential": sequential, "parallel": peak(), "stored": stored,
        "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "errors": errors,
    }))
    """
)


@pytest.fixture(scope="module")
def worst_legal_images(tmp_path_factory) -> list[Path]:
    """A white JPEG and a 1-bit PNG of 6,320 × 6,320 pixels: 624 KB and 5 KB on disk,
    40 megapixels decoded (the shapes that cost 570 MB and 200 MB in the web process)."""
    folder = tmp_path_factory.mktemp("worst")
    jpeg, png = folder / "white.jpg", folder / "bilevel.png"
    white = Image.new("L", (SIDE, SIDE), 255)
    white.convert("RGB").save(jpeg, format="JPEG", quality=90)
    white.convert("1").save(png, format="PNG")
    return [jpeg, png]


def test_the_worst_legal_uploads_cost_the_web_process_little_memory(worst_legal_images):
    """Run in a fresh process (its peak RSS is a clean high-water mark), as a web process
    would: each image is accepted and stored, the process's peak grows by less than
    PARENT_BUDGET, alone and with eight such uploads at once, and the decoding shows up
    in the children's peak instead."""
    assert sum(p.stat().st_size for p in worst_legal_images) < 1 * MB
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(django_settings.BASE_DIR)}
    for name in ("DATABASE_URL", "REDIS_URL", "CI"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, *map(str, worst_legal_images)],
        capture_output=True,
        cwd=django_settings.BASE_DIR,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert result["errors"] == []
    assert set(result["stored"]) == {"white.jpg", "bilevel.png"}
    assert result["sequential"] - result["before"] < PARENT_BUDGET, result
    assert result["parallel"] - result["before"] < PARENT_BUDGET, result
    assert result["children"] > 35 * MB, result  # a child decoded 40 MB or more


def test_the_worst_legal_uploads_are_stored_within_the_largest_side(worst_legal_images):
    jpeg, png = (path.read_bytes() for path in worst_legal_images)
    with Image.open(io.BytesIO(uploads.check_document(SimpleUploadedFile("white.jpg", jpeg)).content)) as image:
        assert image.size == (SIDE // 2, SIDE // 2)  # decoded at half scale (JPEG draft)
    with Image.open(io.BytesIO(uploads.check_document(SimpleUploadedFile("bilevel.png", png)).content)) as image:
        assert (image.mode, image.size) == ("1", (4096, 4096))


# Rate limit per user --------------------------------------------------------------------------


@pytest.mark.django_db
def test_licence_uploads_are_rate_limited_per_user(client_for, trainee, other_trainee, settings):
    from accounts.tests.factories import JurisdictionFactory

    settings.UPLOAD_RATE_LIMIT = "2/h"
    jurisdiction = JurisdictionFactory()

    def post(user):
        response = client_for(user).post(
            reverse("accounts:licence_create"),
            {
                "profession": "md",
                "number": "",  # missing: the form comes back, the upload was still checked
                "jurisdiction": jurisdiction.pk,
                "expires_on": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
                "document": SimpleUploadedFile("scan.png", png_bytes()),
            },
        )
        assert response.status_code == 200
        return response.context["form"].errors.get("document", [])

    assert post(trainee) == []
    assert post(trainee) == []
    errors = post(trainee)
    assert len(errors) == 1
    assert errors[0].startswith("You have uploaded many files in a short time; try again in ")
    assert post(other_trainee) == []  # counted per user


@pytest.mark.django_db
def test_lesson_image_uploads_are_rate_limited_per_user(client_for, administrator, settings):
    from courses.models import LessonImage
    from courses.tests.factories import course_with_lessons

    settings.UPLOAD_RATE_LIMIT = "1/h"
    course = course_with_lessons(1)
    client = client_for(administrator)

    def post():
        return client.post(
            reverse("admin:courses_lessonimage_add"),
            {"course": course.pk, "alt_text": "Procerus", "upload": SimpleUploadedFile("a.png", png_bytes())},
        )

    assert post().status_code == 302
    response = post()
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["upload"]
    assert errors[0].startswith("You have uploaded many files in a short time")
    assert LessonImage.objects.count() == 1


# Metadata (finding 8) -------------------------------------------------------------------------


def swapped_primaries_profile() -> bytes:
    """An ICC v2 RGB display profile whose red and blue colorants are swapped: under it
    a pixel stored as red is blue, so converting to sRGB visibly moves the colours."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x, y, z) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    description = b"desc\0\0\0\0" + struct.pack(">I", 8) + b"swapped\0" + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    tags = [
        (b"desc", description),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),  # sRGB's blue
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0none\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments up to the start of scan."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def test_a_jpeg_keeps_nothing_but_pixels_and_its_colours_are_converted_to_srgb():
    from PIL import PngImagePlugin  # noqa: F401  (Image.Exif needs the plugins loaded)

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    source = encoded(
        "RGB",
        (64, 48),
        (200, 30, 30),
        "JPEG",
        comment=b"Patient: Jane Roe",
        icc_profile=swapped_primaries_profile(),
        exif=exif.tobytes(),
        xmp=b"<x:xmpmeta>GlabellaXMP</x:xmpmeta>",
    )
    assert {0xFE, 0xE1, 0xE2} <= set(jpeg_markers(source))  # COM, APP1 (EXIF, XMP), APP2 (ICC)
    stored = uploads.check_document(SimpleUploadedFile("photo.jpg", source)).content
    assert set(jpeg_markers(stored)) <= {0xD8, 0xE0, 0xDB, 0xC0, 0xC4, 0xDD, 0xDA}  # JFIF, tables, frame, scan
    for secret in (b"Jane Roe", b"SecretCam", b"GlabellaXMP"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not {"comment", "icc_profile", "exif", "xmp"} & set(image.info)
        red, _green, blue = image.convert("RGB").getpixel((32, 24))
    # The stored red meant blue under its profile.
    assert blue > 150, (red, blue)
    assert red < 120, (red, blue)


def test_a_png_keeps_nothing_but_pixels_and_its_colours_are_converted_to_srgb():
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Comment", "Patient: Jane Roe")
    text.add_text("Author", "GlabellaSecret", zip=True)
    text.add_itxt("Description", "GlabellaItxt")
    source = encoded(
        "RGB", (40, 30), (200, 30, 30), "PNG", pnginfo=text, icc_profile=swapped_primaries_profile(), dpi=(300, 300)
    )
    assert {b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"pHYs"} <= set(png_chunks(source))
    stored = uploads.check_document(SimpleUploadedFile("scan.png", source)).content
    assert set(png_chunks(stored)) == {b"IHDR", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(stored)) as image:
        assert image.info == {}
        red, _green, blue = image.getpixel((20, 15))
    assert blue > 150, (red, blue)
    assert red < 120, (red, blue)


def test_a_png_without_a_profile_keeps_its_colours_and_transparency():
    source = encoded("RGBA", (40, 30), (200, 30, 30, 128), "PNG")
    stored = uploads.check_document(SimpleUploadedFile("scan.png", source)).content
    with Image.open(io.BytesIO(stored)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0)) == (200, 30, 30, 128)
    palette = Image.new("P", (20, 20), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255])
    out = io.BytesIO()
    palette.save(out, format="PNG", transparency=0)
    stored = uploads.check_document(SimpleUploadedFile("scan.png", out.getvalue())).content
    with Image.open(io.BytesIO(stored)) as image:
        assert image.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 0)  # still transparent
