"""一键求助 for residents: plain words, a community found by typing, a receipt with a reference
number and the hotline, and a way in from the login page."""

import pytest
from django.urls import reverse

from matching.models import Need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _post(client, **overrides):
    data = {
        "phone": "13912345678",
        "area": "平江街道 狮林社区",
        "type": "care",
        "subtype": "daily_care",
        "description": "",
        "website": "",
    }
    data.update(overrides)
    return client.post(reverse("matching:help"), data)


def test_help_form_speaks_plainly_and_offers_a_searchable_community_list(client, areas):
    text = client.get(reverse("matching:help")).text
    for term in ("生存型", "关爱型", "发展型"):
        assert term not in text
    assert "需要有人照顾、陪伴或上门帮忙" in text
    assert 'list="help-communities"' in text
    assert '<option value="平江街道 狮林社区">' in text


def test_a_community_picked_from_the_list_is_stored(client, areas):
    assert _post(client).status_code == 302
    assert Need.objects.get().area == areas.community


def test_a_part_of_a_name_only_one_community_has_is_enough(client, areas):
    assert _post(client, area="菉葭").status_code == 302
    assert Need.objects.get().area == areas.neighbour


def test_an_unknown_or_ambiguous_community_is_asked_again(client, areas):
    for typed in ("不存在社区", "社区"):
        response = _post(client, area=typed)
        assert response.status_code == 400
        assert "请从列表中选择您所在的社区" in response.text
    assert not Need.objects.exists()


def test_the_receipt_gives_the_reference_number_and_the_hotline(client, areas, settings):
    settings.HELP_HOTLINE = "0512-12345"
    response = _post(client)
    need = Need.objects.get()
    receipt = client.get(response["Location"]).text
    assert need.reference in receipt and len(need.reference) == 8
    assert 'href="tel:0512-12345"' in receipt
    assert "13912345678" not in receipt


def test_the_receipt_of_someone_who_sent_nothing_has_no_reference(client, areas):
    receipt = client.get(reverse("matching:help_sent")).text
    assert "回执编号" not in receipt


def test_the_worker_sees_the_same_reference_in_the_inbox(client, areas, personas):
    _post(client)
    need = Need.objects.get()
    client.force_login(personas.caseworker)
    assert need.reference in client.get(reverse("matching:inbox")).text


def test_the_login_page_links_to_the_help_form(client):
    assert reverse("matching:help") in client.get(reverse("login")).text
