"""PDF downloads of our own pages (a household's file, a visit record), made by WeasyPrint.

WeasyPrint lays out HTML and CSS itself (paged media: A4, running headers, page numbers)
through Pango, so a PDF is one more template, not a second layout language, and Chinese
text is shaped by the system's fonts (the fonts-noto-cjk package). It is imported on first
use: a machine without it or without Pango still serves every other page, and the PDF link
answers a plain 503 page saying so instead of a traceback.

Nothing is fetched from outside while rendering: the stylesheet is read from our static
files and fonts come from fontconfig, so a PDF never depends on (or leaks a request to)
another server. What a page embeds from our own private storage (a scanned document) it
names by the internal scheme `stored:<key>` (`stored_url`), and the caller hands the
readers of exactly those keys to `html_to_pdf(files=)`: WeasyPrint's URL fetcher serves
them and refuses every other URL, so no stored file ever needs a public address.

WeasyPrint's `url_fetcher` is an instance of its `URLFetcher` class (with a `fetch` method
returning a `URLFetcherResponse`), not a plain function: a function has none of the
fetcher's settings, and the first URL it refused crashed the rendering instead of leaving
the image out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

STYLESHEET = "css/pdf.css"
SCHEME = "stored"

# Reads one stored file when the PDF needs it: its bytes and its content type.
Opener = Callable[[], tuple[bytes, str]]


class PdfUnavailableError(Exception):
    """WeasyPrint or the system libraries it loads (Pango) are missing on this machine."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: cffi could not load libpango
        raise PdfUnavailableError(str(error)) from error
    return weasyprint


def stored_url(key: str) -> str:
    """The address a PDF template gives a stored file it embeds (served by `files=`)."""
    return f"{SCHEME}:{key}"


def _fetcher(weasyprint: Any, files: Mapping[str, Opener]) -> Any:
    """A URL fetcher that serves `stored:<key>` from `files` and refuses anything else (a
    refused URL is left out of the PDF with a warning in the log, never fetched)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StoredFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            scheme, _, key = url.partition(":")
            opener = files.get(key) if scheme == SCHEME else None
            if opener is None:
                raise ValueError(f"a PDF fetches only the stored files it was given: {url}")
            body, content_type = opener()
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StoredFilesOnly(allowed_protocols=[SCHEME])


def _stylesheet_text() -> str:
    path = finders.find(STYLESHEET)
    return Path(path).read_text(encoding="utf-8") if path else ""


def html_to_pdf(html: str, *, files: Mapping[str, Opener] | None = None) -> bytes:
    """The PDF of `html`, laid out with our PDF stylesheet; `files` serves the stored files
    the page embeds by `stored_url(key)`."""
    weasyprint = _weasyprint()
    fetcher = _fetcher(weasyprint, files or {})
    stylesheet = weasyprint.CSS(string=_stylesheet_text(), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])


def pdf_response(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    filename: str,
    back_url: str = "",
    files: Mapping[str, Opener] | None = None,
) -> HttpResponse:
    """`template` rendered to a PDF download; a 503 page when PDFs cannot be made here."""
    html = render_to_string(template, context, request=request)
    try:
        pdf = html_to_pdf(html, files=files)
    except PdfUnavailableError:
        logger.exception("PDF rendering is unavailable (WeasyPrint or Pango missing)")
        response = HttpResponse(
            render_to_string(
                "printing/pdf_unavailable.html", {"back_url": back_url}, request=request
            ),
            status=503,
        )
        response["Retry-After"] = "3600"
    else:
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, filename)
    # Personal data: no shared or browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response
