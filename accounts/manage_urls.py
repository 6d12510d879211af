"""Pages for keeping accounts and areas, under /manage/ (namespace "manage")."""

from django.urls import path

from accounts import manage_views as views

app_name = "manage"

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<str:username>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path(
        "users/<str:username>/deactivate/",
        views.UserDeactivateView.as_view(),
        name="user_deactivate",
    ),
    path("areas/", views.AreaListView.as_view(), name="areas"),
    path("areas/new/", views.AreaCreateView.as_view(), name="area_create"),
    path("areas/<str:code>/", views.AreaEditView.as_view(), name="area_edit"),
]
