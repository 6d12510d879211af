"""Pages of standards and reviews, under /reviews/ with the namespace "reviews"."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.ReviewDueView.as_view(), name="due"),
    path("enrolments/<uuid:enrolment_id>/", views.ReviewRecordView.as_view(), name="record"),
    path("standards/", views.StandardListView.as_view(), name="standards"),
    path("standards/new/", views.StandardCreateView.as_view(), name="standard_create"),
    path(
        "standards/<uuid:standard_id>/edit/",
        views.StandardEditView.as_view(),
        name="standard_edit",
    ),
]
