"""What the printed papers show: the 公示 notice's rows (names masked as the rules say) and
the proposed amounts. Reads only; the views render them to PDF (core/pdf.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from applications.models import Application, Investigation, Notice
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
class FiledApplication:
    application: Application
    investigations: list[Investigation]
    notices: list[Notice]
    objections: list
    documents: list[tuple[str, str, object]]  # (kind, 照片 or PDF, received at)


def household_file(household: object) -> list[FiledApplication]:
    """The household's 档案 of applications: each with its investigations, notices,
    objections, decision and the list of its documents (the scans themselves are read in
    the app, each view logged)."""
    filed = []
    applications = (
        Application.objects.filter(household=household)
        .select_related("applicant", "category", "department", "decided_by")
        .order_by("received_on", "id")
    )
    for a in applications:
        filed.append(
            FiledApplication(
                application=a,
                investigations=list(
                    a.investigations.prefetch_related("investigators").order_by("visited_on")
                ),
                notices=list(a.notices.select_related("community").order_by("start")),
                objections=list(a.objections.order_by("id")),
                documents=[
                    (
                        str(d.get_kind_display()),
                        "PDF" if d.content_type == "application/pdf" else _("照片"),
                        d.created_at,
                    )
                    for d in a.documents.order_by("id")
                ],
            )
        )
    return filed
