"""Importing an existing household and member ledger (户籍/低保台账) into the registry.

One row per person; the rows of one household share its head's identity number (户主身份证号).
Nothing is written until the per-row report has been shown and confirmed; then every valid
row goes in, in one transaction, with set-based inserts, or nothing does.

What is checked, per row: each identity number (length, characters, birth date, GB 11643
check digit); duplicates inside the file; numbers already held by an active member in the
registry; the area code (known, a community or grid, inside the importer's scope); the
choice columns; and the category rules of households/services.py (低保 and 低边 never
together; 临时救助 needs an end date; a 特困 person is not counted in the household's 低保).
A number (or a head's number) active in a household outside the importer's area is answered
as on the member page, without naming the household, and each such answer is logged and
counted against the same per-user limit (households/clashes.py): past it, every row with a
number is refused alike, so that a file cannot probe the registry of other streets.

Uploading the same file again creates nothing twice: a person whose identity number is
already active in the same household (found through its head's number) is reported as
"already registered" and skipped; existing records are never overwritten by an import (they
change through the audited edit pages). A new member of an existing household is added to
it. Enrolments are created only for new households: approved when the importer may decide
enrolments (district admin, or a command run by an operator), pending approval otherwise.

The package: `columns` (the columns, PersonRow, Plan), `parsing` (each row on its own),
`checks` (across rows and against the database, and the report), `writing` (set-based
inserts), `template` (the downloadable template); the services are here.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from core.audit import audit
from core.masking import mask_id_numbers
from households.ledger_import.checks import report_of, validate
from households.ledger_import.columns import COLUMNS, LEDGER, PersonRow, Plan
from households.ledger_import.parsing import parse
from households.ledger_import.template import (
    ledger_template_csv,
    ledger_template_xlsx,
    template_rows,
)
from households.ledger_import.writing import _enrolments, _member
from households.models import Area, Household, Member
from households.services import announce_registered, may_be_responsible
from ledgers import upload
from ledgers.bulk import allocate_ids, bulk_history, copy_insert
from ledgers.importing import read_rows
from ledgers.models import ImportBatch

if TYPE_CHECKING:
    from households.models import User

__all__ = [
    "COLUMNS",
    "ledger_import_commit",
    "ledger_import_discard",
    "ledger_import_validate",
    "ledger_template_csv",
    "ledger_template_xlsx",
    "parse",
    "report_of",
    "template_rows",
    "validate",
]

# The services live here, with the write step they call, so that the package is what a
# caller (or a test replacing a step, such as _enrolments) sees.


def import_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _require_import(actor: User | None) -> None:
    if actor is not None and not can(actor, Can.IMPORT_LEDGERS):  # None: the system
        raise PermissionDenied


def _plan_for(
    path: Path,
    *,
    actor: User | None,
    area: Area | None,
    parsed: list[PersonRow] | None = None,
    record_clashes: bool = False,
) -> Plan:
    if parsed:
        return validate(parsed, actor=actor, area=area, record_clashes=record_clashes)
    try:
        rows = read_rows(path, COLUMNS)
        return validate(rows, actor=actor, area=area, record_clashes=record_clashes)
    except ValidationError as error:
        return Plan(
            rows=[],
            new_households={},
            new_members={},
            areas={},
            file_errors=[mask_id_numbers(message) for message in error.messages],
        )


def ledger_import_validate(
    *, actor: User | None, source: Path, original_name: str, area: Area | None = None
) -> ImportBatch:
    """Keep the uploaded file and its per-row report; nothing enters the registry yet."""
    _require_import(actor)
    suffix = Path(original_name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError({"file": _("只支持 XLSX 或 CSV 文件。")})
    # Refused before anything is stored: too large, or an XLSX whose zip or sheet is over
    # the limits (ledgers/upload.py).
    try:
        upload.check_upload_size(source.stat().st_size)
        if suffix == ".xlsx":
            upload.inspect_xlsx(source)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    root = import_root()
    root.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4()}{suffix}"
    shutil.copyfile(source, root / stored)
    # The report is where a number held out of the importer's area is answered: each such
    # answer is logged and counted here, once; the commit's second check answers the same
    # rows again without counting them twice, and still refuses every number once over.
    plan = _plan_for(root / stored, actor=actor, area=area, record_clashes=True)
    counts = plan.counts
    batch = ImportBatch.objects.create(
        actor=actor,
        ledger=LEDGER,
        original_name=mask_id_numbers(original_name)[:200],
        file_name=stored,
        sha256=hashlib.sha256((root / stored).read_bytes()).hexdigest(),
        area_code=area.code if area else "",
        total_rows=counts["total"],
        valid_rows=counts["valid"],
        existing_rows=counts["exists"],
        error_rows=counts["errors"] + (1 if plan.file_errors else 0),
        report=report_of(plan),
    )
    # Kept on this object only: a commit in the same process (the command) skips re-parsing.
    batch.parsed_rows = plan.rows
    return batch


@transaction.atomic
def ledger_import_commit(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """Write the batch's valid rows, all together or not at all, and one audit event.

    The file is checked again inside the transaction, so rows that became duplicates since
    the report (another import, a registration) are skipped or refused, never doubled.
    """
    _require_import(actor)
    parsed = getattr(batch, "parsed_rows", None)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ValidationError(_("该批次已处理，不能重复导入。"))
    area = Area.objects.filter(code=batch.area_code).first() if batch.area_code else None
    path = import_root() / batch.file_name
    if not path.exists():
        raise ValidationError(_("上传的文件已过期删除，请重新上传。"))
    plan = _plan_for(path, actor=actor, area=area, parsed=parsed)
    if plan.file_errors:
        raise ValidationError(plan.file_errors)
    # Every history row the import writes names the batch (and see bulk_history for speed).
    with bulk_history(ledger_import=str(batch.uuid), user=actor.pk if actor else None):
        created, household_ids = _write(plan, actor=actor)
    announce_registered(actor=actor, household_ids=household_ids)
    counts = plan.counts
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.created_counts = created
    batch.report = report_of(plan)
    batch.valid_rows, batch.existing_rows, batch.error_rows = (
        counts["valid"],
        counts["exists"],
        counts["errors"],
    )
    batch.save(
        update_fields=[
            "status",
            "committed_at",
            "created_counts",
            "report",
            "valid_rows",
            "existing_rows",
            "error_rows",
        ]
    )
    audit(
        actor=actor,
        verb="ledger.import",
        obj=batch,
        changes={**created, "file": batch.original_name},
    )
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return batch


def ledger_import_discard(*, batch: ImportBatch) -> None:
    """Delete a batch's uploaded copy (it holds full identity numbers) without importing."""
    (import_root() / batch.file_name).unlink(missing_ok=True)


# ---- writing, set-based ------------------------------------------------------------------


def _write(plan: Plan, *, actor: User | None) -> tuple[dict[str, int], list[int]]:
    """COPY the new households, members and enrolments, with ids taken first (ledgers.bulk):
    a household names its head before the head's row is in (foreign keys are deferred)."""
    heads = list(plan.new_households.values())
    household_ids = allocate_ids(Household, len(heads))
    people = [(hid, p) for hid, rows in zip(household_ids, heads, strict=True) for p in rows]
    people += [(hid, p) for hid, rows in plan.new_members.items() for p in rows]
    member_ids = dict(
        zip((p.digest for _h, p in people), allocate_ids(Member, len(people)), strict=True)
    )
    households = [
        {
            "id": hid,
            "area_id": plan.areas[rows[0].area_code].pk,
            "area_code": plan.areas[rows[0].area_code].prefix,
            "address": rows[0].address,
            "phone": rows[0].household_phone,
            "head_id": member_ids[rows[0].digest],
            "worker_id": actor.pk
            if may_be_responsible(actor, plan.areas[rows[0].area_code])
            else None,
        }
        for hid, rows in zip(household_ids, heads, strict=True)
    ]
    copy_insert(Household, households)
    copy_insert(Member, (_member(member_ids[p.digest], hid, p) for hid, p in people))
    enrolments = _enrolments(household_ids, heads, member_ids, actor)
    counts = {"households": len(households), "members": len(people), "enrolments": enrolments}
    return counts, household_ids
