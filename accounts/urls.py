from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.ApiTokenListView.as_view(), name="tokens"),
    path("tokens/revoke-all/", views.ApiTokenRevokeAllView.as_view(), name="token_revoke_all"),
    path("tokens/<uuid:token_id>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
]
