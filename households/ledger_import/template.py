"""The downloadable import template: the columns, two example households, and their meaning."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households import idnumber
from households.ledger_import.columns import COLUMNS

if TYPE_CHECKING:
    pass


# Said in the notes because an exported CSV re-imported shows it (ledgers.csvfile).
FORMULA_NOTE = gettext_lazy(
    "导出的 CSV 台账中，以 =、+、-、@、制表符或回车开头的文字单元格前加有一个英文单引号（'），"
    "电子表格因此把它当作文字而不会执行公式；数字列（如金额、人数）不加，负数仍是数字。"
)


def template_rows() -> list[list[str]]:
    """Two example households: a 低保 household of two, and a 特困 person living alone."""
    head = idnumber.compose("320506", dt.date(1960, 5, 17), 3)
    spouse = idnumber.compose("320506", dt.date(1962, 3, 8), 4)
    alone = idnumber.compose("320506", dt.date(1941, 11, 2), 5)
    return [
        ["320506001001", "狮林寺巷8号", "", head, "王建国", head, "户主", "", "", "", "慢性病",
         "部分丧失劳动能力", "0", "低保", "2026-01-01", "", "1700"],
        ["320506001001", "狮林寺巷8号", "", head, "张秀英", spouse, "配偶", "", "肢体", "二级",
         "健康", "无劳动能力", "0", "低保", "2026-01-01", "", "1700"],
        ["320506001002", "菉葭巷3号", "", alone, "李桂兰", alone, "户主", "", "", "", "重病/大病",
         "无劳动能力", "0", "特困", "2026-01-01", "", "1500"],
    ]  # fmt: skip


def ledger_template_xlsx() -> bytes:
    """The import template: the columns with two example households, and their meaning."""
    import io

    from ledgers.xlsx import XlsxColumn, XlsxWriter

    out = io.BytesIO()
    writer = XlsxWriter(
        out,
        columns=[XlsxColumn(str(c.header), width=16) for c in COLUMNS],
        sheet_title=_("家庭和成员台账"),
        banner=_("导入模板：每人一行；同一户各行的户主身份证号相同。第二张表说明各列。"),
        author="助联 Zhulian",
        created=timezone.now(),
    )
    writer.write_rows(template_rows())
    writer.write_sheet(
        _("填写说明"),
        [
            XlsxColumn(_("列名"), width=18),
            XlsxColumn(_("必填"), width=8),
            XlsxColumn(_("说明"), width=60),
        ],
        [
            *[[str(c.header), _("是") if c.required else _("否"), str(c.help)] for c in COLUMNS],
            [_("（公式）"), "", str(FORMULA_NOTE)],
        ],
        banner=_("各列的含义与取值"),
    )
    writer.close()
    return out.getvalue()


def ledger_template_csv() -> bytes:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([str(c.header) for c in COLUMNS])
    writer.writerows(template_rows())
    return "\ufeff".encode() + text.getvalue().encode()
