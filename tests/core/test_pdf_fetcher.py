"""The PDF's URL fetcher: stored files by their internal address, nothing else."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core import pdf


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_stored_image_is_embedded_and_nothing_else_is_fetched():
    asked: list[str] = []

    def read() -> tuple[bytes, str]:
        asked.append("scan")
        return _png(37, 23), "image/png"

    html = (
        f'<p>材料</p><img src="{pdf.stored_url("scan")}">'
        # Refused, and left out of the PDF rather than crashing it: another stored key, a
        # file on this machine, another server, and a data URL.
        f'<img src="{pdf.stored_url("other")}"><img src="file:///etc/hostname">'
        '<img src="https://example.org/x.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
    )
    document = pdf.html_to_pdf(html, files={"scan": read})
    assert document.startswith(b"%PDF-")
    assert asked == ["scan"]
    assert document.count(b"/Subtype /Image") == 1
    assert b"/Width 37" in document and b"/Height 23" in document


def test_the_fetcher_refuses_every_other_address():
    weasyprint = pdf._weasyprint()
    fetcher = pdf._fetcher(weasyprint, {"scan": lambda: (b"x", "image/png")})
    assert fetcher.fetch(pdf.stored_url("scan")).read() == b"x"
    for url in ("stored:nope", "file:///etc/hostname", "http://example.org/", "data:,x"):
        with pytest.raises(ValueError, match="only the stored files"):
            fetcher.fetch(url)
