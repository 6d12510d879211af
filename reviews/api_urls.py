"""Standards and reviews API routes, under /api/v1/ with the namespace "api-reviews"."""

from __future__ import annotations

from django.urls import path

from core.api import one_url
from reviews import api

urlpatterns = [
    path(
        "standards/",
        one_url("StandardsApi", api.StandardListApi, api.StandardCreateApi),
        name="standard-list",
    ),
    path(
        "standards/<uuid:standard_id>/",
        one_url("StandardApi", api.StandardDetailApi, api.StandardUpdateApi),
        name="standard-detail",
    ),
    path(
        "reviews/",
        one_url("ReviewsApi", api.ReviewListApi, api.ReviewRecordApi),
        name="review-list",
    ),
]
