"""Accounts and the web: lockout, login logging, CSP, idle expiry, history, replica routing."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.models import AccessLog

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_and_failed_login_are_logged(client, personas):
    _login(client, "caseworker", "wrong")
    _login(client, "caseworker", "pw-caseworker")
    actions = list(AccessLog.objects.order_by("id").values_list("action", "username"))
    assert actions == [("login_failed", "caseworker"), ("login", "caseworker")]


def test_repeated_failures_lock_the_account_from_that_address(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "caseworker", "wrong")
    response = _login(client, "caseworker", "pw-caseworker")
    assert response.status_code == 429
    assert "暂时锁定" in response.text
    assert "_auth_user_id" not in client.session


def test_other_users_are_not_locked_by_someone_elses_failures(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "caseworker", "wrong")
    response = _login(client, "teammate", "pw-teammate")
    assert response.status_code == 302


def _login_from(client, address, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_user_locked_at_one_address_is_refused_everywhere_past_the_user_limit(client, personas):
    """A user name is locked at one address after AXES_FAILURE_LIMIT failures, and from
    every address once its failures anywhere reach AXES_USERNAME_FAILURE_LIMIT."""
    assert settings.AXES_USERNAME_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login_from(client, "10.0.0.1", "caseworker", "wrong")
    assert _login_from(client, "10.0.0.1", "caseworker", "pw-caseworker").status_code == 429
    rest = settings.AXES_USERNAME_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT
    for i in range(rest):
        _login_from(client, f"10.0.1.{i % 4}", "caseworker", "wrong")
    response = _login_from(client, "10.0.9.9", "caseworker", "pw-caseworker")
    assert response.status_code == 429
    assert "暂时锁定" in response.text
    assert "_auth_user_id" not in client.session
    # Another user name is not held by them.
    assert _login_from(client, "10.0.9.9", "teammate", "pw-teammate").status_code == 302


def test_below_the_user_limit_another_address_still_signs_in(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login_from(client, "10.0.0.1", "caseworker", "wrong")
    assert _login_from(client, "10.0.0.2", "caseworker", "pw-caseworker").status_code == 302


def test_pages_send_a_csp_without_inline_script(client, personas):
    client.force_login(personas.caseworker)
    policy = client.get(reverse("households:list"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_sessions_expire_when_idle():
    assert "core.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_a_request_renews_the_session_at_most_once_a_minute(client, personas, monkeypatch):
    import time as clock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = [clock.time()]
    monkeypatch.setattr("core.middleware.time.time", lambda: now[0])
    client.force_login(personas.caseworker)  # the login itself counts as the last renewal
    first = _expiry(client)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("households:list"))
    assert not [q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]]
    assert _expiry(client) == first
    now[0] += 61
    client.get(reverse("households:list"))
    assert _expiry(client) > first


def test_an_idle_session_ends(client, personas):
    from django.contrib.sessions.models import Session

    client.force_login(personas.caseworker)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    response = client.get(reverse("households:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_is_post_only(client, personas):
    client.force_login(personas.caseworker)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_history_records_every_change_with_its_user(client, personas, household):
    from households.models import Household

    client.force_login(personas.caseworker)
    url = reverse("households:edit", args=[household.uuid])
    client.post(
        url,
        {
            "area": household.area_id,
            "address": "历史路1号",
            "phone": "",
            "note": "",
            "version": household.version,
        },
    )
    event = Household.pgh_event_model.objects.filter(pgh_obj=household).order_by("pgh_id").last()
    assert event.address == "历史路1号"
    assert event.pgh_context.metadata["user"] == personas.caseworker.pk


def test_history_records_bulk_updates_too(household):
    from households.models import Household

    Household.objects.filter(pk=household.pk).update(note="批量")
    assert Household.pgh_event_model.objects.filter(pgh_obj=household, note="批量").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])
def test_replica_router_sends_only_marked_reads_to_the_replica(household):
    from config.db_router import reading_from_replica
    from households.models import Household

    assert Household.objects.all().db == "default"
    with reading_from_replica():
        assert Household.objects.all().db == "replica"
        assert Household.objects.filter(pk=household.pk).exists()  # committed, so visible
    assert Household.objects.all().db == "default"


def test_api_token_login_is_logged(client, personas):
    response = client.post(
        reverse("api-token"), {"username": "teammate", "password": "pw-teammate"}
    )
    assert response.status_code == 200
    assert AccessLog.objects.filter(action="login", username="teammate").exists()


def test_writes_outside_a_request_are_attributed_to_a_system_context(household):
    """Jobs and commands write history under a "system" context of their own connection,
    not the one shared default that concurrent jobs would all queue on."""
    from config.services import SYSTEM_HISTORY_CONTEXT
    from households.models import Household

    Household.objects.filter(pk=household.pk).update(note="夜间任务")
    event = Household.pgh_event_model.objects.get(pgh_obj=household, note="夜间任务")
    assert str(event.pgh_context_id) != SYSTEM_HISTORY_CONTEXT
    assert event.pgh_context.metadata == {"source": "system"}
