"""Pages of 政策找人, under /outreach/ with the namespace "outreach"."""

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="leads"),
    path("leads/<uuid:lead_id>/act/", views.LeadActView.as_view(), name="lead_act"),
    path("leads/<uuid:lead_id>/dismiss/", views.LeadDismissView.as_view(), name="lead_dismiss"),
    path("flags/", views.ExitFlagListView.as_view(), name="flags"),
    path("flags/<uuid:flag_id>/resolve/", views.ExitFlagResolveView.as_view(), name="flag_resolve"),
    path("policies/", views.PolicyListView.as_view(), name="policies"),
    path(
        "policies/<uuid:policy_id>/rules/new/",
        views.PolicyRuleCreateView.as_view(),
        name="rule_create",
    ),
    path("rules/<uuid:rule_id>/edit/", views.PolicyRuleEditView.as_view(), name="rule_edit"),
]
