"""The matrix's tests: each row for each persona in and out of scope, the walker against the
table, and mutations refusing GET."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, path, reverse
from django.views import View
from rest_framework.test import APIClient

from tests.permission_matrix.table import (
    ANON,
    CASEWORKER,
    HIDDEN,
    IN_SITE,
    LOGIN,
    MATRIX,
    MISSING,
    NO_AREA,
    OUT_SITE,
    PERSONAS,
    Check,
)
from tests.permission_matrix.walker import matrix_gaps, routes

pytestmark = pytest.mark.django_db


def test_every_route_is_in_the_matrix():
    gaps = matrix_gaps()
    assert not gaps, "\n".join(gaps)


def _gaps_with(extra: list[Any], tag: str) -> list[str]:
    """The matrix's gaps for our URL configuration plus `extra` routes."""
    from config import urls

    module = types.ModuleType(f"tests._matrix_probe_{tag}")
    module.urlpatterns = [*urls.urlpatterns, *extra]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        return matrix_gaps(get_resolver(module.__name__))
    finally:
        del sys.modules[module.__name__]


class _Probe(View):
    def get(self, request: Any) -> Any:
        raise AssertionError

    def delete(self, request: Any) -> Any:
        raise AssertionError


def test_a_route_missing_from_the_matrix_fails_it():
    gaps = _gaps_with([path("probe/<uuid:household_id>/", _Probe.as_view(), name="probe")], "new")
    assert gaps == [
        "probe DELETE: add it to the permission matrix",
        "probe GET: add it to the permission matrix",
    ]


def test_a_new_method_on_a_known_route_fails_it():
    gaps = _gaps_with([path("probe/", _Probe.as_view(), name="login")], "method")
    assert gaps == ["login DELETE: add it to the permission matrix"]


# ---- running one case ---------------------------------------------------------------------


def _owner(persona: str, case: str) -> str:
    return persona if case == "in" and persona != ANON else "clerk"


KWARGS: dict[str, tuple[str, Callable[[Any, Any, str, str], Any]]] = {
    "household": ("household_id", lambda w, s, p, c: s.household.uuid),
    "member": ("member_id", lambda w, s, p, c: s.member.uuid),
    "enrolment": ("enrolment_id", lambda w, s, p, c: s.enrolment.uuid),
    "visit": ("visit_id", lambda w, s, p, c: s.visit.uuid),
    "followup": ("followup_id", lambda w, s, p, c: s.followup.uuid),
    "alert": ("alert_id", lambda w, s, p, c: s.alert.uuid),
    "need": ("need_id", lambda w, s, p, c: s.need.uuid),
    "request": ("need_id", lambda w, s, p, c: s.request.uuid),
    "referral": ("referral_id", lambda w, s, p, c: s.referral.uuid),
    "accepted": ("referral_id", lambda w, s, p, c: s.accepted.uuid),
    "photo": ("photo_id", lambda w, s, p, c: s.photo.uuid),
    "provider": ("provider_id", lambda w, s, p, c: s.provider.uuid),
    "service": ("resource_id", lambda w, s, p, c: s.service.uuid),
    "goods": ("resource_id", lambda w, s, p, c: s.goods.uuid),
    "campaign": ("campaign_id", lambda w, s, p, c: s.campaign.uuid),
    "area": ("code", lambda w, s, p, c: s.area.code),
    "worker": ("username", lambda w, s, p, c: s.worker.username),
    # Tier rules are district-wide: out of scope is a rule that does not exist.
    "rule": ("rule_id", lambda w, s, p, c: w.rule.uuid if c == "in" else MISSING),
    # Standards are district-wide: out of scope is another district's.
    "standard": (
        "standard_id",
        lambda w, s, p, c: (w.standard if c == "in" else w.alien_standard).uuid,
    ),
    # Jobs, batches and API tokens: the persona's own in scope, another user's out of it.
    "job": ("job_id", lambda w, s, p, c: w.jobs[_owner(p, c)].uuid),
    "batch": ("batch_id", lambda w, s, p, c: w.batches[_owner(p, c)].uuid),
    "token": ("token_id", lambda w, s, p, c: w.api_tokens[_owner(p, c)].uuid),
    "ledger": ("name", lambda w, s, p, c: "households"),
    # 一门受理: the site's application, a decided one, a document, a notice; the list is
    # district-wide: out of scope is another district's row.
    "application": ("application_id", lambda w, s, p, c: s.application.uuid),
    "decided": ("application_id", lambda w, s, p, c: s.decided.uuid),
    "document": ("document_id", lambda w, s, p, c: s.document.uuid),
    "notice": ("notice_id", lambda w, s, p, c: s.notice.uuid),
    "responsibility": (
        "responsibility_id",
        lambda w, s, p, c: (w.responsibility if c == "in" else w.alien_responsibility).uuid,
    ),
    "fmt": ("fmt", lambda w, s, p, c: "csv"),
}
# 政策找人 (outreach)
KWARGS.update(
    {
        "lead": ("lead_id", lambda w, s, p, c: s.lead.uuid),
        "flag": ("flag_id", lambda w, s, p, c: s.flag.uuid),
        "policy": ("policy_id", lambda w, s, p, c: s.policy.uuid),
        "policy_rule": ("rule_id", lambda w, s, p, c: s.policy_rule.uuid),
    }
)


def cases() -> Iterator[Any]:
    for check in MATRIX:
        for persona in PERSONAS:
            if not check.scoped:
                wanted = ["-"]
            elif persona == NO_AREA:
                wanted = ["out"]
            elif persona == ANON:
                wanted = ["in"]
            else:
                wanted = ["in", "out"]
            for case in wanted:
                yield pytest.param(
                    check, persona, case, id=f"{check.name}-{check.method}-{persona}-{case}"
                )


def _site_for(world: Any, persona: str, case: str) -> Any:
    key = OUT_SITE[persona] if case == "out" else IN_SITE[persona] or "home"
    return world.sites[key]


def _send(check: Check, world: Any, persona: str, case: str) -> Any:
    site = _site_for(world, persona, case)
    kwargs = {}
    if check.kind is not None:
        kwarg, value = KWARGS[check.kind]
        kwargs[kwarg] = value(world, site, persona, case)
    url = reverse(check.name, kwargs=kwargs)
    if check.query is not None:
        url += "?" + urlencode(check.query(world, site))
    body = check.body(world, site, persona) if check.body else {}
    user = world.people.get(persona)
    if check.api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if check.method == "get":
            response = client.get(url)
        else:
            fmt = "multipart" if check.multipart else "json"
            response = getattr(client, check.method)(url, body, format=fmt)
    else:
        client = Client()
        if user is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
        send = getattr(client, check.method)
        response = send(url, body) if check.method != "get" else send(url)
    # What the request itself carried may come back (an error naming a field's value).
    response.sent = url + " " + " ".join(str(v) for v in _flat(body))
    return response


def _flat(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _flat(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _flat(value)
    else:
        yield data


def _text_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if not any(t in kind for t in ("text/", "json", "csv")):
        return ""
    return content.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("check", "persona", "case"), list(cases()))
def test_permission_matrix(world: Any, check: Check, persona: str, case: str) -> None:
    response = _send(check, world, persona, case)
    wanted = check.expected(persona, case)
    where = f"{check.method.upper()} {check.name} as {persona} ({case} of scope)"
    if wanted == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}, not a login"
        assert response["Location"].startswith(reverse("login")), where
    else:
        assert response.status_code in wanted, f"{where}: {response.status_code}, expected {wanted}"
    # No answer (a page, an error, a file) shows anything of a site outside the scope.
    text = _text_of(response) + response.get("Location", "")
    for key in HIDDEN[persona]:
        leaked = [s for s in world.sites[key].secrets if s in text and s not in response.sent]
        assert not leaked, f"{where}: shows the {key} site's {leaked}"
    if persona == NO_AREA and response.status_code == 200 and "json" in response["Content-Type"]:
        body = response.json()
        if isinstance(body, dict) and "results" in body:
            assert body["results"] == [], f"{where}: a user with no area reads rows"
    if (
        response.status_code == 200
        and check.sees
        and case != "out"
        and persona in check.seen_by
        and IN_SITE[persona]
    ):
        site = _site_for(world, persona, case)
        missing = [s for s in check.sees(world, site, persona) if s not in text]
        assert not missing, f"{where}: does not show its own {missing}"


def _post_only() -> list[Any]:
    served = {r.name: r.methods for r in routes()}
    return [
        pytest.param(check, id=check.name)
        for check in {c.name: c for c in MATRIX}.values()
        if check.name in served and "get" not in served[check.name]
    ]


@pytest.mark.parametrize("check", _post_only())
def test_post_only_routes_refuse_get(world: Any, check: Check) -> None:
    """Mutations are POST only (STYLE 3.7): a GET changes nothing and is 405."""
    as_get = Check(check.name, kind=check.kind, query=check.query)
    assert _send(as_get, world, CASEWORKER, "in").status_code == 405
