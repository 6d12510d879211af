"""What the ledger machinery asks of the registry (ledgers.hooks), provided at start-up.

The ledgers app sits below this one and imports nothing of it: the areas a user may name,
the identity-number cipher and the household and member ledger import reach it from here,
when `autodiscover` imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from households import idnumber, ledger_import
from households.models import Area
from households.selectors import area_get, area_list
from ledgers import hooks

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from households.models import User
    from ledgers.models import ImportBatch


def area_name(code: str) -> str | None:
    """An area's name by its code, whatever the scope: an export file's name, kept on a job
    after the check of its maker's scope."""
    area = Area.objects.filter(code=code).only("name").first()
    return area.name if area is not None else None


def import_areas(*, actor: User) -> QuerySet[Area]:
    """The areas the import form offers to narrow an import to: the actor's, grids left out."""
    return area_list(actor=actor).exclude(level="grid")


def committed_message(batch: ImportBatch) -> str:
    created = batch.created_counts
    return _("已导入 %(h)d 户、%(m)d 人、%(e)d 项救助认定。") % {
        "h": created["households"],
        "m": created["members"],
        "e": created["enrolments"],
    }


hooks.provide_areas(hooks.AreaSource(get=area_get, name_of=area_name))
hooks.provide_id_numbers(
    hooks.IdNumberCipher(decrypt=idnumber.decrypt, for_keeping=idnumber.search_for_keeping)
)
hooks.register_importer(
    hooks.Importer(
        ledger=ledger_import.LEDGER,
        columns=ledger_import.COLUMNS,
        areas=import_areas,
        validate=ledger_import.ledger_import_validate,
        commit=ledger_import.ledger_import_commit,
        templates={
            "csv": ledger_import.ledger_template_csv,
            "xlsx": ledger_import.ledger_template_xlsx,
        },
        template_name="家庭和成员台账导入模板",
        committed_message=committed_message,
    )
)
