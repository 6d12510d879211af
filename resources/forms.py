from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from households.forms import AreaChoiceField
from households.models import Area, Category
from resources.models import Provider, Resource
from resources.vocabulary import NeedSubtype, NeedType


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Provider.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("所属区划"))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    @classmethod
    def initial_for(cls, provider: Provider) -> dict[str, Any]:
        fields = ["kind", "name", "contact_name", "contact_phone", "address", "description"]
        return {
            **{name: getattr(provider, name) for name in fields},
            "area": provider.area_id,
            "active": provider.active,
            "version": provider.version,
        }


class ResourceForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label=_("救助力量"))
    kind = forms.ChoiceField(label=_("资源类型"), choices=Resource.Kind.choices)
    pool_list = forms.ChoiceField(
        label=_("所属清单"),
        choices=[("", _("按救助力量类型自动归类")), *Resource.PoolList.choices],
        required=False,
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.CharField(label=_("主管部门"), max_length=100, required=False)
    need_types = forms.MultipleChoiceField(
        label=_("满足需求类型"), choices=NeedType.choices, widget=forms.CheckboxSelectMultiple
    )
    need_subtypes = forms.MultipleChoiceField(
        label=_("满足需求细类（不选则为全部）"),
        choices=NeedSubtype.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=_("面向救助类别（不选则面向所有困难群众）"),
        choices=Category.Code.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("服务范围"))
    capacity = forms.IntegerField(label=_("每期名额（服务类）"), min_value=1, required=False)
    period = forms.ChoiceField(label=_("周期"), choices=Resource.Period.choices, initial="month")
    stock = forms.IntegerField(label=_("初始库存（物资类）"), min_value=0, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False)
    available_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    available_until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        providers: QuerySet[Provider],
        areas: QuerySet[Area],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["area"].queryset = areas
        if editing:
            # The provider and kind of a resource are what it is; stock moves by receipts.
            for name in ("provider", "kind", "stock"):
                del self.fields[name]

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        fields = [
            "pool_list",
            "name",
            "description",
            "department",
            "need_types",
            "need_subtypes",
            "categories",
            "capacity",
            "period",
            "unit",
            "available_from",
            "available_until",
            "latitude",
            "longitude",
            "active",
            "version",
        ]
        return {**{name: getattr(resource, name) for name in fields}, "area": resource.area_id}

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("unit"):
            data.pop("unit", None)
        if not data.get("pool_list"):
            data.pop("pool_list", None)
        return data


class StockReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=_("入库数量"), min_value=1)
    supplier = forms.CharField(label=_("来源（捐赠方/供应商）"), max_length=100, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ResourceSearchForm(forms.Form):
    q = forms.CharField(label=_("名称"), required=False)
    kind = forms.ChoiceField(
        label=_("资源类型"), choices=[("", _("全部类型")), *Resource.Kind.choices], required=False
    )
    need_type = forms.ChoiceField(
        label=_("需求类型"), choices=[("", _("全部需求")), *NeedType.choices], required=False
    )

    def filters(self, pool_list: str | None) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        filters = {k: v for k, v in data.items() if v}
        if pool_list:
            filters["pool_list"] = pool_list
        return filters
