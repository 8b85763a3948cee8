"""PDF rendering with WeasyPrint, fetching nothing but the project's own static files.

Templates reference assets as ``file://`` URLs under ``static/`` (see ``pdf_static_url``)
or as ``data:`` URIs; any other URL (http, https, ftp, other local files) is refused,
so no template or user text can make the renderer read a local file or reach the
network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from weasyprint import HTML
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


def render_pdf(html: str) -> bytes:
    base_url = STATIC_ROOTS[0].as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=RestrictedURLFetcher()).write_pdf()
