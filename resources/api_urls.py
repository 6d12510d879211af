"""Resource pool API routes, included under /api/v1/ with the namespace "api-resources"."""

from __future__ import annotations

from django.urls import path

from core.api import one_url
from resources import api

urlpatterns = [
    path(
        "providers/",
        one_url("ProvidersApi", api.ProviderListApi, api.ProviderCreateApi),
        name="provider-list",
    ),
    path(
        "providers/<uuid:provider_id>/",
        one_url("ProviderApi", api.ProviderDetailApi, api.ProviderUpdateApi),
        name="provider-detail",
    ),
    path(
        "resources/",
        one_url("ResourcesApi", api.ResourceListApi, api.ResourceCreateApi),
        name="resource-list",
    ),
    path(
        "resources/<uuid:resource_id>/",
        one_url("ResourceApi", api.ResourceDetailApi, api.ResourceUpdateApi),
        name="resource-detail",
    ),
    path(
        "resources/<uuid:resource_id>/stock/",
        api.ResourceStockReceiveApi.as_view(),
        name="resource-stock-receive",
    ),
]
