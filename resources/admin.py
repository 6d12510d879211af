"""Django admin for the district admin: the pool read-only, provider accounts through the service.

Providers and resources are kept on the pool's own pages (resources/views.py), whose writes go
through services (scope checks, audit). Linking a provider-role user to its provider has no page
of its own, so it is done here, and it goes through `provider_account_link` all the same.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from resources.models import Provider, ProviderAccount, Resource
from resources.services import provider_account_link


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(_ReadOnly):
    list_display = ["name", "kind", "area", "contact_name", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    list_select_related = ["area"]


@admin.register(Resource)
class ResourceAdmin(_ReadOnly):
    list_display = ["name", "kind", "pool_list", "provider", "area", "capacity", "stock", "active"]
    list_filter = ["kind", "pool_list", "active"]
    search_fields = ["name"]
    list_select_related = ["provider", "area"]


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "created_at"]
    list_select_related = ["user", "provider"]
    raw_id_fields = ["user", "provider"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ProviderAccount, form: Any, change: bool
    ) -> None:
        # Through the service: the role check and the audit event.
        account = provider_account_link(actor=request.user, provider=obj.provider, user=obj.user)
        obj.pk = account.pk
