"""A corpus of hostile uploads, made here as bytes (nothing is downloaded or kept in
the repository): decompression bombs over and under the pixel limit, files whose
content contradicts their name, SVG and HTML with script, PDFs with JavaScript or cut
short, empty and oversize files, and photos carrying EXIF GPS data.

Each sample says what a document upload (core.uploads.check_document) must make of it:
``refuse`` with the message the field shows, or ``accept`` (images re-encoded without
metadata)."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

from core import uploads

# The pixel limit the samples are built around (the tests set MAX_IMAGE_PIXELS to it so
# that an image "just under" it is small enough to decode quickly).
PIXEL_LIMIT = 40_000
# The upload size limit the tests set (MAX_UPLOAD_BYTES), and the real one's default.
SIZE_LIMIT = 60_000
GPS_MARKER = b"GlabellaSecretCam"


@dataclass(frozen=True)
class Sample:
    key: str
    name: str
    content: bytes
    verdict: str  # "accept" or "refuse"
    message: str = ""  # the field's message when refused by check_document
    kind: str = ""  # "image" or "pdf" when accepted

    def __repr__(self) -> str:  # short ids in test reports
        return self.key


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A few hundred bytes that claim a width × height bitmap: the pixels are all zero,
    so the data compresses to almost nothing."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * min(height, 64), 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")


def png(size=(40, 30), color="navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def png_with_text_chunk(text: bytes) -> bytes:
    """A valid PNG carrying a tEXt chunk (metadata the re-encoding must drop)."""
    data = png()
    return data[:-12] + _chunk(b"tEXt", b"Comment\x00" + text) + data[-12:]


def jpeg_with_gps(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = GPS_MARKER.decode()  # Make
    exif[0x0110] = "Model <script>alert(1)</script>"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.0)  # latitude: where the photo was taken
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf(*, active: str = "") -> bytes:
    """A one-page PDF; ``active`` adds JavaScript run on opening ("openaction"), a page
    action ("aa"), a JavaScript name tree ("names") or an embedded file ("embedded")."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    if active == "openaction":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    elif active == "aa":
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(script)})
    elif active == "names":
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    elif active == "embedded":
        writer.add_attachment("payload.exe", b"MZ\x90\x00 not really")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corpus() -> list[Sample]:
    bomb_side = 8_000
    real_limit_over = 40_000_000 // bomb_side + 1  # just over the default MAX_IMAGE_PIXELS
    under_w, under_h = 200, PIXEL_LIMIT // 200 - 1  # 39 800 pixels: just under the test limit
    over_w, over_h = 200, PIXEL_LIMIT // 200 + 1  # 40 200 pixels: just over it
    too_big = f"The image has more than {PIXEL_LIMIT / 1_000_000:g} megapixels"
    full = pdf()
    oversize = png() + b"\x00" * SIZE_LIMIT
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'
    html = b"<!DOCTYPE html><html><body><script>fetch('/me/').then(r=>r.text()).then(alert)</script></body></html>"
    return [
        # Decompression bombs: tiny files that claim enormous bitmaps.
        Sample("bomb-2.5-gigapixels", "scan.png", png_bomb(50_000, 50_000), "refuse", too_big),
        Sample("bomb-over-default-limit", "scan.png", png_bomb(bomb_side, real_limit_over), "refuse", too_big),
        Sample("image-just-over-limit", "scan.png", png((over_w, over_h)), "refuse", too_big),
        Sample("image-just-under-limit", "scan.png", png((under_w, under_h)), "accept", kind="image"),
        # Content that contradicts the name.
        Sample(
            "png-named-pdf", "licence.pdf", png(), "refuse", "The file is named licence.pdf but its content is a PNG"
        ),
        Sample(
            "pdf-named-png", "licence.png", full, "refuse", "The file is named licence.png but its content is a PDF"
        ),
        Sample("jpeg-named-png", "photo.png", jpeg_with_gps(), "refuse", "The file is named photo.png but its content"),
        Sample("png-named-exe", "scan.png.exe", png(), "refuse", "The file is named scan.png.exe but its content"),
        # Script in formats that are not accepted at all.
        Sample("svg-with-script", "logo.svg", svg, "refuse", str(uploads.MSG_UNKNOWN_TYPE)),
        Sample("svg-named-png", "logo.png", svg, "refuse", str(uploads.MSG_UNKNOWN_TYPE)),
        Sample("html-with-script", "page.html", html, "refuse", str(uploads.MSG_UNKNOWN_TYPE)),
        Sample("html-named-jpg", "photo.jpg", html, "refuse", str(uploads.MSG_UNKNOWN_TYPE)),
        Sample("html-named-pdf", "licence.pdf", html, "refuse", str(uploads.MSG_UNKNOWN_TYPE)),
        # PDFs that act on their own, or are cut short.
        Sample(
            "pdf-javascript-openaction", "licence.pdf", pdf(active="openaction"), "refuse", str(uploads.MSG_ACTIVE_PDF)
        ),
        Sample("pdf-page-action", "licence.pdf", pdf(active="aa"), "refuse", str(uploads.MSG_ACTIVE_PDF)),
        Sample("pdf-javascript-names", "licence.pdf", pdf(active="names"), "refuse", str(uploads.MSG_ACTIVE_PDF)),
        Sample("pdf-embedded-file", "licence.pdf", pdf(active="embedded"), "refuse", str(uploads.MSG_ACTIVE_PDF)),
        Sample("pdf-truncated", "licence.pdf", full[: len(full) // 2], "refuse", str(uploads.MSG_BROKEN_PDF)),
        Sample("pdf-header-only", "licence.pdf", b"%PDF-1.7\n%%EOF\n", "refuse", str(uploads.MSG_BROKEN_PDF)),
        Sample("png-truncated", "scan.png", png((300, 300), "red")[:200], "refuse", str(uploads.MSG_BROKEN_IMAGE)),
        # Empty and oversize.
        Sample("empty", "scan.png", b"", "refuse", "file is empty."),
        Sample("oversize", "scan.png", oversize, "refuse", "the limit is"),
        # Accepted, and stored re-encoded without metadata.
        Sample("jpeg-with-gps-exif", "photo.jpg", jpeg_with_gps(), "accept", kind="image"),
        Sample(
            "png-with-script-text-chunk",
            "scan.png",
            png_with_text_chunk(GPS_MARKER + b"<script>"),
            "accept",
            kind="image",
        ),  # fmt: skip
        Sample("plain-pdf", "licence.pdf", full, "accept", kind="pdf"),
    ]
