"""Forms of the ledger pages: what to export, and the file to import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from ledgers import upload
from ledgers.models import ExportJob

# XLSX first and the default: Excel opens it with every digit kept (15-digit area codes,
# 18-digit identity numbers), where a CSV opened in Excel turns them into 3.20506E+14.
FORMAT_CHOICES = [
    (ExportJob.Format.XLSX, _("XLSX（Excel 表格，推荐）")),
    (ExportJob.Format.CSV, _("CSV（供其他系统导入）")),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("格式"),
        choices=FORMAT_CHOICES,
        initial=ExportJob.Format.XLSX,
        help_text=_("用 Excel 查看请选 XLSX；CSV 用 Excel 打开会丢失长数字的末几位。"),
    )
    as_of = forms.DateField(
        label=_("截至日期（月末重现）"),
        required=False,
        widget=DateInput(),
        help_text=_("留空为当前数据；填写某月最后一天可重现当月月末台账"),
    )
    full_id_numbers = forms.BooleanField(label=_("导出完整身份证号"), required=False)

    def __init__(self, *args: Any, allow_full: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_full:
            del self.fields["full_id_numbers"]

    def clean_as_of(self) -> Any:
        from django.utils import timezone

        from ledgers.exports import future_as_of_message

        as_of = self.cleaned_data.get("as_of")
        if as_of is not None and as_of > timezone.localdate():
            raise forms.ValidationError(future_as_of_message())
        return as_of


class ImportForm(forms.Form):
    file = forms.FileField(label=_("台账文件（XLSX 或 CSV）"))
    area = forms.ChoiceField(label=_("只导入此区划内的行"), required=False)

    def __init__(self, *args: Any, areas: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("文件不超过 %(mb)d MB。") % {
            "mb": settings.LEDGER_IMPORT_MAX_UPLOAD_MB
        }
        self.fields["area"].choices = [("", _("我的全部管辖范围"))] + [
            (a.code, a.name) for a in areas
        ]

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        upload.check_upload_size(file.size)
        return file
