"""Registry API routes, included under /api/v1/ with the namespace "api-households"."""

from __future__ import annotations

from django.urls import path

from core.api import one_url as _one_url
from households import api

urlpatterns = [
    path("areas/", _one_url("AreasApi", api.AreaListApi, api.AreaCreateApi), name="area-list"),
    path(
        "areas/<str:code>/",
        _one_url("AreaApi", api.AreaDetailApi, api.AreaUpdateApi),
        name="area-detail",
    ),
    path(
        "households/",
        _one_url("HouseholdsApi", api.HouseholdListApi, api.HouseholdCreateApi),
        name="household-list",
    ),
    path("households/search/", api.HouseholdIdSearchApi.as_view(), name="household-search"),
    path(
        "households/<uuid:household_id>/",
        _one_url("HouseholdApi", api.HouseholdDetailApi, api.HouseholdUpdateApi),
        name="household-detail",
    ),
    path(
        "members/",
        _one_url("MembersApi", api.MemberListApi, api.MemberCreateApi),
        name="member-list",
    ),
    path("members/search/", api.MemberIdSearchApi.as_view(), name="member-search"),
    path(
        "members/<uuid:member_id>/",
        _one_url("MemberApi", api.MemberDetailApi, api.MemberUpdateApi),
        name="member-detail",
    ),
    path(
        "members/<uuid:member_id>/reveal-id-number/",
        api.MemberRevealIdNumberApi.as_view(),
        name="member-reveal-id-number",
    ),
    path(
        "enrolments/",
        _one_url("EnrolmentsApi", api.EnrolmentListApi, api.EnrolmentApplyApi),
        name="enrolment-list",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/",
        _one_url("EnrolmentApi", api.EnrolmentDetailApi, api.EnrolmentUpdateApi),
        name="enrolment-detail",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/approve/",
        api.EnrolmentApproveApi.as_view(),
        name="enrolment-approve",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/reject/",
        api.EnrolmentRejectApi.as_view(),
        name="enrolment-reject",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/suspend/",
        api.EnrolmentSuspendApi.as_view(),
        name="enrolment-suspend",
    ),
    path(
        "enrolments/<uuid:enrolment_id>/end/", api.EnrolmentEndApi.as_view(), name="enrolment-end"
    ),
]
