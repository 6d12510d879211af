"""The installable app: manifest, service worker and the device's state, all served by the
app itself under its CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services as case_services

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_at_the_root_with_local_workbox(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert "/static/vendor/workbox\\u002Dsw/workbox\\u002Dsw.js" in body
    assert "http://" not in body and "https://" not in body  # no CDN


def test_workbox_and_idb_files_are_served(client):
    from django.contrib.staticfiles import finders

    for path in [
        "vendor/workbox-sw/workbox-sw.js",
        "vendor/workbox-core/workbox-core.prod.js",
        "vendor/workbox-routing/workbox-routing.prod.js",
        "vendor/workbox-strategies/workbox-strategies.prod.js",
        "vendor/workbox-expiration/workbox-expiration.prod.js",
        "vendor/idb/umd.js",
    ]:
        assert finders.find(path), path


def test_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    manifest = response.json()
    assert manifest["start_url"] == reverse("cases:worklist")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_offline_state_lists_only_the_workers_own_caseload(
    client, personas, household, far_household
):
    case_services.followups_schedule()
    client.force_login(personas.caseworker)
    state = client.get(reverse("cases:offline_state")).json()
    assert state["csrf"]
    assert reverse("cases:visit_log", args=[household.uuid]) in state["pages"]
    assert not any(str(far_household.uuid) in page for page in state["pages"])


def test_offline_state_out_of_scope_user_gets_none_of_the_households(client, personas, household):
    case_services.followups_schedule()
    client.force_login(personas.outsider)
    state = client.get(reverse("cases:offline_state")).json()
    assert not any(str(household.uuid) in page for page in state["pages"])


def test_offline_state_signed_out_is_401(client):
    assert client.get(reverse("cases:offline_state")).status_code == 401


def test_logout_tells_the_browser_to_wipe_the_device(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_pages_of_a_signed_in_worker_load_the_offline_scripts(client, personas):
    client.force_login(personas.caseworker)
    page = client.get(reverse("cases:worklist")).content.decode()
    assert 'rel="manifest"' in page and "js/offline.js" in page and 'data-caseload="1"' in page
    assert "<script>" not in page  # no inline script under the CSP


def test_the_offline_page_names_the_worklist_as_the_menu_does(client):
    """Without a signal the worker is sent back to the page the menu and its heading call
    工作台; another name for it there reads as another page."""
    body = client.get("/sw.js").content.decode()
    assert "请回到工作台" in body and ">工作台</a>" in body
    assert "工作清单" not in body
