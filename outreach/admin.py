from django.contrib import admin

from outreach.models import PolicyRule


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    list_display = ["policy", "code", "active"]
    list_filter = ["active", "code"]
    raw_id_fields = ["policy"]
