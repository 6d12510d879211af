from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import TokenLogoutAllApi, TokenLogoutApi, TokenObtainApi
from core.offline import ManifestView, ServiceWorkerView
from core.views import HealthCheckView
from households.urls import auth_urlpatterns

# Each app twice: its pages under /<app>/ (namespace <app>), its API under /api/v1/
# (namespace api-<app>).
api_v1 = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", TokenLogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", TokenLogoutAllApi.as_view(), name="api-logout-all"),
    path("", include(("households.api_urls", "api-households"))),
    path("", include(("cases.api_urls", "api-cases"))),
    path("", include(("resources.api_urls", "api-resources"))),
    path("", include(("matching.api_urls", "api-matching"))),
    path("", include(("reviews.api_urls", "api-reviews"))),
    path("", include(("applications.api_urls", "api-applications"))),
    path("", include(("outreach.api_urls", "api-outreach"))),
    path("", include(("dashboards.api_urls", "api-dashboard"))),
    path("", include(("ledgers.api_urls", "api-ledgers"))),
    path("", include(("households.audit_api_urls", "api-audit"))),
    path("", include(("accounts.api_urls", "api-accounts"))),
]

# No traceback and no database: a database restart reads as "503, try again" (core.views).
handler500 = "core.views.server_error"
# In the site's layout and the user's language; JSON under /api/.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"

urlpatterns = [
    path("healthz", HealthCheckView.as_view(), name="healthz"),
    path("sw.js", ServiceWorkerView.as_view(), name="service_worker"),
    path("manifest.webmanifest", ManifestView.as_view(), name="web_manifest"),
    *auth_urlpatterns,
    path("", include("households.urls")),
    path("cases/", include("cases.urls")),
    path("resources/", include("resources.urls")),
    path("matching/", include("matching.urls")),
    path("reviews/", include("reviews.urls")),
    path("applications/", include("applications.urls")),
    path("outreach/", include("outreach.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("audit/", include("households.audit_urls")),
    path("account/", include("accounts.urls")),
    path("manage/", include("accounts.manage_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]
