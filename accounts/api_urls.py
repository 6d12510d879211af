"""Accounts API routes, included under /api/v1/ with the namespace "api-accounts"."""

from __future__ import annotations

from django.urls import path

from accounts import users_api as api
from core.api import one_url

urlpatterns = [
    path("users/", one_url("UsersApi", api.UserListApi, api.UserCreateApi), name="user-list"),
    path(
        "users/<str:username>/",
        one_url("UserApi", api.UserDetailApi, api.UserUpdateApi),
        name="user-detail",
    ),
    path(
        "users/<str:username>/deactivate/",
        api.UserDeactivateApi.as_view(),
        name="user-deactivate",
    ),
]
