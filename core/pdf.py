"""PDF downloads of our own pages (a household's file, a visit record), made by WeasyPrint.

WeasyPrint lays out HTML and CSS itself (paged media: A4, running headers, page numbers)
through Pango, so a PDF is one more template, not a second layout language, and Chinese
text is shaped by the system's fonts (the fonts-noto-cjk package). It is imported on first
use: a machine without it or without Pango still serves every other page, and the PDF link
answers a plain 503 page saying so instead of a traceback.

Nothing is fetched while rendering: the stylesheet is read from our static files and fonts
come from fontconfig, so a PDF never depends on (or leaks a request to) another server.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

STYLESHEET = "css/pdf.css"


class PdfUnavailableError(Exception):
    """WeasyPrint or the system libraries it loads (Pango) are missing on this machine."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: cffi could not load libpango
        raise PdfUnavailableError(str(error)) from error
    return weasyprint


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"a PDF fetches nothing: {url}")


def _stylesheet_text() -> str:
    path = finders.find(STYLESHEET)
    return Path(path).read_text(encoding="utf-8") if path else ""


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`, laid out with our PDF stylesheet."""
    weasyprint = _weasyprint()
    stylesheet = weasyprint.CSS(string=_stylesheet_text(), url_fetcher=_refuse_fetch)
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[stylesheet])


def pdf_response(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    filename: str,
    back_url: str = "",
) -> HttpResponse:
    """`template` rendered to a PDF download; a 503 page when PDFs cannot be made here."""
    html = render_to_string(template, context, request=request)
    try:
        pdf = html_to_pdf(html)
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
