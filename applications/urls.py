"""Pages of 一门受理, under /applications/ with the namespace "applications"."""

from django.urls import path

from applications.views import lists, notices, public, window

app_name = "applications"

urlpatterns = [
    path("", window.ApplicationListView.as_view(), name="list"),
    path("take/<uuid:household_id>/", window.ApplicationTakeView.as_view(), name="take"),
    path("<uuid:application_id>/", window.ApplicationDetailView.as_view(), name="detail"),
    path("<uuid:application_id>/documents/", window.DocumentAddView.as_view(), name="document_add"),
    path("documents/<uuid:document_id>/", window.DocumentView.as_view(), name="document"),
    path(
        "<uuid:application_id>/investigate/",
        window.InvestigationView.as_view(),
        name="investigate",
    ),
    path("<uuid:application_id>/accept/", window.AcceptView.as_view(), name="accept"),
    path("<uuid:application_id>/more/", window.RequestMoreView.as_view(), name="request_more"),
    path("<uuid:application_id>/objection/", window.ObjectionView.as_view(), name="objection"),
    path("<uuid:application_id>/approve/", window.ApproveView.as_view(), name="approve"),
    path("<uuid:application_id>/reject/", window.RejectView.as_view(), name="reject"),
    path("<uuid:application_id>/notice-sent/", window.NoticeSentView.as_view(), name="notice_sent"),
    path("<uuid:application_id>/move/", window.MoveView.as_view(), name="move"),
    path(
        "<uuid:application_id>/decision.pdf", notices.DecisionPdfView.as_view(), name="decision_pdf"
    ),
    path(
        "households/<uuid:household_id>/file.pdf",
        notices.HouseholdFileView.as_view(),
        name="household_file",
    ),
    path("notices/", notices.NoticeListView.as_view(), name="notices"),
    path("notices/new/<str:code>/", notices.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<uuid:notice_id>/", notices.NoticeView.as_view(), name="notice"),
    path("notices/<uuid:notice_id>/pdf/", notices.NoticePdfView.as_view(), name="notice_pdf"),
    path("responsibilities/", lists.ResponsibilityListView.as_view(), name="responsibilities"),
    path(
        "responsibilities/new/",
        lists.ResponsibilityCreateView.as_view(),
        name="responsibility_create",
    ),
    path(
        "responsibilities/<uuid:responsibility_id>/edit/",
        lists.ResponsibilityEditView.as_view(),
        name="responsibility_edit",
    ),
    path("calendar/", lists.CalendarView.as_view(), name="calendar"),
    path("portal/", public.PortalView.as_view(), name="portal"),
    path("lookup/", public.LookupView.as_view(), name="lookup"),
]
