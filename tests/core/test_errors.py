"""handler500: a database that is down reads as a 503 page, never a traceback."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from config import urls
from core.views import server_error


def _answer(path: str, error: Exception):
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:
        return server_error(request)


def test_the_project_uses_the_handler():
    assert urls.handler500 == "core.views.server_error"


def test_a_database_that_is_down_is_a_503_page():
    response = _answer("/households/", OperationalError("connection refused"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    text = response.content.decode()
    assert "服务暂时不可用" in text and "connection refused" not in text


def test_the_api_gets_a_503_in_json():
    response = _answer("/api/v1/households/", OperationalError("server closed the connection"))
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "server closed" not in response.content.decode()


@pytest.mark.parametrize("path", ["/households/", "/api/v1/households/"])
def test_any_other_error_is_a_plain_500(path):
    response = _answer(path, ValueError("secret detail"))
    assert response.status_code == 500 and "secret detail" not in response.content.decode()
    assert "Retry-After" not in response
