"""400, 403, 404, 429 and 500 pages: the site's layout, the user's language; JSON under /api/."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from config import urls
from core.errors import RateLimitedError
from core.views import rate_limited, server_error

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_project_uses_the_handlers():
    assert urls.handler400 == "core.views.bad_request"
    assert urls.handler403 == "core.views.permission_denied"
    assert urls.handler404 == "core.views.page_not_found"


@pytest.mark.django_db
def test_404_is_in_the_layout_with_the_users_menu(client, personas):
    client.force_login(personas.caseworker)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "Not Found" not in text
    assert 'name="viewport"' in text and "css/app.css" in text
    assert "退出" in text  # the site's header, with the signed-in user's menu


@pytest.mark.django_db
def test_404_speaks_the_users_language(client, personas):
    client.force_login(personas.caseworker)
    response = client.get("/no-such-page/", **ENGLISH)
    assert response.status_code == 404 and '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_an_out_of_scope_household_reads_as_the_404_page(client, personas, far_household):
    client.force_login(personas.caseworker)
    response = client.get(reverse("households:detail", args=[far_household.uuid]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert far_household.address not in response.content.decode()


@pytest.mark.django_db
def test_403_is_in_the_layout_and_in_chinese(client, personas):
    client.force_login(personas.caseworker)  # a worker does not read the access log
    response = client.get(reverse("audit:access_log"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "无权访问" in text and "403 Forbidden" not in text and "退出" in text


@pytest.mark.django_db
def test_a_csrf_failure_is_the_403_page_saying_what_to_do(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.caseworker)
    response = client.post(reverse("households:id_search"), {"id_number": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "刷新页面" in text and "CSRF verification failed" not in text


@pytest.mark.django_db
def test_400_is_a_page_that_reads_nothing_from_the_request(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/households/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    text = response.content.decode()
    assert "请求有误" in text and "css/app.css" in text and "Bad Request" not in text


def test_500_needs_no_database_and_no_request_context():
    # No django_db mark: any database access here would raise.
    request = RequestFactory().get("/households/")  # no user, no session
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(request)
    text = response.content.decode()
    assert response.status_code == 500 and "服务器内部错误" in text and "css/app.css" in text


@pytest.mark.django_db
def test_429_is_in_the_layout_with_the_message(rf, personas):
    request = rf.get("/")
    request.user = personas.caseworker
    request.session = {}
    response = rate_limited(request, RateLimitedError("请稍后再来。", retry_after=60))
    text = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "操作过于频繁" in text and "请稍后再来。" in text


@pytest.mark.django_db
def test_api_errors_stay_json(api, personas, far_household):
    client = api(personas.caseworker)
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert "detail" in missing.json()
    out = client.get(reverse("api-households:household-detail", args=[far_household.uuid]))
    assert out.status_code == 404 and out["Content-Type"] == "application/json"
    forbidden = client.get(reverse("api-audit:access-log-list"))
    assert forbidden.status_code == 403 and "detail" in forbidden.json()
