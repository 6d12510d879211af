"""No identity number in a URL: any GET parameter shaped like one is a 400 that repeats nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

NUMBER = factories.id_number()


@pytest.mark.parametrize(
    ("page", "param"),
    [
        ("matching:inbox", "q"),
        ("resources:pool", "q"),
        ("audit:access_log", "user"),
        ("cases:worklist", "anything"),
    ],
)
def test_any_page_refuses_a_number_in_its_query(client, personas, page, param):
    client.force_login(personas.admin)
    response = client.get(reverse(page), {param: NUMBER.lower()})
    text = response.content.decode()
    assert response.status_code == 400
    assert NUMBER not in text.upper() and NUMBER[:17] not in text
    assert "按身份证号查找" in text and "退出" in text  # the site's layout, saying what to do
    assert response["Cache-Control"] == "no-store"


def test_the_api_answers_json_naming_the_parameter(api, personas):
    response = api(personas.admin).get(reverse("api-resources:provider-list"), {"q": NUMBER})
    assert response.status_code == 400 and "q" in response.json()
    assert NUMBER not in response.content.decode()


def test_other_queries_pass(client, personas):
    client.force_login(personas.admin)
    assert (
        client.get(reverse("households:list"), {"q": "王", "area": "320506001001"}).status_code
        == 200
    )
    assert client.get(reverse("households:list"), {"q": "13812345678"}).status_code == 200
