from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
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


class ProviderPicker(forms.TextInput):
    """A text box with the providers as suggestions (<datalist>): the browser filters them as
    one types, on a phone too, with no script and nothing from outside."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.labels: list[str] = []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}_options"
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        box = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}_options"
        options = format_html_join("", '<option value="{}"></option>', ((x,) for x in self.labels))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class ProviderPickerField(forms.Field):
    """The provider of a new resource, picked by name among hundreds.

    Each suggestion reads "名称 · 社区" (and the provider's kind when one community has two of
    the same name), and the server maps it back to the provider. A name alone is taken when
    only one provider bears it. The provider's id, as a link to "add a resource for this
    provider" carries, is taken too; any value outside `queryset` is refused.
    """

    widget = ProviderPicker
    default_error_messages = {
        "invalid": _("请从列表中选择救助力量：输入名称或社区，再点选一项。"),
        "ambiguous": _("有 %(n)d 个救助力量都叫“%(name)s”，请从列表中选择带社区的一项。"),
    }

    def __init__(self, *, queryset: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset

    @property
    def queryset(self) -> QuerySet[Provider]:
        return self._queryset

    @queryset.setter
    def queryset(self, queryset: QuerySet[Provider]) -> None:
        self._queryset = queryset
        self._labelled: list[tuple[str, Provider]] | None = None
        self.widget.labels = []

    def labelled(self) -> list[tuple[str, Provider]]:
        """(label, provider) for every choice, each label unique."""
        if self._labelled is None:
            providers = list(
                self.queryset.select_related("area").order_by("name", "area_code", "id")
            )
            base = [f"{p.name} · {p.area.name}" for p in providers]
            seen: dict[str, int] = {}
            for label in base:
                seen[label] = seen.get(label, 0) + 1
            labels = [
                f"{label} · {p.get_kind_display()}" if seen[label] > 1 else label
                for label, p in zip(base, providers, strict=True)
            ]
            counts: dict[str, int] = {}
            unique = []
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
                unique.append(label if counts[label] == 1 else f"{label} ({counts[label]})")
            self._labelled = list(zip(unique, providers, strict=True))
            self.widget.labels = unique
        return self._labelled

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "placeholder": _("输入名称或社区查找")}

    def get_bound_field(self, form: forms.Form, field_name: str) -> Any:
        self.labelled()  # the suggestions go out with the box
        return super().get_bound_field(form, field_name)

    def prepare_value(self, value: Any) -> Any:
        provider = value if isinstance(value, Provider) else self._by_id(value)
        if provider is None:
            return value
        return next((label for label, p in self.labelled() if p.pk == provider.pk), value)

    def _by_id(self, value: Any) -> Provider | None:
        text = str(value or "").strip()
        for _label, provider in self.labelled():
            if text in (str(provider.pk), str(provider.uuid)):
                return provider
        return None

    def to_python(self, value: Any) -> Provider | None:
        text = " ".join(str(value or "").split())
        if not text:
            return None
        by_label = dict(self.labelled())
        if text in by_label:
            return by_label[text]
        named = [p for _label, p in self.labelled() if p.name == text]
        if len(named) == 1:
            return named[0]
        if named:
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"n": len(named), "name": text},
            )
        provider = self._by_id(text)
        if provider is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return provider


class ResourceForm(forms.Form):
    provider = ProviderPickerField(
        queryset=Provider.objects.none(),
        label=_("救助力量"),
        help_text=_("输入名称或社区查找；同名的按所在社区区分。"),
    )
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
