"""The files a test left in private storage, and what a PDF says."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path


def stored_file_names(folder: str = "certificates") -> list[str]:
    """The names of the files in ``folder`` of private storage (disk or bucket), sorted."""
    from core.storage import private_files

    return [name.rsplit("/", 1)[-1] for name in private_files(folder)]


def pdf_text(pdf: bytes) -> str:
    """The text of every page, as pypdf extracts it."""
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_codes_on_first_page(pdf: bytes) -> list[str]:
    """What a phone would read: the page rendered to pixels, then zbar."""
    from PIL import Image
    from pyzbar.pyzbar import decode

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "certificate.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", source, Path(folder) / "page"], check=True)
        image = Image.open(Path(folder) / "page.png")
        return [symbol.data.decode() for symbol in decode(image)]
