"""Django admin for the district admin's reference data: areas and categories.

Households, members and enrolments are not edited here: their writes go through services
(validation, combination rules, audit), so the admin shows them read-only at most. Users are
edited in accounts/admin.py, next to the passwords and tokens their page sets and revokes.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from households.models import Area, Category


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
