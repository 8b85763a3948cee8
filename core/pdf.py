"""PDF rendering with WeasyPrint, fetching nothing but the project's own static files.

Templates reference assets as ``file://`` URLs under ``static/`` (see ``pdf_static_url``)
or as ``data:`` URIs; any other URL (http, https, ftp, other local files) is refused,
so no template or user text can make the renderer read a local file or reach the
network.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from weasyprint import CSS, HTML, Attachment
from weasyprint.images import SVGImage
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STATIC_ROOTS = [Path(p).resolve() for p in settings.STATICFILES_DIRS]


class RestrictedURLFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if any(path.is_relative_to(root) for root in STATIC_ROOTS) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"PDF rendering may only load the project's static files, not {url[:100]}")


def pdf_static_url(relative: str) -> str:
    return (Path(settings.STATICFILES_DIRS[0]) / relative).resolve().as_uri()


_thread = threading.local()


def font_config() -> FontConfiguration:
    """This thread's font configuration, kept from one render to the next.

    Without one, WeasyPrint makes a new configuration per document, that is a new Pango font
    map: every font is found, opened and measured again, and text layout starts with cold
    caches (a third of a certificate's render). Kept, the fonts stay loaded for the life of
    the process; it holds no document data. One per thread, as Pango's font maps are not
    thread-safe. (An @font-face rule would add its font to it for good; no template has one.)
    """
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


def stylesheet(css: str) -> CSS:
    """A stylesheet parsed once, to pass to ``render_pdf`` for many documents (under the same
    restrictions on what it may fetch). It applies as a user stylesheet: the document's own
    styles take precedence over it, except its ``!important`` declarations."""
    return CSS(string=css, base_url=STATIC_ROOTS[0].as_uri() + "/", url_fetcher=RestrictedURLFetcher())


# SVG artwork drawn once, replayed after (see ``_ImageCache``). The replay relies on WeasyPrint's
# drawing streams (weasyprint.pdf.stream.Stream: the operator list ``stream``, ``_resources``,
# ``_fonts`` and the current colour and alpha), as of WeasyPrint 70 (pinned in requirements.txt);
# core/tests/test_pdf.py checks that a replayed PDF is byte-for-byte the one drawn afresh.
_RESOURCES = ("ExtGState", "XObject", "Pattern", "Shading")
SVG_KEPT = 16  # per thread: the artwork of a template or two
SVG_SEEN = 64


class _ReplayedSVG:
    """An SVG image drawn once per size into a fresh drawing stream (a background's group,
    as WeasyPrint makes for each one), its operators and graphic states kept and appended to
    the next fresh stream instead of walking and drawing the SVG tree again. Where it cannot
    be replayed (drawn into a stream with state, or using fonts, images, patterns, gradients
    or groups) it is drawn as usual."""

    def __init__(self, image: SVGImage):
        self.image = image
        self.drawn: dict[tuple[float, float], tuple[list, dict]] = {}

    def get_intrinsic_size(self, *args):
        return self.image.get_intrinsic_size(*args)

    def draw(self, stream, width, height, style):
        fresh = not any(stream._resources[kind] for kind in _RESOURCES) and all(
            state is None
            for state in (stream._current_color, stream._current_color_stroke)
            + (stream._current_alpha, stream._current_alpha_stroke)
        )
        if fresh and (width, height) in self.drawn:
            operators, states = self.drawn[width, height]
            stream.stream.extend(operators)
            stream._resources["ExtGState"].update(states)
            return
        start, fonts = len(stream.stream), len(stream._fonts)
        self.image.draw(stream, width, height, style)
        if fresh and len(stream._fonts) == fonts and not any(stream._resources[kind] for kind in _RESOURCES[1:]):
            self.drawn[width, height] = (stream.stream[start:], dict(stream._resources["ExtGState"]))
            self.image._context = None  # shapes only: no need to keep the first document's layout


class _ImageCache(dict):
    """WeasyPrint's image cache for one document (``write_pdf(cache=...)``), backed by this
    thread's SVG images kept from earlier documents: an SVG met in a second document (the
    same data: URI or static file, such as the certificate's guilloche and rosette) is kept,
    parsed, and replayed (``_ReplayedSVG``). The per-document images (the QR code, never the
    same twice) are only remembered as seen, in a bounded list; raster images are not kept
    (WeasyPrint re-encodes them per document anyway)."""

    def __init__(self, kept: OrderedDict, seen: OrderedDict):
        super().__init__()
        self._kept, self._seen = kept, seen

    def __contains__(self, url):
        return super().__contains__(url) or url in self._kept

    def __getitem__(self, url):
        if super().__contains__(url):
            return super().__getitem__(url)
        self._kept.move_to_end(url)
        return self._kept[url]

    def __setitem__(self, url, image):
        if isinstance(image, SVGImage) and isinstance(url, str):
            if url in self._seen:
                image = self._kept[url] = _ReplayedSVG(image)
                while len(self._kept) > SVG_KEPT:
                    self._kept.popitem(last=False)
            else:
                self._seen[url] = None
                while len(self._seen) > SVG_SEEN:
                    self._seen.popitem(last=False)
        super().__setitem__(url, image)


def _image_cache() -> _ImageCache:
    if not hasattr(_thread, "svg_kept"):
        _thread.svg_kept, _thread.svg_seen = OrderedDict(), OrderedDict()
    return _ImageCache(_thread.svg_kept, _thread.svg_seen)


def attachment(content: bytes, *, name: str, media_type: str, description: str, **fields) -> Attachment:
    """A file to embed in a PDF (``render_pdf(attachments=...)``), given as bytes with the MIME
    type the PDF records for it (a data: URI, so nothing is fetched). ``fields``: WeasyPrint's
    ``created``, ``modified`` and ``relationship`` (the PDF/A-3 /AFRelationship)."""
    uri = f"data:{media_type};base64,{base64.b64encode(content).decode()}"
    return Attachment(url=uri, url_fetcher=RestrictedURLFetcher(), name=name, description=description, **fields)


def _associated_files_once(document, pdf) -> None:
    """WeasyPrint 70 lists each embedded file twice in the catalogue's /AF (once from the
    EmbeddedFiles name tree, once from its file specification): keep the first of each."""
    files = pdf.catalog.get("AF")
    if files:
        files[:] = list(dict.fromkeys(files))


def render_pdf(
    html: str,
    *,
    stylesheets: tuple[CSS, ...] = (),
    pdf_variant: str | None = None,
    pdf_tags: bool = False,
    attachments: tuple[Attachment, ...] = (),
) -> bytes:
    """The HTML as a PDF. ``pdf_variant`` (such as "pdf/a-3b") makes WeasyPrint write the
    variant's metadata (XMP, an sRGB output intent, the file identifier) and, for PDF/A-3,
    list ``attachments`` in the catalogue's /AF; ``pdf_tags`` adds the structure tree."""
    base_url = STATIC_ROOTS[0].as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=RestrictedURLFetcher())
    return document.write_pdf(
        stylesheets=list(stylesheets),
        font_config=font_config(),
        cache=_image_cache(),
        pdf_variant=pdf_variant,
        pdf_tags=pdf_tags,
        attachments=list(attachments) or None,
        finisher=_associated_files_once,
    )
