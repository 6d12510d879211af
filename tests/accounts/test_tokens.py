"""API tokens (django-rest-knox): a new one per sign-in, hashed, expiring when idle and at a
maximum age, revoked at logout, listed and revoked by their owner alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import ApiTokenInfo
from accounts.services import api_token_issue
from households.models import Household
from tests import factories

pytestmark = pytest.mark.django_db

IDLE = settings.REST_KNOX["TOKEN_TTL"]
MAX_AGE = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]


def _sign_in(client, username="caseworker", **extra):
    response = client.post(
        reverse("api-token"), {"username": username, "password": f"pw-{username}", **extra}
    )
    assert response.status_code == 200, response.content
    return response.json()


def _status(client, token):
    url = reverse("api-households:area-list")
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code


@pytest.fixture
def clock(monkeypatch):
    """Move time forward: knox and the selectors read django.utils.timezone.now."""
    start = timezone.now()
    offset = [dt.timedelta()]
    monkeypatch.setattr(timezone, "now", lambda: start + offset[0])

    def advance(**delta):
        offset[0] += dt.timedelta(**delta)

    return advance


def test_the_defaults_are_seven_days_idle_and_thirty_at_most():
    assert IDLE.days == 7
    assert MAX_AGE.days == 30
    assert settings.REST_KNOX["AUTO_REFRESH"] is True


def test_each_sign_in_issues_a_new_token_with_its_expiry(client, personas):
    first = _sign_in(client)
    second = _sign_in(client)
    assert first["token"] != second["token"]
    expiry = dt.datetime.fromisoformat(first["expiry"])
    assert timezone.now() + IDLE - dt.timedelta(minutes=1) < expiry <= timezone.now() + IDLE
    assert _status(client, first["token"]) == 200
    assert _status(client, second["token"]) == 200
    assert AuthToken.objects.filter(user=personas.caseworker).count() == 2


def test_a_token_is_stored_only_as_a_hash(client, personas):
    token = _sign_in(client)["token"]
    stored = AuthToken.objects.get(user=personas.caseworker)
    assert token not in (stored.digest, stored.token_key)
    assert token.startswith(stored.token_key)


def test_the_device_is_named_by_the_caller_or_its_user_agent(client, personas):
    _sign_in(client, device="街道办公室电脑")
    client.post(
        reverse("api-token"),
        {"username": "caseworker", "password": "pw-caseworker"},
        HTTP_USER_AGENT="zhulian-sync/1.0",
    )
    devices = set(ApiTokenInfo.objects.values_list("device", flat=True))
    assert devices == {"街道办公室电脑", "zhulian-sync/1.0"}


def test_logout_revokes_that_token_only(client, personas):
    kept = _sign_in(client)["token"]
    gone = _sign_in(client)["token"]
    response = client.post(reverse("api-logout"), HTTP_AUTHORIZATION=f"Token {gone}")
    assert response.status_code == 204
    assert _status(client, gone) == 401
    assert _status(client, kept) == 200


def test_logout_all_revokes_every_token_of_the_user_only(client, personas):
    tokens = [_sign_in(client)["token"] for _ in range(3)]
    other = _sign_in(client, "teammate")["token"]
    response = client.post(reverse("api-logout-all"), HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert response.status_code == 204
    assert [_status(client, t) for t in tokens] == [401, 401, 401]
    assert _status(client, other) == 200


def test_logout_needs_a_token(client, personas):
    assert client.post(reverse("api-logout")).status_code == 401
    assert client.post(reverse("api-logout"), HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_signing_out_of_the_browser_leaves_api_tokens_alone(client, personas):
    token = _sign_in(client)["token"]
    client.force_login(personas.caseworker)
    assert client.post(reverse("logout")).status_code == 302
    assert _status(client, token) == 200


def test_a_token_unused_for_the_idle_period_expires(client, personas, clock):
    token = _sign_in(client)["token"]
    clock(days=6)
    assert _status(client, token) == 200  # a use moves the expiry a full period on
    clock(days=6)
    assert _status(client, token) == 200
    clock(days=7, minutes=1)
    assert _status(client, token) == 401
    assert not AuthToken.objects.filter(user=personas.caseworker).exists()


def test_a_token_ends_at_its_maximum_age_however_often_used(client, personas, clock):
    token = _sign_in(client)["token"]
    for _ in range(4):
        clock(days=6)
        assert _status(client, token) == 200
    clock(days=5, hours=23)  # 29 days 23 hours: still alive, but never renewed past 30 days
    assert _status(client, token) == 200
    stored = AuthToken.objects.get(user=personas.caseworker)
    assert stored.expiry == stored.created + MAX_AGE
    clock(hours=1, minutes=1)
    assert _status(client, token) == 401


def test_a_use_is_recorded_at_most_once_a_minute(client, personas, clock):
    token = _sign_in(client)["token"]
    info = ApiTokenInfo.objects.get()
    assert info.last_used_at is None
    _status(client, token)
    info.refresh_from_db()
    first = info.last_used_at
    assert first is not None
    clock(seconds=30)
    _status(client, token)
    info.refresh_from_db()
    assert info.last_used_at == first
    clock(seconds=31)
    _status(client, token)
    info.refresh_from_db()
    assert info.last_used_at > first


def test_writes_through_a_token_name_its_user_in_the_history(client, personas, household):
    token = _sign_in(client)["token"]
    response = client.patch(
        reverse("api-households:household-detail", args=[household.uuid]),
        {"note": "令牌写入", "version": household.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200, response.content
    event = Household.pgh_event_model.objects.filter(pgh_obj=household).order_by("pgh_id").last()
    assert event.note == "令牌写入"
    assert event.pgh_context.metadata["user"] == personas.caseworker.pk


# ---- the token page -------------------------------------------------------------------


def test_the_token_page_lists_own_tokens_by_prefix_only(client, personas):
    own, key = api_token_issue(actor=personas.caseworker, device="我的手机")
    theirs, _key = api_token_issue(actor=personas.teammate, device="同事的电脑")
    client.force_login(personas.caseworker)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert own.prefix in page and "我的手机" in page
    local = timezone.localtime
    assert local(own.token.created).strftime("%Y-%m-%d %H:%M") in page
    assert local(own.token.expiry).strftime("%Y-%m-%d %H:%M") in page
    assert key not in page and key[: len(own.prefix) + 1] not in page
    assert "同事的电脑" not in page and str(theirs.uuid) not in page


def test_a_user_revokes_one_of_their_tokens(client, personas):
    _kept, kept_key = api_token_issue(actor=personas.caseworker)
    gone, gone_key = api_token_issue(actor=personas.caseworker)
    client.force_login(personas.caseworker)
    response = client.post(reverse("accounts:token_revoke", args=[gone.uuid]))
    assert response.status_code == 302
    assert _status(client, gone_key) == 401
    assert _status(client, kept_key) == 200


def test_another_users_token_is_not_found_and_stays(client, personas):
    theirs, key = api_token_issue(actor=personas.teammate)
    client.force_login(personas.caseworker)
    response = client.post(reverse("accounts:token_revoke", args=[theirs.uuid]))
    assert response.status_code == 404
    assert _status(client, key) == 200


def test_revoke_all_on_the_page_leaves_other_users_tokens(client, personas):
    keys = [api_token_issue(actor=personas.caseworker)[1] for _ in range(2)]
    _other, other_key = api_token_issue(actor=personas.teammate)
    client.force_login(personas.caseworker)
    assert client.post(reverse("accounts:token_revoke_all")).status_code == 302
    assert [_status(client, k) for k in keys] == [401, 401]
    assert _status(client, other_key) == 200


def test_revoking_is_post_only(client, personas):
    own, _key = api_token_issue(actor=personas.caseworker)
    client.force_login(personas.caseworker)
    assert client.get(reverse("accounts:token_revoke", args=[own.uuid])).status_code == 405
    assert client.get(reverse("accounts:token_revoke_all")).status_code == 405
    assert ApiTokenInfo.objects.filter(pk=own.pk).exists()


# ---- the admin ------------------------------------------------------------------------


def test_the_admin_action_revokes_every_token_of_the_selected_users(client, personas, areas):
    root = factories.user(
        "root", role="district_admin", area=areas.district, is_staff=True, is_superuser=True
    )
    _a, caseworker_key = api_token_issue(actor=personas.caseworker)
    _b, teammate_key = api_token_issue(actor=personas.teammate)
    _c, viewer_key = api_token_issue(actor=personas.viewer)
    client.force_login(root)
    response = client.post(
        reverse("admin:households_user_changelist"),
        {
            "action": "revoke_api_tokens",
            "_selected_action": [personas.caseworker.pk, personas.teammate.pk],
        },
    )
    assert response.status_code == 302
    assert _status(client, caseworker_key) == 401
    assert _status(client, teammate_key) == 401
    assert _status(client, viewer_key) == 200
