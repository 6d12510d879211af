from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("", views.PoolView.as_view(), name="pool"),
    path("create/", views.ResourceCreateView.as_view(), name="create"),
    path("<uuid:resource_id>/", views.ResourceDetailView.as_view(), name="detail"),
    path("<uuid:resource_id>/edit/", views.ResourceEditView.as_view(), name="edit"),
    path("<uuid:resource_id>/stock/", views.StockReceiveView.as_view(), name="stock_receive"),
    path("providers/", views.ProviderListView.as_view(), name="providers"),
    path("providers/create/", views.ProviderCreateView.as_view(), name="provider_create"),
    path(
        "providers/<uuid:provider_id>/",
        views.ProviderDetailView.as_view(),
        name="provider_detail",
    ),
    path(
        "providers/<uuid:provider_id>/edit/",
        views.ProviderEditView.as_view(),
        name="provider_edit",
    ),
]
