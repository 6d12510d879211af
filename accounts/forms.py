"""The password change form of the user's own page; the forms of accounts and areas kept
by street staff and district admins."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import GRANTS
from households.models import Area, User


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's (the current password, then the new one twice, through the validators of
    AUTH_PASSWORD_VALIDATORS), refusing a new password that is the current one: a temporary
    password kept would defeat the change."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            raise ValidationError({"new_password2": _("新密码不能与当前密码相同。")})
        return data


# ---- accounts kept by street staff and district admins ----------------------------------


class _AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        label = f"{obj.get_level_display()} · {obj.name}"
        # A grid is named within its community; say which, unless its name already does.
        if obj.level == Area.Level.GRID and obj.parent_id and obj.parent.name not in obj.name:
            label = f"{label}（{obj.parent.name}）"
        return label


class UserKeepForm(forms.Form):
    """The fields of an account its keeper may set; the roles, areas and grants offered are
    the actor's to give (the service refuses the rest whatever is posted)."""

    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("用于登录，创建后不可更改")
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=User.Role.choices)
    area = _AreaField(queryset=Area.objects.none(), label=_("所属区划"))
    grants = forms.MultipleChoiceField(
        label=_("另行授予"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args: Any, actor: User, editing: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from accounts.selectors import area_choices_for_accounts
        from accounts.services import roles_grantable_by

        roles = roles_grantable_by(actor)
        self.fields["role"].choices = [(v, label) for v, label in User.Role.choices if v in roles]
        self.fields["area"].queryset = area_choices_for_accounts(actor=actor).select_related(
            "parent"
        )
        if actor.role == User.Role.DISTRICT_ADMIN:
            labels = dict(User._meta.permissions)
            self.fields["grants"].choices = [(code, labels[code]) for code in GRANTS]
        else:
            del self.fields["grants"]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        if editing is not None:
            del self.fields["username"]
            if editing.pk == actor.pk:  # one's own standing is not one's to change
                for name in ("role", "area", "grants"):
                    self.fields.pop(name, None)


class AreaCreateForm(forms.Form):
    parent = _AreaField(queryset=Area.objects.none(), label=_("上级区划"))
    code = forms.CharField(
        label=_("区划代码"),
        max_length=15,
        help_text=_("12 位统计用区划代码，须以上级的代码开头；网格为所属社区代码加 3 位"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class AreaRenameForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
