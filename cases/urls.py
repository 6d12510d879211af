"""Case-work pages, under /cases/ with the namespace "cases"."""

from django.urls import path

from cases import printing, views

app_name = "cases"

urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("offline/state/", views.OfflineStateView.as_view(), name="offline_state"),
    path(
        "households/<uuid:household_id>/visits/new/",
        views.VisitLogView.as_view(),
        name="visit_log",
    ),
    path("visits/<uuid:visit_id>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<uuid:visit_id>/pdf/", printing.VisitPdfView.as_view(), name="visit_pdf"),
    path(
        "visits/<uuid:visit_id>/photos/new/",
        views.VisitPhotoAddView.as_view(),
        name="visit_photo_add",
    ),
    path("photos/<uuid:photo_id>/", views.VisitPhotoView.as_view(), name="visit_photo"),
    path(
        "visits/<uuid:visit_id>/conflicts/",
        views.VisitConflictsView.as_view(),
        name="visit_conflicts",
    ),
    path(
        "households/<uuid:household_id>/alerts/new/",
        views.HardshipAlertCreateView.as_view(),
        name="alert_create",
    ),
    path(
        "alerts/<uuid:alert_id>/resolve/",
        views.HardshipAlertResolveView.as_view(),
        name="alert_resolve",
    ),
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path(
        "followups/<uuid:followup_id>/reassign/",
        views.FollowUpReassignView.as_view(),
        name="followup_reassign",
    ),
    path(
        "followups/reassign/",
        views.FollowUpBulkReassignView.as_view(),
        name="followups_reassign_bulk",
    ),
    path("tier-rules/", views.TierRuleListView.as_view(), name="tier_rules"),
    path("tier-rules/new/", views.TierRuleCreateView.as_view(), name="tier_rule_create"),
    path(
        "tier-rules/<uuid:rule_id>/edit/", views.TierRuleEditView.as_view(), name="tier_rule_edit"
    ),
    path("activities/", views.ServiceActivityListView.as_view(), name="activities"),
    path("activities/new/", views.ServiceActivityCreateView.as_view(), name="activity_create"),
]
