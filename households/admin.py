"""Django admin for the district admin's reference data: areas, categories, users.

Households, members and enrolments are not edited here: their writes go through services
(validation, combination rules, audit), so the admin shows them read-only at most.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from households.models import Area, Category, User


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Area, form, change: bool) -> None:
        obj.prefix = Area.prefix_of(obj.code, obj.level)
        super().save_model(request, obj, form, change)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "full_name", "per_person", "sort_order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the five categories are fixed; rules in code name them

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["area"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["area"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("助联"), {"fields": ("display_name", "phone", "role", "area")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("助联"), {"fields": ("display_name", "role", "area")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        """A district admin manages the users of their own district only."""
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        area = getattr(request.user, "area", None)
        if area is None:
            return qs.none()
        return qs.filter(area__prefix__startswith=area.prefix)
