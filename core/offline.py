"""The installable web app: its manifest and its service worker, served by the app itself
(no CDN) at the site's root, so the worker's scope is the whole site."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

# The Workbox modules the service worker uses, each from its own npm package (served under
# vendor/<package>/ by STATICFILES_DIRS). workbox-sw loads them by importScripts, from the
# paths given here rather than from its default CDN.
WORKBOX_MODULES = ["workbox-core", "workbox-routing", "workbox-strategies", "workbox-expiration"]

# What the caseload pages load, kept when the worker is installed: a visit form first
# opened without a signal still has its style and its script.
SHELL = [
    "vendor/pico/pico.min.css",
    "css/app.css",
    "cases/cases.css",
    "vendor/idb/umd.js",
    "js/zhulian-store.js",
    "js/offline.js",
    "js/visit-form.js",
]


@functools.cache
def _static_version() -> str:
    """A digest of the shell's files: a change to any of them changes the service worker, which
    then installs anew and keeps the new files (static files are kept cache-first)."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for path in SHELL:
        found = finders.find(path)
        if found:
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:12]


class ServiceWorkerView(View):
    """/sw.js: never cached by HTTP (a new version must be seen at once), allowed the root."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.template.loader import render_to_string

        context = {
            "workbox_sw": static("vendor/workbox-sw/workbox-sw.js"),
            "modules": {name: static(f"vendor/{name}/{name}.prod.js") for name in WORKBOX_MODULES},
            "store_scripts": [static("vendor/idb/umd.js"), static("js/zhulian-store.js")],
            "state_url": reverse("cases:offline_state"),
            "shell": [static(path) for path in SHELL],
            "static_version": _static_version(),
            "keep_seconds": settings.OFFLINE_KEEP_DAYS * 86400,
            "offline_title": _("离线"),
            "offline_text": _("没有网络，且此页面未保存在本机。请回到工作台。"),
            "worklist_url": reverse("cases:worklist"),
            "worklist_label": _("工作台"),
        }
        body = render_to_string("core/sw.js", context, request=request)
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
        response["Service-Worker-Allowed"] = "/"
        response["Cache-Control"] = "no-cache"
        return response


class ManifestView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        manifest = {
            "name": _("助联 社会救助"),
            "short_name": _("助联"),
            "lang": "zh-Hans",
            "start_url": reverse("cases:worklist"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0172ad",
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
        response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = "application/manifest+json"
        return response


def offline_settings(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what the pages' offline script needs from the settings."""
    return {"offline_keep_days": settings.OFFLINE_KEEP_DAYS}


class LogoutView(auth_views.LogoutView):
    """Signing out wipes what the device keeps: the browser clears the caches and the
    IndexedDB store on this header (static/js/offline.js does it too before sending)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
