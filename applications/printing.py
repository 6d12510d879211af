"""What the printed papers show: the 公示 notice's rows (names masked as the rules say) and
the proposed amounts. Reads only; the views render them to PDF (core/pdf.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from applications.models import Application, ApplicationDocument, Investigation, Notice
from core.pdf import Opener, stored_url
from households.models import Category


def mask_name(name: str) -> str:
    """王建国 → 王*国, 王明 → 王*, 欧阳小明 → 欧**明: the surname and, from three
    characters on, the last character stay; what lies between is hidden."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def proposed_amount(
    application: Application, investigation: Investigation | None
) -> Decimal | None:
    """The monthly amount the investigation points to: the gap to the line for each person
    (补差) for 低保, the basic standard per person for 特困; none for other categories."""
    if investigation is None or investigation.standard_amount is None:
        return None
    size = investigation.household_size
    if application.category_id == Category.Code.TEKUN:
        return investigation.standard_amount
    if application.category_id != Category.Code.DIBAO:
        return None
    gap = max(investigation.standard_amount - investigation.per_capita_income, Decimal(0))
    return (gap * size).quantize(Decimal("1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class NoticeRow:
    name: str
    category: str
    persons: int
    amount: Decimal | None


def notice_rows(notice: Notice) -> list[NoticeRow]:
    rows = []
    applications = notice.applications.select_related("applicant", "category").order_by("id")
    for application in applications:
        latest = application.investigations.order_by("-visited_on", "-id").first()
        rows.append(
            NoticeRow(
                name=mask_name(application.applicant.name),
                category=application.category.name,
                persons=latest.household_size if latest else 1,
                amount=proposed_amount(application, latest),
            )
        )
    return rows


@dataclass(frozen=True)
class FiledDocument:
    label: str  # its kind
    kind: str  # 照片 or PDF
    received: object
    image_url: str  # `stored:<uuid>` for a photo the PDF embeds; "" for a PDF scan (listed)


@dataclass(frozen=True)
class FiledApplication:
    application: Application
    investigations: list[Investigation]
    notices: list[Notice]
    objections: list
    documents: list[FiledDocument]


def _is_image(document: ApplicationDocument) -> bool:
    return document.content_type.startswith("image/")


def _filed_document(document: ApplicationDocument) -> FiledDocument:
    image = _is_image(document)
    return FiledDocument(
        label=str(document.get_kind_display()),
        kind=str(_("照片")) if image else "PDF",
        received=document.created_at,
        image_url=stored_url(str(document.uuid)) if image else "",
    )


def _reader(document: ApplicationDocument) -> Opener:
    def read() -> tuple[bytes, str]:
        with document.file.open("rb") as stored:
            return stored.read(), document.content_type

    return read


def document_files(filed: list[FiledApplication], documents: dict[str, Any]) -> dict[str, Opener]:
    """The readers of the photos the file embeds, by the key their `stored:` address names:
    only these are served to the PDF, straight from the private storage."""
    wanted = {d.image_url.partition(":")[2] for f in filed for d in f.documents if d.image_url}
    return {key: _reader(documents[key]) for key in wanted}


def household_file(household: object) -> tuple[list[FiledApplication], dict[str, Opener]]:
    """The household's 档案 of applications: each with its investigations, notices,
    objections, decision and its documents, and the readers of the photos among them (the
    PDF embeds the photos; PDF scans are listed by name, read in the app, each view logged).
    """
    filed = []
    applications = (
        Application.objects.filter(household=household)
        .select_related("applicant", "category", "department", "decided_by")
        .order_by("received_on", "id")
    )
    documents: dict[str, ApplicationDocument] = {}
    for a in applications:
        own = list(a.documents.order_by("id"))
        documents.update((str(d.uuid), d) for d in own)
        filed.append(
            FiledApplication(
                application=a,
                investigations=list(
                    a.investigations.prefetch_related("investigators").order_by("visited_on")
                ),
                notices=list(a.notices.select_related("community").order_by("start")),
                objections=list(a.objections.order_by("id")),
                documents=[_filed_document(d) for d in own],
            )
        )
    return filed, document_files(filed, documents)
