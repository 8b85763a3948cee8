"""What core.pdf keeps from one render to the next (fonts, parsed stylesheets, SVG artwork)
must not change the PDFs it makes."""

from __future__ import annotations

import io
import threading

import pytest
from pypdf import PdfReader

from core import pdf

# Artwork as the certificate's stylesheet has it: an SVG background drawn once (no-repeat,
# with transforms) and one repeated as a pattern (round), and a per-document SVG image.
ARTWORK = (
    "url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='-10 -10 20 20' fill='none'>"
    "<g stroke='rgb(176,141,87)' stroke-width='0.6'><ellipse rx='9' ry='3' transform='rotate(30)'/>"
    "<circle cx='3' r='3'/></g></svg>\")"
)
BAND = (
    "url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 60 50' fill='none'>"
    "<path d='M0,25C12.7,50.3 17.3,50.3 30,25S47.3,-0.3 60,25' stroke='rgb(15,76,92)'/></svg>\")"
)
CSS = f"""
.art {{ width: 40mm; height: 40mm; background: #fff {ARTWORK} no-repeat 50% 50% / 30mm 30mm; }}
.band {{ width: 120mm; height: 5mm; background: {BAND} 0 0 / 6mm 5mm round no-repeat; }}
"""


def document(n: int) -> str:
    code = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {n} 2'><path d='M0 0h{n}v1H0z'/></svg>"
    return (
        f'<html><body><p>Document {n}</p><div class="art"></div><div class="band"></div>'
        f'<img src="data:image/svg+xml,{code}" style="width: 20mm"></body></html>'
    )


# As the certificate is rendered (tagged PDF/A-3b: marked content, an ICC output intent) and plain.
@pytest.mark.parametrize("options", [{}, {"pdf_variant": "pdf/a-3b", "pdf_tags": True}], ids=["plain", "pdfa-tagged"])
def test_artwork_replayed_from_earlier_documents_makes_the_same_pdf(monkeypatch, options):
    stylesheet = pdf.stylesheet(CSS)
    # Each in a thread of its own: nothing kept from other tests.
    kept = {}

    def render_all(key):
        # Seen in the first, kept from the second, drawn (and recorded) in the third, replayed after.
        kept[key] = [pdf.render_pdf(document(n), stylesheets=(stylesheet,), **options) for n in range(3, 8)]
        kept[f"{key}-store"] = list(getattr(pdf._thread, "svg_kept", {}).values())

    thread = threading.Thread(target=render_all, args=("replayed",))
    thread.start()
    thread.join()
    replayed = [image for image in kept["replayed-store"] if image.drawn]
    assert len(replayed) == 2  # the two backgrounds, drawn once each and replayed after

    monkeypatch.setattr(pdf, "_image_cache", dict)  # every image parsed and drawn afresh
    thread = threading.Thread(target=render_all, args=("afresh",))
    thread.start()
    thread.join()
    assert kept["replayed"] == kept["afresh"]
    assert "Document 7" in PdfReader(io.BytesIO(kept["replayed"][-1])).pages[0].extract_text()


def test_per_document_images_are_not_kept():
    stylesheet = pdf.stylesheet(CSS)
    sizes = {}

    def render_many():
        for n in range(3, 3 + pdf.SVG_SEEN + 10):
            pdf.render_pdf(document(n), stylesheets=(stylesheet,))
        sizes["kept"], sizes["seen"] = len(pdf._thread.svg_kept), len(pdf._thread.svg_seen)

    thread = threading.Thread(target=render_many)
    thread.start()
    thread.join()
    assert sizes == {"kept": 2, "seen": pdf.SVG_SEEN}
