"""The expensive part of checking an upload, run in a child process with a memory cap.

``core.uploads`` runs ``python -I core/reencode.py <content type> <address-space limit>
<CPU seconds> <max side>`` with the upload on stdin. The child caps its own address
space and CPU time first (``resource.setrlimit``), then decodes and re-encodes an image,
or parses a PDF and looks for actions, and answers on stdout with its exit status:

* 0: done; stdout holds the re-encoded image (nothing for a PDF);
* ``BROKEN``: the file could not be decoded or parsed;
* ``ACTIVE``: the PDF carries scripts, embedded files or actions that run on their own;
* ``TOO_COMPLEX``: the PDF has more objects or nesting than the walk will follow;
* anything else (``OUT_OF_MEMORY``, a signal from the CPU limit): too large to process.

It imports only the standard library, Pillow and pypdf (never Django), so the web
process never holds a decoded picture, and whatever the child allocated goes back to
the operating system when it exits. The planning helpers (``decoded_mode`` and
friends) are also imported by ``core.uploads`` to refuse, from the header alone, an
image whose decoded size would exceed the budget.
"""

from __future__ import annotations

import io
import math
import resource
import sys
from pathlib import Path

BROKEN, ACTIVE, TOO_COMPLEX, OUT_OF_MEMORY = 2, 3, 4, 5

# Bytes per pixel as Pillow stores a mode (multi-band 8-bit modes take 4).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}


def pixel_bytes(mode: str) -> int:
    return _PIXEL_BYTES.get(mode, 4)


def jpeg_scale(size: tuple[int, int], max_side: int) -> int:
    """The smallest JPEG draft scale (1, 2, 4 or 8) that brings the long side within
    ``max_side``; 8 at most (the rest is done by resampling after the decode)."""
    long_side = max(size)
    for scale in (1, 2, 4, 8):
        if math.ceil(long_side / scale) <= max_side:
            return scale
    return 8


def plan(image, max_side: int) -> tuple[tuple[int, int], str, str]:
    """(decoded size, decoded mode, stored mode) for an opened, not yet decoded image."""
    width, height = image.size
    has_profile = bool(image.info.get("icc_profile"))
    if image.format == "JPEG":
        scale = jpeg_scale(image.size, max_side)
        decoded = (math.ceil(width / scale), math.ceil(height / scale))
        mode = "L" if image.mode == "L" else ("CMYK" if image.mode == "CMYK" else "RGB")
        stored = "RGB" if (mode == "CMYK" or (has_profile and mode == "L")) else mode
        return decoded, mode, stored
    mode = image.mode
    alpha = mode in ("LA", "RGBA", "PA") or "transparency" in image.info
    if alpha and mode not in ("LA", "RGBA"):
        stored = "RGBA"  # a transparent colour becomes an alpha channel
    elif has_profile:
        stored = "RGBA" if alpha else "RGB"
    elif mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"):
        stored = mode
    else:
        stored = "RGBA"
    if has_profile and stored == "LA":
        stored = "RGBA"
    return image.size, mode, stored


def decoded_bytes(image, max_side: int) -> int:
    """The most memory the decode and conversion hold at once, in bytes."""
    (width, height), mode, stored = plan(image, max_side)
    pixels = width * height
    total = pixels * pixel_bytes(mode)
    if stored != mode:
        total += pixels * pixel_bytes(stored)
    return total


def reencode_image(data: bytes, max_side: int) -> bytes:
    """Decode (JPEG at the smallest draft scale that keeps the long side within
    ``max_side``), convert to sRGB if a colour profile is present, turn the right way up,
    scale down to ``max_side`` and write pixels only: no EXIF, XMP, comments, text
    chunks, colour profile or any other metadata."""
    from PIL import Image, ImageOps

    source = Image.open(io.BytesIO(data))
    _decoded, mode, stored = plan(source, max_side)
    fmt = source.format
    profile = source.info.get("icc_profile")
    orientation = source.getexif().get(0x0112)
    if fmt == "JPEG":
        scale = jpeg_scale(source.size, max_side)
        source.draft(mode, (max(1, source.size[0] // scale), max(1, source.size[1] // scale)))
    source.load()
    image = source
    if profile:
        image = _to_srgb(image, profile, stored)
    if image.mode != stored:
        image = image.convert(stored)
    del source
    if orientation and orientation != 1:
        # exif_transpose reads the tag from the image; the decoded one no longer has it.
        image.getexif()[0x0112] = orientation
        image = ImageOps.exif_transpose(image)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), reducing_gap=None)
    # Pillow writes a comment, colour profile or EXIF it finds in .info back out.
    image.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _to_srgb(image, profile: bytes, stored: str):
    from PIL import ImageCms

    try:
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.createProfile("sRGB")
        if image.mode in ("RGB", "RGBA") and stored == image.mode:
            ImageCms.profileToProfile(image, source_profile, srgb, inPlace=True)
            return image
        if image.mode in ("L", "CMYK") and stored == "RGB":
            return ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB")
        if stored in ("RGB", "RGBA"):
            image = image.convert(stored)
            ImageCms.profileToProfile(image, source_profile, srgb, inPlace=True)
            return image
    except (ImageCms.PyCMSError, OSError, ValueError):
        pass  # a damaged or mismatched profile: keep the pixels, drop the profile
    return image


def main(argv: list[str]) -> int:
    content_type, memory_limit, cpu_seconds, max_side = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    data = sys.stdin.buffer.read()
    try:
        if content_type == "application/pdf":
            from core.pdf_actions import PdfTooComplex, has_actions

            try:
                return ACTIVE if has_actions(data) else 0
            except PdfTooComplex:
                return TOO_COMPLEX
        out = reencode_image(data, max_side)
    except MemoryError:
        return OUT_OF_MEMORY
    except Exception:  # noqa: BLE001  (any failure to decode is a damaged file)
        return BROKEN
    sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    # Run by path with -I, so nothing from the working directory shadows the standard
    # library; the project root goes last on the path, for core.pdf_actions.
    sys.path.append(str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv))
