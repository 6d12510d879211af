from django.contrib.auth import views as auth_views
from django.urls import path

from core.offline import LogoutView
from households import approvals, printing, views

app_name = "households"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("households/", views.HouseholdListView.as_view(), name="list"),
    path("households/search/id/", views.HouseholdIdSearchView.as_view(), name="id_search"),
    path("households/create/", views.HouseholdCreateView.as_view(), name="create"),
    path("households/<uuid:household_id>/", views.HouseholdDetailView.as_view(), name="detail"),
    path(
        "households/<uuid:household_id>/history/",
        views.HouseholdHistoryView.as_view(),
        name="history",
    ),
    path("households/<uuid:household_id>/pdf/", printing.HouseholdPdfView.as_view(), name="pdf"),
    path("households/<uuid:household_id>/edit/", views.HouseholdEditView.as_view(), name="edit"),
    path(
        "households/<uuid:household_id>/members/add/",
        views.MemberAddView.as_view(),
        name="member_add",
    ),
    path(
        "households/<uuid:household_id>/enrolments/apply/",
        views.EnrolmentApplyView.as_view(),
        name="enrolment_apply",
    ),
    path("members/<uuid:member_id>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path(
        "members/<uuid:member_id>/reveal/", views.MemberRevealView.as_view(), name="member_reveal"
    ),
    path(
        "enrolments/pending/",
        approvals.EnrolmentPendingView.as_view(),
        name="enrolments_pending",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/decide/",
        approvals.EnrolmentDecideView.as_view(),
        name="enrolment_decide",
    ),
    path(
        "enrolments/decide/",
        approvals.EnrolmentBulkDecideView.as_view(),
        name="enrolments_decide_bulk",
    ),
]

auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", LogoutView.as_view(), name="logout"),
]
