"""NUL characters in a request are refused with a 400 before a view reads them
(core.middleware.RefuseNulMiddleware): PostgreSQL cannot hold them, and they answered 500."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

# Dashboards read through the replica alias: the same connection as the test here.
from tests.dashboard.conftest import replica_is_default  # noqa: F401

pytestmark = pytest.mark.django_db

DASHBOARD_API = [
    "/api/v1/dashboard/caseload/",
    "/api/v1/dashboard/followups/",
    "/api/v1/dashboard/visits/",
    "/api/v1/dashboard/alerts/",
    "/api/v1/dashboard/services/",
    "/api/v1/dashboard/needs/",
    "/api/v1/dashboard/referrals/",
    "/api/v1/dashboard/resources/",
]
DASHBOARD_PAGES = ["dashboard:caseload", "dashboard:casework", "dashboard:needs"]


@pytest.mark.parametrize("path", DASHBOARD_API)
def test_dashboard_api_refuses_nul_in_the_area(api, personas, path):
    client = api(personas.admin)
    assert client.get(path, {"area": "320506001000"}).status_code == 200
    response = client.get(f"{path}?area=%00")
    assert response.status_code == 400
    assert "空字符" in response.json()["area"][0]


@pytest.mark.parametrize("name", DASHBOARD_PAGES)
def test_dashboard_pages_refuse_nul_in_the_area(client, personas, name):
    client.force_login(personas.admin)
    url = reverse(name)
    assert client.get(url, {"area": "320506001000"}).status_code == 200
    assert client.get(f"{url}?area=%00").status_code == 400
    assert client.get(f"{url}?area=320506001000%00").status_code == 400
    assert client.get(f"{url}?%00=1").status_code == 400


def test_a_nul_in_a_path_segment_is_refused(api, personas):
    client = api(personas.admin)
    assert client.get("/api/v1/areas/320506001001/").status_code == 200
    response = client.get("/api/v1/areas/320506%00/")
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"][0]


def test_a_nul_in_a_page_path_is_refused(client, personas):
    client.force_login(personas.admin)
    assert client.get("/ledgers/rows/households%00/").status_code == 400


def test_a_nul_in_a_json_body_is_refused(api, personas):
    client = api(personas.admin)
    body = json.dumps({"format": "csv", "filters": {"area": "3205\u0000"}})
    response = client.post(
        "/api/v1/ledgers/households/export/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["filters"]
    assert "空字符" in response.json()["filters"][0]


def test_a_nul_in_a_form_field_is_refused(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("ledgers:import"), {"area": "3205\x00"})
    assert response.status_code == 400


def test_a_request_without_nul_is_untouched(api, personas):
    response = api(personas.admin).get("/api/v1/dashboard/caseload/", {"area": "320506001000"})
    assert response.status_code == 200


def test_a_nul_in_a_cookie_or_the_token_is_refused(client, api, personas):
    """Python's cookie parser decodes a quoted \\000; the session was then looked up with it."""
    cookie = 'sessionid="\\000abcdefghijk"'
    assert client.get(reverse("dashboard:caseload"), HTTP_COOKIE=cookie).status_code == 400
    assert client.get("/api/v1/areas/", HTTP_COOKIE=cookie).status_code == 400
    response = client.get("/api/v1/areas/", HTTP_AUTHORIZATION="Token abc\x00")
    assert response.status_code == 400
