"""Dashboard pages under /dashboard/ (namespace "dashboard")."""

from __future__ import annotations

from django.urls import path

from dashboards import views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardCaseloadView.as_view(), name="caseload"),
    path("casework/", views.DashboardCaseworkView.as_view(), name="casework"),
    path("needs/", views.DashboardNeedsView.as_view(), name="needs"),
]
