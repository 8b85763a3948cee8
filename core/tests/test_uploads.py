import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import jpeg_bytes, pdf_bytes, png_bytes
from core import uploads


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        uploads.check_document(upload(name, content))
    return error.value.messages[0]


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG file that claims a huge bitmap (IHDR only plus one compressed row)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


def test_png_jpeg_and_pdf_are_accepted_by_content():
    assert uploads.check_document(upload("scan.png", png_bytes())).content_type == "image/png"
    assert uploads.check_document(upload("photo.JPG", jpeg_bytes())).content_type == "image/jpeg"
    checked = uploads.check_document(upload("licence.pdf", pdf_bytes()))
    assert checked.content_type == "application/pdf"
    assert checked.extension == ".pdf"


def test_empty_file_is_refused():
    assert refused("scan.png", b"") == uploads.MSG_EMPTY


def test_file_over_the_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    oversize = png_bytes() + b"\0" * (10 * 1024 * 1024)
    assert refused("scan.png", oversize) == "The file is 10.0\xa0MB; the limit is 10.0\xa0MB."
    settings.MAX_UPLOAD_BYTES = 1000
    assert refused("scan.png", b"x" * 2048) == "The file is 2.0\xa0KB; the limit is 1000\xa0bytes."


def test_content_that_contradicts_the_name_is_refused():
    assert refused("licence.pdf", png_bytes()) == (
        "The file is named licence.pdf but its content is a PNG image. Rename it or upload the right file."
    )
    assert refused("licence.png", pdf_bytes()).startswith("The file is named licence.png but its content is a PDF")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("scan.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("scan.jpg", b"<!DOCTYPE html><html><body>hi</body></html>"),
        ("doc.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("notes.txt", b"just text"),
    ],
)
def test_svg_html_and_other_types_are_refused(name, content):
    assert refused(name, content) == uploads.MSG_UNKNOWN_TYPE


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (8_000, 5_001)])
def test_decompression_bomb_is_refused_before_decoding(settings, width, height):
    # 2.5 gigapixels trips Pillow's own guard; 40.008 megapixels is just over ours.
    settings.MAX_IMAGE_PIXELS = 40_000_000
    message = "The image has more than 40 megapixels; scan or photograph it at a lower resolution."
    assert refused("scan.png", png_bomb(width, height)) == message


def test_image_just_under_the_pixel_limit_is_accepted(settings):
    settings.MAX_IMAGE_PIXELS = 40_000
    assert uploads.check_document(upload("scan.png", png_bytes(size=(200, 200)))).content_type == "image/png"


def test_truncated_image_is_refused():
    import weasyprint  # noqa: F401  (it makes Pillow accept truncated images process-wide)

    data = jpeg_bytes(size=(300, 300))
    assert refused("scan.jpg", data[: len(data) // 2]) == uploads.MSG_BROKEN_IMAGE
    png = png_bytes(size=(300, 300), color="red")
    assert refused("scan.png", png[: len(png) // 2]) == uploads.MSG_BROKEN_IMAGE


def test_image_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)  # a latitude: where the photo was taken
    source = jpeg_bytes(size=(64, 48), exif=exif.tobytes())
    assert b"SecretCam" in source
    checked = uploads.check_document(upload("photo.jpg", source))
    assert b"SecretCam" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.size == (64, 48)
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)


def test_truncated_pdf_is_refused():
    data = pdf_bytes()
    assert refused("licence.pdf", data[: len(data) // 2]) == uploads.MSG_BROKEN_PDF


def test_pdf_with_javascript_is_refused():
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    assert refused("licence.pdf", out.getvalue()) == uploads.MSG_ACTIVE_PDF
