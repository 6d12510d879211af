"""Django admin: needs, referrals, runs and campaigns, read-only (their writes are services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from matching.models import Campaign, MatchRun, Need, Referral


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Need)
class NeedAdmin(_ReadOnly):
    list_display = ["id", "type", "subtype", "urgency", "source", "status", "created_at"]
    list_filter = ["status", "type", "source"]


@admin.register(Referral)
class ReferralAdmin(_ReadOnly):
    list_display = ["id", "resource", "provider", "status", "quantity", "proposed_at"]
    list_filter = ["status"]
    list_select_related = ["resource", "provider"]


@admin.register(MatchRun)
class MatchRunAdmin(_ReadOnly):
    list_display = ["created_at", "area", "needs_considered", "referrals_made", "duration_ms"]
    list_select_related = ["area"]


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ["name", "resource", "area", "households_served", "units_given", "created_at"]
    list_select_related = ["resource", "area"]
