"""Every route × every persona × an object in and out of its scope: who gets what.

The table below (`MATRIX`) holds one row per route and method of the URL configuration: the
kind of object its URL names, the body it is sent and, for the object in the persona's scope,
who is let through (`allow`), who sees the object but may not act (`forbid`: 403) and what
everyone else gets (`other`, 404 unless said). Out of scope is 404 for every object route,
and `out` says otherwise for routes whose scope comes in the body or the query.

Every response of every persona (a page, an error, a file, a redirect) is also searched for
the identifying text (addresses, names, phone numbers, UUIDs) of the sites outside its scope,
less what the request itself sent: none of it may come back. A user with no area reads empty
lists; a list in scope shows the persona's own site (`sees`), so an empty page cannot pass.

`test_every_route_is_in_the_matrix` walks `get_resolver()`: a route (or a method of one) added
without a row here fails the suite, naming it; so does a row whose route is gone.

Speed: the three sites are built once for the module inside a transaction that is rolled
back at its end; each case runs in a savepoint of it (pytest-django's `db`), so a case that
changes data leaves nothing behind for the next.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone
from django.views import View
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from cases import services as case_services
from cases.models import FollowUp, TierRule
from cases.photos import visit_photo_add
from core.ledgers import exports
from core.models import ExportJob, ImportBatch
from households import idnumber, ledger_import
from households.models import Area, User
from matching import services as matching_services
from matching import throttle
from resources import services as resource_services
from resources.models import Resource
from reviews.models import Standard
from tests import factories
from tests.cases.helpers import days_ago, visit
from tests.resources.fixtures import need as make_need
from tests.resources.fixtures import provider as make_provider
from tests.resources.fixtures import resource as make_resource

pytestmark = pytest.mark.django_db

# ---- personas, and the site each reads as in and out of its scope -----------------------

CASEWORKER = "caseworker"  # a social worker of the community (狮林社区)
VIEWER = "viewer"  # an auditor of the same community: reads, never writes
OUTSIDER = "outsider"  # a social worker of a community in the other street (南门社区)
SUPERVISOR = "supervisor"  # street staff of the caseworker's street (平江街道)
ADMIN = "admin"  # the district admin (姑苏区), who may reveal identity numbers
PROVIDER = "provider"  # the user of a provider of the community (乐龄社工服务社)
NO_AREA = "no_area"  # a social worker bound to no area
ANON = "anonymous"
PERSONAS = (CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR, ADMIN, PROVIDER, NO_AREA, ANON)

# Social workers, street staff and the district edit the registry and work on needs; the
# auditor reads; street staff and the district keep the pool and reassign follow-ups.
EDIT = frozenset({CASEWORKER, OUTSIDER, SUPERVISOR, ADMIN, NO_AREA})
VIEW = EDIT | {VIEWER}
ALL = VIEW | {PROVIDER}
KEEP = frozenset({SUPERVISOR, ADMIN})
# Read registry rows and have an area to read them in.
SCOPED = frozenset({CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR, ADMIN})
NOBODY: frozenset[str] = frozenset()
READERS = frozenset({VIEWER, ADMIN})  # of the access log

# The caseworker, viewer, supervisor and provider read the home site (狮林, street 平江);
# the outsider reads the far one (南门, street 沧浪); the admin reads the district, so its
# out-of-scope site is in another district (相城区). No area: nothing is in scope.
IN_SITE = {
    CASEWORKER: "home",
    VIEWER: "home",
    OUTSIDER: "far",
    SUPERVISOR: "home",
    ADMIN: "home",
    PROVIDER: "home",
    NO_AREA: None,
    ANON: "home",
}
OUT_SITE = {
    CASEWORKER: "far",
    VIEWER: "far",
    OUTSIDER: "home",
    SUPERVISOR: "far",
    ADMIN: "alien",
    PROVIDER: "far",
    NO_AREA: "home",
    ANON: "far",
}
HIDDEN = {
    CASEWORKER: {"far", "alien"},
    VIEWER: {"far", "alien"},
    OUTSIDER: {"home", "alien"},
    SUPERVISOR: {"far", "alien"},
    ADMIN: {"alien"},
    PROVIDER: {"far", "alien"},
    NO_AREA: {"home", "far", "alien"},
    ANON: {"home", "far", "alien"},
}

LOGIN = ("login",)  # a redirect to the login page
API_ANON = (401, 403)
TODAY = timezone.localdate()
MISSING = uuid.UUID("00000000-0000-4000-8000-000000000000")
UNSCOPED_KINDS = ("ledger", "fmt")


# ---- the rows of the matrix ---------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One route and method: what it is sent, and who gets what in and out of scope."""

    name: str
    method: str = "get"
    kind: str | None = None  # the object the URL names; None: no object in the URL
    allow: frozenset[str] = NOBODY
    forbid: frozenset[str] = NOBODY  # see the object, may not act: 403
    other: int = 404  # everyone else (in scope)
    gate: bool = False  # the role is checked before the lookup: 403 out of scope too
    ok: tuple[Any, ...] = ()  # what `allow` gets; default by method
    out: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # out of scope, per persona
    fixed: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # in and out, per persona
    site_bound: bool = False  # the body or query names the site's objects: in and out differ
    body: Callable[..., dict[str, Any]] | None = None
    query: Callable[..., dict[str, Any]] | None = None
    multipart: bool = False
    public: bool = False
    sees: Callable[[Any, Any, str], list[str]] | None = None  # what `seen_by` must get
    seen_by: frozenset[str] = SCOPED

    @property
    def api(self) -> bool:
        return self.name.startswith("api-")

    @property
    def object_kind(self) -> str | None:
        """The kind of scoped object the URL names (a ledger or a file format is not one)."""
        return None if self.kind in UNSCOPED_KINDS else self.kind

    @property
    def scoped(self) -> bool:
        return self.object_kind is not None or self.site_bound

    @property
    def success(self) -> tuple[Any, ...]:
        if self.ok:
            return self.ok
        if self.method == "get":
            return (200,)
        return (200, 201, 202, 400, 409) if self.api else (200, 302, 400)

    def expected(self, persona: str, case: str) -> tuple[Any, ...]:
        if persona in self.fixed:
            return self.fixed[persona]
        if persona == ANON:
            return self.success if self.public else API_ANON if self.api else LOGIN
        if persona in self.allow:
            inside: tuple[Any, ...] = self.success
        elif persona in self.forbid:
            inside = (403,)
        else:
            inside = (self.other,)
        if case != "out":
            return inside
        if persona in self.out:
            return self.out[persona]
        if self.object_kind is None or (self.gate and persona not in self.allow):
            return inside
        return (404,)


def every(personas: frozenset[str] | set[str], *codes: Any) -> dict[str, tuple[Any, ...]]:
    return dict.fromkeys(personas, codes)


def _page(name: str, kind: str | None = None, **kw: Any) -> Check:
    return Check(name, kind=kind, **kw)


def _post(name: str, kind: str | None = None, **kw: Any) -> Check:
    return Check(name, method="post", kind=kind, **kw)


# ---- bodies -------------------------------------------------------------------------------


def _head(name: str = "周建华") -> dict[str, Any]:
    return {
        "name": name,
        "id_number": factories.id_number(),
        "health": "healthy",
        "labour_capacity": "full",
    }


def household_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    head = _head()
    data = {
        "household-area": site.area.pk,
        "household-address": "矩阵新登记路1号",
        "household-phone": "",
        "household-note": "",
        **{f"head-{k}": v for k, v in head.items()},
        "head-phone": "",
        "head-disability_type": "",
        "head-disability_grade": "",
        "head-illness": "",
        "head-employment": "na",
        "head-schooling": "none",
        "head-monthly_income": "0",
    }
    return data


def household_edit_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    h = site.household
    return {
        "area": h.area_id,
        "address": h.address,
        "phone": "",
        "note": "矩阵",
        "version": h.version,
    }


def activity_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "kind": "case",
        "date": TODAY.isoformat(),
        "area": site.area.pk,
        "title": "矩阵个案",
        "sessions": 1,
        "attendees": 1,
        "person_times": 1,
    }


def provider_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"kind": "social_org", "name": "矩阵新机构", "area": site.area.pk, "active": "on"}


def area_pk(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"area": site.area.pk}


def campaign_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "name": "矩阵活动",
        "resource": site.goods.pk,
        "area": site.area.pk,
        "per_household": 1,
        "g1_category": "dibao",
    }


def help_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    phone = "13912340000"
    # The form is limited per address and phone; each case starts with a fresh count.
    cache.delete_many([throttle._key("ip", "127.0.0.1"), throttle._key("phone", phone)])
    return {
        "phone": phone,
        "area": w.sites["home"].area.pk,
        "type": "care",
        "subtype": "other",
        "website": "",
    }


def credentials(w: Any, site: Any, persona: str) -> dict[str, Any]:
    who = CASEWORKER if persona == ANON else persona
    return {"username": who, "password": f"pw-{who}"}


def ledger_export_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"households-format": "csv", "area": site.area.code}


def ledger_upload(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("台账.csv", w.template_csv, content_type="text/csv")}


def id_search(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"id_number": idnumber.decrypt(site.head.id_number_cipher)}


def bulk_decision(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"enrolment": [str(site.enrolment.uuid)], "decision": "approve", "reason": ""}


def bulk_reassign(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"followup": [str(site.followup.uuid)], "assignee": ""}


def _photo_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(out, "JPEG")
    return out.getvalue()


def photo_upload(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"kind": "housing", "photo": SimpleUploadedFile("p.jpg", _photo_bytes())}


def constant(**data: Any) -> Callable[..., dict[str, Any]]:
    return lambda w, site, persona: dict(data)


def versioned(kind: str, **data: Any) -> Callable[..., dict[str, Any]]:
    def body(w: Any, site: Any, persona: str) -> dict[str, Any]:
        obj = w.rule if kind == "rule" else getattr(site, kind)
        return {"version": obj.version, **data}

    return body


STANDARD_DATA = {
    "effective_date": "2030-01-01",
    "dibao": "1300",
    "tekun_basic": "1690",
    "tekun_care_full": "260",
    "tekun_care_partial": "780",
    "tekun_care_none": "1560",
    "dibian_factor": "1.5",
    "rigid_share": "50",
    "dibao_stable_months": "12",
    "dibao_unstable_months": "6",
    "tekun_months": "12",
    "dibian_months": "12",
    "zhichu_months": "12",
}


def standard_edit(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {**STANDARD_DATA, "version": w.standard.version}


def api_review(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"enrolment": str(site.enrolment.uuid), "outcome": "unchanged", "reason": "矩阵"}


def api_household(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"area": site.area.code, "address": "矩阵新登记路2号", "head": _head()}


def api_member(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"household": str(site.household.uuid), "relation": "child", **_head("王矩阵")}


def api_enrolment(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "household": str(site.household.uuid),
        "category": "linshi",
        "start_date": TODAY.isoformat(),
    }


def api_visit(w: Any, site: Any, persona: str) -> dict[str, Any]:
    at = timezone.now() - dt.timedelta(hours=1)
    return {"household": str(site.household.uuid), "method": "home", "visited_at": at.isoformat()}


def api_provider(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"kind": "social_org", "name": "矩阵机构", "area": site.area.code}


def api_resource(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "provider": str(site.provider.uuid),
        "kind": "service",
        "name": "矩阵服务",
        "area": site.area.code,
        "need_types": ["care"],
        "capacity": 3,
    }


def api_need(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"household": str(site.household.uuid), "type": "care", "subtype": "companionship"}


def api_area(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"area": site.area.code}


def api_referral(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"need": str(site.need.uuid), "resource": str(site.goods.uuid)}


def api_campaign(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "name": "矩阵活动",
        "resource": str(site.goods.uuid),
        "area": site.area.code,
        "groups": [{"category": "dibao"}],
    }


def api_verify(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"household": str(site.household.uuid)}


def api_export(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"format": "csv", "filters": {"area": site.area.code}}


def user_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "username": "matrix-new",
        "display_name": "矩阵新社工",
        "phone": "",
        "role": "social_worker",
        "area": site.area.pk,
    }


def user_edit_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "display_name": site.worker_name,
        "phone": "",
        "role": "social_worker",
        "area": site.area.pk,
    }


def area_form(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"parent": site.area.pk, "code": f"{site.area.code}009", "name": "矩阵网格"}


def api_user(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "username": "matrix-new",
        "display_name": "矩阵新社工",
        "role": "social_worker",
        "area": site.area.code,
    }


def api_area_new(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"parent": site.area.code, "code": f"{site.area.code}009", "name": "矩阵网格"}


def dashboard_area(w: Any, site: Any) -> dict[str, Any]:
    return {"area": site.area.code}


REASON = constant(reason="矩阵测试")

# ---- what allowed personas see of their own site on list pages --------------------------


def _address(w: Any, site: Any, persona: str) -> list[str]:
    return [site.household.address]


def _uuid(attr: str) -> Callable[[Any, Any, str], list[str]]:
    return lambda w, site, persona: [str(getattr(site, attr).uuid)]


def _text(attr: str) -> Callable[[Any, Any, str], list[str]]:
    return lambda w, site, persona: [getattr(site, attr)]


def _own_job(w: Any, site: Any, persona: str) -> list[str]:
    return [str(w.jobs[persona].uuid)]


# ---- the matrix ---------------------------------------------------------------------------

_404_FOR_ALL = every(ALL, 404)
_400_FOR_ALL = every(ALL, 400)

MATRIX: list[Check] = [
    # Public, and the session's own doors. The login page sends a signed-in user on; the
    # form signs in whoever gives a right password; logout is POST-only and for anyone.
    _page("login", public=True, allow=ALL, ok=(302,), fixed={ANON: (200,)}),
    _post("login", public=True, allow=ALL, ok=(302,), body=credentials),
    # FormView answers PUT as POST; the test client sends no form fields with it.
    Check("login", "put", public=True, allow=ALL, ok=(302,), fixed={ANON: (200,)}),
    _post("logout", public=True, allow=ALL, ok=(302,)),
    _post("api-token", public=True, allow=ALL, ok=(200,), body=credentials),
    # Token sign-out: the request's own token, or all of the user's.
    _post("api-logout", allow=ALL, ok=(204,)),
    _post("api-logout-all", allow=ALL, ok=(204,)),
    # ---- the user's own account. The form sent empty is refused, changing nothing; tokens
    # are their owner's alone: another user's is not found.
    _page("accounts:password_change", allow=ALL),
    _post("accounts:password_change", allow=ALL, ok=(200,)),
    Check("accounts:password_change", "put", allow=ALL, ok=(200,)),
    _page(
        "accounts:tokens", allow=ALL, sees=lambda w, site, p: [w.api_tokens[p].prefix], seen_by=ALL
    ),
    _post("accounts:token_revoke", "token", allow=ALL, ok=(302,)),
    _post("accounts:token_revoke_all", allow=ALL, ok=(302,)),
    _page("matching:help", public=True, allow=ALL),
    _post("matching:help", public=True, allow=ALL, ok=(302,), body=help_form),
    _page("matching:help_sent", public=True, allow=ALL),
    _page("healthz", public=True, allow=ALL),
    _page("service_worker", public=True, allow=ALL),
    _page("web_manifest", public=True, allow=ALL),
    # ---- the registry (pages)
    _page("households:home", allow=ALL, ok=(302,)),
    _page("households:list", allow=ALL, sees=_address),
    # Lookup by identity number (POST): in scope it finds the site's household, out of scope
    # nothing; a provider reads no households.
    _post(
        "households:id_search",
        allow=ALL,
        ok=(200,),
        site_bound=True,
        body=id_search,
        sees=_address,
    ),
    _page("households:create", allow=EDIT, forbid={VIEWER, PROVIDER}),
    _post(
        "households:create",
        allow=EDIT,
        forbid={VIEWER, PROVIDER},
        ok=(302,),
        site_bound=True,
        body=household_form,
        out=every(EDIT, 400),
        fixed={NO_AREA: (400,)},
    ),
    _page("households:detail", "household", allow=VIEW),
    _page("households:history", "household", allow=VIEW),
    _page("households:pdf", "household", allow=VIEW),
    _page("households:edit", "household", allow=EDIT, forbid={VIEWER}),
    _post("households:edit", "household", allow=EDIT, forbid={VIEWER}, body=household_edit_form),
    _page("households:member_add", "household", allow=EDIT, forbid={VIEWER}),
    _post("households:member_add", "household", allow=EDIT, forbid={VIEWER}),
    _page("households:enrolment_apply", "household", allow=EDIT, forbid={VIEWER}),
    _post("households:enrolment_apply", "household", allow=EDIT, forbid={VIEWER}),
    _page("households:member_edit", "member", allow=EDIT, forbid={VIEWER}),
    _post("households:member_edit", "member", allow=EDIT, forbid={VIEWER}),
    # Only a user granted the permission (the admin here) reveals a full number.
    _post(
        "households:member_reveal",
        "member",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        ok=(200,),
        body=constant(reason="核对低保申请材料"),
    ),
    _page("households:enrolments_pending", allow=ALL, sees=_address),
    _post(
        "households:enrolment_decide",
        "enrolment",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        body=constant(decision="approve", reason=""),
    ),
    # The ticked applications of the approvals page: a foreign one makes the whole POST a 404.
    _post(
        "households:enrolments_decide_bulk",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        site_bound=True,
        body=bulk_decision,
        out=every(SCOPED, 404),
    ),
    # ---- case work (pages)
    _page("cases:worklist", allow=VIEW, other=403),
    _page("cases:visit_log", "household", allow=EDIT, forbid={VIEWER}),
    _post("cases:visit_log", "household", allow=EDIT, forbid={VIEWER}),
    _page("cases:visit_detail", "visit", allow=VIEW),
    _page("cases:visit_pdf", "visit", allow=VIEW),
    _page("cases:visit_photo_add", "visit", allow=EDIT, forbid={VIEWER}),
    _post(
        "cases:visit_photo_add",
        "visit",
        allow=EDIT,
        forbid={VIEWER},
        body=photo_upload,
        multipart=True,
    ),
    _page("cases:visit_photo", "photo", allow=VIEW),
    # Only the visit's own worker settles its conflicts; the matrix's visit has no worker.
    _page("cases:visit_conflicts", "visit", allow=NOBODY, forbid=VIEW),
    _post("cases:visit_conflicts", "visit", allow=NOBODY, forbid=VIEW),
    # The phone's offline script asks for it: signed out, a 401 it can read, not a redirect.
    _page("cases:offline_state", allow=ALL, fixed={ANON: (401,)}),
    _page("cases:alert_create", "household", allow=EDIT, forbid={VIEWER}),
    _post(
        "cases:alert_create",
        "household",
        allow=EDIT,
        forbid={VIEWER},
        body=constant(kind="illness", occurred_on=TODAY.isoformat(), note=""),
    ),
    _post("cases:alert_resolve", "alert", allow=EDIT, forbid={VIEWER}),
    _page("cases:overdue", allow={SUPERVISOR, ADMIN, VIEWER}, other=403),
    _post(
        "cases:followup_reassign",
        "followup",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER},
        body=constant(assignee=""),
    ),
    # The ticked follow-ups of the working list: a foreign one makes the whole POST a 404.
    _post(
        "cases:followups_reassign_bulk",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER},
        site_bound=True,
        body=bulk_reassign,
        out=every(SCOPED, 404),
    ),
    _page("cases:tier_rules", allow={ADMIN}, other=403),
    _page("cases:tier_rule_create", allow={ADMIN}, other=403),
    _post("cases:tier_rule_create", allow={ADMIN}, other=403),
    _page("cases:tier_rule_edit", "rule", allow={ADMIN}, other=403, gate=True),
    _post("cases:tier_rule_edit", "rule", allow={ADMIN}, other=403, gate=True),
    _page("cases:activities", allow=VIEW, other=403, sees=_text("activity_title")),
    _page("cases:activity_create", allow=EDIT, other=403),
    _post(
        "cases:activity_create",
        allow=EDIT,
        other=403,
        ok=(302,),
        site_bound=True,
        body=activity_form,
        out=every(EDIT, 400),
        fixed={NO_AREA: (400,)},
    ),
    # ---- standards and reviews (pages). Everyone who reads the registry reads the standards
    # of their district; only the district admin keeps them; the auditor records no review.
    _page("reviews:due", allow=VIEW, other=403),
    _page("reviews:record", "enrolment", allow=EDIT, forbid={VIEWER}),
    _post(
        "reviews:record",
        "enrolment",
        allow=EDIT,
        forbid={VIEWER},
        body=versioned("enrolment", outcome="unchanged", reason="矩阵"),
    ),
    _page("reviews:standards", allow=VIEW, other=403),
    _page("reviews:standard_create", allow={ADMIN}, other=403),
    _post("reviews:standard_create", allow={ADMIN}, other=403, body=constant(**STANDARD_DATA)),
    _page(
        "reviews:standard_edit",
        "standard",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
    ),
    _post(
        "reviews:standard_edit",
        "standard",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        body=standard_edit,
    ),
    # ---- the resource pool (pages). A provider's user sees its own provider and resources.
    _page("resources:pool", allow=VIEW, other=403, sees=_text("service_name")),
    _page("resources:create", allow=KEEP, other=403),
    _post("resources:create", allow=KEEP, other=403),
    _page("resources:detail", "service", allow=ALL),
    _page("resources:edit", "service", allow=KEEP, forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER}),
    _post("resources:edit", "service", allow=KEEP, forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER}),
    _post(
        "resources:stock_receive",
        "goods",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        body=constant(quantity=1, note=""),
    ),
    _page("resources:providers", allow=VIEW, other=403, sees=_text("provider_name")),
    _page("resources:provider_create", allow=KEEP, other=403),
    _post(
        "resources:provider_create",
        allow=KEEP,
        other=403,
        ok=(302,),
        site_bound=True,
        body=provider_form,
        out=every(KEEP, 400),
    ),
    _page("resources:provider_detail", "provider", allow=ALL),
    _page(
        "resources:provider_edit",
        "provider",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
    ),
    _post(
        "resources:provider_edit",
        "provider",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
    ),
    # ---- needs and referrals (pages)
    _page("matching:inbox", allow=VIEW, other=403),
    _page("matching:inbox_verify", "request", allow=EDIT, forbid={VIEWER}),
    _post(
        "matching:inbox_verify",
        "request",
        allow=EDIT,
        forbid={VIEWER},
        body=lambda w, site, persona: {"household": str(site.household.uuid), "urgency": 2},
    ),
    _post("matching:inbox_discard", "request", allow=EDIT, forbid={VIEWER}, body=REASON),
    # The site's need has a referral: it is on the "in progress" tab.
    _page(
        "matching:needs",
        allow=VIEW,
        other=403,
        query=lambda w, site: {"tab": "active"},
        sees=_address,
    ),
    _page("matching:match_run", allow=EDIT, other=403),
    _post(
        "matching:match_run",
        allow=EDIT,
        other=403,
        ok=(302,),
        site_bound=True,
        body=area_pk,
        out=every(EDIT, 400),
        fixed={NO_AREA: (400,)},
    ),
    _page("matching:need_create", "household", allow=EDIT, forbid={VIEWER}),
    _post("matching:need_create", "household", allow=EDIT, forbid={VIEWER}),
    _page("matching:need", "need", allow=VIEW),
    _post("matching:need_refer", "need", allow=EDIT, forbid={VIEWER}),
    _post("matching:need_close", "need", allow=EDIT, forbid={VIEWER}, body=REASON),
    _page("matching:referrals", allow=VIEW, other=403),
    # A provider's user is sent to its portal before anything is looked up.
    _page("matching:referral", "referral", allow=VIEW, fixed={PROVIDER: (302,)}),
    _post("matching:referral_accept", "referral", allow=EDIT | {PROVIDER}, forbid={VIEWER}),
    _post(
        "matching:referral_decline",
        "referral",
        allow=EDIT | {PROVIDER},
        forbid={VIEWER},
        body=REASON,
    ),
    _post("matching:referral_deliver", "referral", allow=EDIT | {PROVIDER}, forbid={VIEWER}),
    _post("matching:referral_confirm", "referral", allow=EDIT, forbid={VIEWER, PROVIDER}),
    _post("matching:referral_close", "referral", allow=EDIT, forbid={VIEWER, PROVIDER}),
    _post(
        "matching:referral_cancel", "referral", allow=EDIT, forbid={VIEWER, PROVIDER}, body=REASON
    ),
    _page(
        "matching:portal", allow={PROVIDER}, other=403, sees=_address, seen_by=frozenset({PROVIDER})
    ),
    # The household's full phone: its provider's, while the referral is accepted.
    _page("matching:portal_phone", "accepted", allow={PROVIDER}, other=403, gate=True),
    _page("matching:campaigns", allow=VIEW, other=403, sees=_text("campaign_name")),
    _page("matching:campaign_create", allow=EDIT, other=403),
    _post(
        "matching:campaign_create",
        allow=EDIT,
        other=403,
        ok=(302,),
        site_bound=True,
        body=campaign_form,
        out=every(EDIT, 400),
        fixed={NO_AREA: (400,)},
    ),
    _page("matching:campaign", "campaign", allow=VIEW),
    # ---- dashboards: the area comes in the query; outside the user's scope it is 404.
    *[
        _page(
            f"dashboard:{name}",
            allow=SCOPED,
            site_bound=True,
            query=dashboard_area,
            out=_404_FOR_ALL,
        )
        for name in ("caseload", "casework", "needs")
    ],
    # ---- ledgers (pages). Jobs and import batches are their maker's alone.
    _page("ledgers:index", allow=SCOPED, other=403),
    _page("ledgers:downloads", allow=ALL, sees=_own_job, seen_by=ALL),
    _page("ledgers:download", "job", allow=ALL),
    _page("ledgers:job_status", "job", allow=ALL),
    # Refused up front to those who may not import, as its POST is.
    _page("ledgers:import", allow=EDIT - {NO_AREA}, other=403),
    _post("ledgers:import", allow=EDIT - {NO_AREA}, other=403, ok=(302,), body=ledger_upload),
    _page("ledgers:import_template", "fmt", allow=ALL),
    _page("ledgers:import_report", "batch", allow=ALL),
    _post(
        "ledgers:import_confirm",
        "batch",
        allow=EDIT - {NO_AREA},
        forbid={VIEWER, PROVIDER},
        ok=(302,),
    ),
    _page(
        "ledgers:rows",
        "ledger",
        allow=SCOPED,
        site_bound=True,
        query=dashboard_area,
        out=every(SCOPED, 404),  # an area out of scope is not found, as on dashboards
        sees=_address,
    ),
    _post(
        "ledgers:export",
        "ledger",
        allow=SCOPED,
        other=403,
        ok=(200,),
        site_bound=True,
        body=ledger_export_form,
        out=every(SCOPED, 404),  # an area out of scope is not found, as on dashboards
    ),
    # ---- the access log: auditors and district admins, each in its own area
    _page("audit:access_log", allow=READERS, other=403),
    _post("audit:access_log_export", allow=READERS, other=403, ok=(200,)),
    # By identity number (POST): in scope a redirect to the search by the household's UUID.
    _post(
        "audit:access_log_id_search",
        allow=READERS,
        other=403,
        ok=(302,),
        out=every(READERS, 302, 400),
        site_bound=True,
        body=id_search,
    ),
    # ---- keeping accounts and areas: street staff their street's social workers, the
    # district admin every account and area of the district. Others keep nothing.
    _page("manage:users", allow=KEEP, other=403, sees=_text("worker_name"), seen_by=KEEP),
    _page("manage:user_create", allow=KEEP, other=403),
    _post(
        "manage:user_create",
        allow=KEEP,
        other=403,
        ok=(200,),
        site_bound=True,
        body=user_form,
        out=every(KEEP, 400),
    ),
    _page("manage:user_edit", "worker", allow=KEEP),
    _post("manage:user_edit", "worker", allow=KEEP, ok=(302,), body=user_edit_form),
    _post("manage:user_deactivate", "worker", allow=KEEP, ok=(302,)),
    _page(
        "manage:areas",
        allow={ADMIN},
        other=403,
        sees=lambda w, site, persona: [site.area.code],
        seen_by=frozenset({ADMIN}),
    ),
    _page("manage:area_create", allow={ADMIN}, other=403),
    _post(
        "manage:area_create",
        allow={ADMIN},
        other=403,
        ok=(302,),
        site_bound=True,
        body=area_form,
        out=every({ADMIN}, 400),
    ),
    _page("manage:area_edit", "area", allow={ADMIN}, other=403, gate=True),
    _post(
        "manage:area_edit",
        "area",
        allow={ADMIN},
        other=403,
        gate=True,
        ok=(302,),
        body=constant(name="矩阵社区"),
    ),
    _page("api-accounts:user-list", allow=KEEP, other=403, sees=_text("worker_name"), seen_by=KEEP),
    _post(
        "api-accounts:user-list",
        allow=KEEP,
        other=403,
        ok=(201,),
        site_bound=True,
        body=api_user,
        out=every(KEEP, 400),
    ),
    _page("api-accounts:user-detail", "worker", allow=KEEP),
    Check(
        "api-accounts:user-detail",
        "patch",
        "worker",
        allow=KEEP,
        ok=(200,),
        body=constant(phone="1"),
    ),
    _post("api-accounts:user-deactivate", "worker", allow=KEEP, ok=(200,)),
    # ---- the registry API
    _page("api-households:area-list", allow=ALL, sees=lambda w, site, persona: [site.area.code]),
    _post(
        "api-households:area-list",
        allow={ADMIN},
        other=403,
        ok=(201,),
        site_bound=True,
        body=api_area_new,
        out=every({ADMIN}, 400),
    ),
    _page("api-households:area-detail", "area", allow=ALL),
    Check(
        "api-households:area-detail",
        "patch",
        "area",
        allow={ADMIN},
        forbid=ALL - {ADMIN},
        ok=(200,),
        body=constant(name="矩阵社区"),
    ),
    _page("api-households:household-list", allow=ALL, sees=_uuid("household")),
    _post(
        "api-households:household-list",
        allow=EDIT,
        forbid={VIEWER, PROVIDER},
        ok=(201,),
        site_bound=True,
        body=api_household,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    *[
        _post(
            f"api-households:{name}-search",
            allow=ALL,
            ok=(200,),
            site_bound=True,
            body=id_search,
            sees=_uuid(attr),
        )
        for name, attr in (("household", "household"), ("member", "head"))
    ],
    _page("api-households:household-detail", "household", allow=VIEW),
    Check(
        "api-households:household-detail",
        "patch",
        "household",
        allow=EDIT,
        forbid={VIEWER},
        ok=(200,),
        body=versioned("household", note="矩阵"),
    ),
    _page("api-households:member-list", allow=ALL, sees=_uuid("member")),
    # The household is named in the body, and looked up like one in the URL.
    _post(
        "api-households:member-list",
        allow=EDIT,
        forbid={VIEWER},
        site_bound=True,
        body=api_member,
        out=_404_FOR_ALL,
    ),
    _page("api-households:member-detail", "member", allow=VIEW),
    Check(
        "api-households:member-detail",
        "patch",
        "member",
        allow=EDIT,
        forbid={VIEWER},
        ok=(200,),
        body=versioned("member", illness=""),
    ),
    _post(
        "api-households:member-reveal-id-number",
        "member",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        ok=(200,),
        body=constant(reason="核对低保申请材料"),
    ),
    _page("api-households:enrolment-list", allow=ALL, sees=_uuid("enrolment")),
    _post(
        "api-households:enrolment-list",
        allow=EDIT,
        forbid={VIEWER},
        site_bound=True,
        body=api_enrolment,
        out=_404_FOR_ALL,
    ),
    _page("api-households:enrolment-detail", "enrolment", allow=VIEW),
    Check(
        "api-households:enrolment-detail",
        "patch",
        "enrolment",
        allow=EDIT,
        forbid={VIEWER},
        body=versioned("enrolment", reason="矩阵"),
    ),
    *[
        _post(
            f"api-households:enrolment-{step}",
            "enrolment",
            allow={ADMIN},
            forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        )
        for step in ("approve", "reject", "suspend", "end")
    ],
    # ---- the case-work API
    _page("api-cases:visit-list", allow=ALL, sees=_uuid("visit")),
    _post(
        "api-cases:visit-list",
        allow=EDIT,
        forbid={VIEWER},
        site_bound=True,
        body=api_visit,
        out=_404_FOR_ALL,
    ),
    _page("api-cases:visit-detail", "visit", allow=VIEW),
    _page("api-cases:followup-list", allow=ALL, sees=_uuid("followup")),
    _page("api-cases:followup-detail", "followup", allow=VIEW),
    _post(
        "api-cases:followup-reassign",
        "followup",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER},
        body=constant(assignee=CASEWORKER),
    ),
    _page("api-cases:tier-rule-list", allow={ADMIN}, other=403),
    _post("api-cases:tier-rule-list", allow={ADMIN}, other=403),
    _page("api-cases:tier-rule-detail", "rule", allow={ADMIN}, other=403, gate=True),
    Check(
        "api-cases:tier-rule-detail",
        "patch",
        "rule",
        allow={ADMIN},
        other=403,
        gate=True,
        body=versioned("rule"),
    ),
    # ---- the standards and reviews API
    _page("api-reviews:standard-list", allow=VIEW, other=403),
    _post("api-reviews:standard-list", allow={ADMIN}, other=403, body=constant(**STANDARD_DATA)),
    _page("api-reviews:standard-detail", "standard", allow=VIEW),
    Check(
        "api-reviews:standard-detail",
        "patch",
        "standard",
        allow={ADMIN},
        forbid={CASEWORKER, VIEWER, OUTSIDER, SUPERVISOR},
        body=standard_edit,
    ),
    _page("api-reviews:review-list", allow=VIEW, other=403),
    # The review names its enrolment in the body: a foreign one is a 404.
    _post(
        "api-reviews:review-list",
        allow=EDIT,
        forbid={VIEWER},
        site_bound=True,
        body=api_review,
        out=_404_FOR_ALL,
    ),
    # ---- the resource pool API
    _page(
        "api-resources:provider-list",
        allow=ALL,
        sees=_uuid("provider"),
        seen_by=SCOPED | {PROVIDER},
    ),
    _post(
        "api-resources:provider-list",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        ok=(201,),
        site_bound=True,
        body=api_provider,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _page("api-resources:provider-detail", "provider", allow=ALL),
    Check(
        "api-resources:provider-detail",
        "patch",
        "provider",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        body=versioned("provider", description="矩阵"),
    ),
    _page(
        "api-resources:resource-list", allow=ALL, sees=_uuid("service"), seen_by=SCOPED | {PROVIDER}
    ),
    _post(
        "api-resources:resource-list",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        ok=(201,),
        site_bound=True,
        body=api_resource,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _page("api-resources:resource-detail", "service", allow=ALL),
    Check(
        "api-resources:resource-detail",
        "patch",
        "service",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        body=versioned("service", description="矩阵"),
    ),
    _post(
        "api-resources:resource-stock-receive",
        "goods",
        allow=KEEP,
        forbid={CASEWORKER, VIEWER, OUTSIDER, PROVIDER},
        body=constant(quantity=1),
    ),
    # ---- the matching API
    _page("api-matching:need-list", allow=ALL, sees=_uuid("need")),
    _post(
        "api-matching:need-list",
        allow=EDIT,
        forbid={VIEWER},
        other=400,  # a provider reads no households: the one named is not found
        ok=(201,),
        site_bound=True,
        body=api_need,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _post(
        "api-matching:need-match",
        allow=EDIT,
        forbid={VIEWER, PROVIDER},
        ok=(201,),
        site_bound=True,
        body=api_area,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _page("api-matching:need-detail", "need", allow=VIEW),
    _page("api-matching:need-suggestions", "need", allow=VIEW),
    _post("api-matching:need-close", "need", allow=EDIT, forbid={VIEWER}, body=REASON),
    _post("api-matching:need-verify", "request", allow=EDIT, forbid={VIEWER}, body=api_verify),
    _post("api-matching:need-discard", "request", allow=EDIT, forbid={VIEWER}, body=REASON),
    _page(
        "api-matching:referral-list", allow=ALL, sees=_uuid("referral"), seen_by=SCOPED | {PROVIDER}
    ),
    _post(
        "api-matching:referral-list",
        allow=EDIT,
        forbid={VIEWER},
        site_bound=True,
        body=api_referral,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _page("api-matching:referral-detail", "referral", allow=VIEW | {PROVIDER}),
    *[
        _post(
            f"api-matching:referral-{step}",
            "referral",
            allow=EDIT | {PROVIDER},
            forbid={VIEWER},
            body=b,
        )
        for step, b in (("accept", None), ("decline", REASON), ("deliver", None))
    ],
    *[
        _post(
            f"api-matching:referral-{step}",
            "referral",
            allow=EDIT,
            forbid={VIEWER, PROVIDER},
            body=b,
        )
        for step, b in (("confirm", constant(outcome="met")), ("close", None), ("cancel", REASON))
    ],
    _page("api-matching:campaign-list", allow=ALL, sees=_uuid("campaign")),
    _post(
        "api-matching:campaign-list",
        allow=EDIT,
        forbid={VIEWER, PROVIDER},
        ok=(201,),
        site_bound=True,
        body=api_campaign,
        out=_400_FOR_ALL,
        fixed={NO_AREA: (400,)},
    ),
    _page("api-matching:campaign-detail", "campaign", allow=VIEW),
    # ---- the dashboard API
    *[
        _page(
            f"api-dashboard:{name}",
            allow=SCOPED,
            site_bound=True,
            query=dashboard_area,
            out=_404_FOR_ALL,
        )
        for name in (
            "caseload",
            "followups",
            "visits",
            "alerts",
            "services",
            "needs",
            "referrals",
            "resources",
        )
    ],
    _page("api-audit:access-log-list", allow=READERS, other=403),
    _post(
        "api-audit:access-log-search",
        allow=READERS,
        other=403,
        ok=(200,),
        site_bound=True,
        body=id_search,
    ),
    # ---- the ledger API
    _page("api-ledgers:ledger-list", allow=ALL),
    _page("api-ledgers:export-job-list", allow=ALL, sees=_own_job, seen_by=ALL),
    _page("api-ledgers:export-job", "job", allow=ALL),
    _page("api-ledgers:export-job-file", "job", allow=ALL),
    _post(
        "api-ledgers:import",
        allow=EDIT - {NO_AREA},
        other=403,
        ok=(201,),
        body=ledger_upload,
        multipart=True,
    ),
    _post("api-ledgers:import-commit", "batch", allow=EDIT - {NO_AREA}, forbid={VIEWER, PROVIDER}),
    _post(
        "api-ledgers:export",
        "ledger",
        allow=SCOPED,
        other=403,
        ok=(200,),
        site_bound=True,
        body=api_export,
        out=every(SCOPED, 404),  # an area out of scope is not found, as on dashboards
    ),
]

# ---- 一门受理 (applications/): its own block --------------------------------------------------
# Who handles an application (accept, ask for more, decide) is the department it is routed to
# or the district admin; 公示 and objections are the street's; the district keeps the list.

HANDLE = frozenset({ADMIN})
STREET = frozenset({SUPERVISOR, ADMIN})


def api_application(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {
        "household": str(site.household.uuid),
        "applicant": str(site.head.uuid),
        "category": "dibao",
        "channel": "window",
        "phone": "13900000001",
        "consent_given": True,
    }


ONE_WINDOW: list[Check] = [
    _page("applications:list", allow=ALL),
    _page("applications:take", "household", allow=EDIT, forbid={VIEWER}),
    _post("applications:take", "household", allow=EDIT, forbid={VIEWER}, ok=(400,)),
    _page("applications:detail", "application", allow=VIEW),
    _post("applications:document_add", "application", allow=EDIT, forbid={VIEWER}, ok=(302,)),
    _page("applications:document", "document", allow=VIEW),
    _page("applications:investigate", "application", allow=EDIT, forbid={VIEWER}),
    _post("applications:investigate", "application", allow=EDIT, forbid={VIEWER}, ok=(400,)),
    _post("applications:accept", "application", allow=HANDLE, forbid=VIEW - HANDLE, ok=(302,)),
    _post(
        "applications:request_more", "application", allow=HANDLE, forbid=VIEW - HANDLE, ok=(302,)
    ),
    _post("applications:objection", "application", allow=STREET, forbid=VIEW - STREET, ok=(302,)),
    _post("applications:approve", "application", allow=HANDLE, forbid=VIEW - HANDLE, ok=(302,)),
    _post("applications:reject", "application", allow=HANDLE, forbid=VIEW - HANDLE, ok=(302,)),
    _post("applications:notice_sent", "application", allow=STREET, forbid=VIEW - STREET, ok=(302,)),
    _post("applications:move", "application", allow=EDIT, forbid={VIEWER}, ok=(302,)),
    _page("applications:decision_pdf", "decided", allow=VIEW),
    _page("applications:household_file", "household", allow=VIEW),
    _page("applications:notices", allow=ALL),
    _page("applications:notice_create", "area", allow=STREET, other=403, gate=True),
    _post("applications:notice_create", "area", allow=STREET, other=403, gate=True, ok=(400,)),
    _page("applications:notice", "notice", allow=VIEW),
    _page("applications:notice_pdf", "notice", allow=VIEW),
    _page("applications:responsibilities", allow=VIEW, other=403),
    _page("applications:responsibility_create", allow={ADMIN}, other=403),
    _post("applications:responsibility_create", allow={ADMIN}, other=403, ok=(400,)),
    _page(
        "applications:responsibility_edit",
        "responsibility",
        allow={ADMIN},
        forbid=VIEW - {ADMIN},
    ),
    _post(
        "applications:responsibility_edit",
        "responsibility",
        allow={ADMIN},
        forbid=VIEW - {ADMIN},
        ok=(400,),
    ),
    _page("applications:calendar", allow=VIEW, other=403),
    _post("applications:calendar", allow={ADMIN}, other=403, ok=(302,)),
    _page("applications:portal", allow={PROVIDER}, other=403),
    _page("applications:lookup", public=True, allow=ALL),
    _post("applications:lookup", public=True, allow=ALL, ok=(400,)),
    _page("api-applications:application-list", allow=ALL),
    _post(
        "api-applications:application-list",
        allow=EDIT - {NO_AREA},
        forbid={VIEWER},
        ok=(201,),
        site_bound=True,
        body=api_application,
        out=every(SCOPED, 404),  # a household out of scope is not found
    ),
    _page("api-applications:application-detail", "application", allow=VIEW),
    _post(
        "api-applications:application-accept",
        "application",
        allow=HANDLE,
        forbid=VIEW - HANDLE,
        ok=(200,),
    ),
    _page("api-applications:responsibility-list", allow=VIEW, other=403),
    _page("api-applications:notice-list", allow=ALL),
    _post("api-applications:application-lookup", public=True, allow=ALL, ok=(400,)),
]
MATRIX += ONE_WINDOW


def _one_window(areas: SimpleNamespace, sites: dict[str, SimpleNamespace]) -> dict[str, Any]:
    """Each district's department and responsibility list; each site's application (received),
    a decided one, a document and a notice."""
    from applications import services as window_services
    from applications.models import Application, Notice
    from households.models import Category

    alien_district = Area.objects.get(code="320507000000")
    admins = {
        district.code: factories.user(
            f"window-admin-{district.code}", role=User.Role.DISTRICT_ADMIN, area=district
        )
        for district in (areas.district, alien_district)
    }
    rows = {}
    for code, admin in admins.items():
        department = make_provider(area=admin.area, kind="government", name=f"民政局{code[:6]}")
        rows[code] = window_services.responsibility_create(
            actor=admin,
            category=Category.objects.get(code="dibao"),
            data={"department": department},
        )
    for site in sites.values():
        take = {
            "actor": site.worker,
            "household": site.household,
            "applicant": site.head,
            "category": Category.objects.get(code="dibao"),
            "channel": "window",
            "phone": "13900000002",
            "consent_given": True,
        }
        site.application = window_services.application_take(**take)
        site.decided = window_services.application_take(**take)
        Application.objects.filter(pk=site.decided.pk).update(status="approved", decided_on=TODAY)
        site.document = window_services.document_add(
            actor=site.worker,
            application=site.application,
            upload=SimpleUploadedFile("d.jpg", _photo_bytes()),
            kind="id_card",
        )
        site.notice = Notice.objects.create(
            community=site.area,
            area_code=site.area.prefix,
            start=TODAY,
            end=TODAY + dt.timedelta(days=6),
            hotline="0512-0000",
            published_by=site.worker,
        )
        site.notice.applications.add(site.application)
        site.secrets += [str(o.uuid) for o in (site.application, site.decided, site.notice)]
        site.secrets += [site.application.reference]
    return {
        "responsibility": rows[areas.district.code],
        "alien_responsibility": rows[alien_district.code],
    }


# Not in the matrix, on purpose: Django's admin (its own permission system), the language
# switch, the schema and its docs (tests/test_schema.py), static files and DRF's format
# suffixes (none are mounted; they would be skipped like the rest).
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = ("set_language", "api-schema", "api-docs")


# ---- the routes of the URL configuration ------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]


def _methods(callback: Any) -> tuple[str, ...]:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return ("get", "post")
    names = getattr(view, "http_method_names", View.http_method_names)
    return tuple(m for m in names if m not in ("options", "head") and hasattr(view, m))


def routes(resolver: URLResolver | None = None) -> list[Route]:
    """Every named route the resolver serves, less the ones skipped on purpose."""
    found: list[Route] = []

    def walk(node: URLResolver, prefix: str, namespace: str) -> None:
        for entry in node.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                if ns.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                suffix = "format" in entry.pattern.regex.groupindex  # DRF's .json variants
                if suffix or entry.callback.__module__ == "django.views.static":
                    continue
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or pattern)
                if name in SKIPPED_NAMES:
                    continue
                found.append(Route(name, pattern, _methods(entry.callback)))

    walk(resolver or get_resolver(), "", "")
    return found


def matrix_gaps(resolver: URLResolver | None = None) -> list[str]:
    """What the matrix misses of the URL configuration (and rows with no route)."""
    served = {(r.name, m) for r in routes(resolver) for m in r.methods}
    tested = {(c.name, c.method) for c in MATRIX}
    gaps = [
        f"{name} {method.upper()}: add it to the permission matrix"
        for name, method in sorted(served - tested)
    ]
    gaps += [
        f"{name} {method.upper()}: in the permission matrix but not served; remove it"
        for name, method in sorted(tested - served)
    ]
    return gaps


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


# ---- the world: three sites, the personas, their jobs -------------------------------------

SITE_TEXT = {
    "home": {
        "address": "狮林寺巷28号",
        "head_name": "王德福",
        "member_name": "王小虎",
        "phone": "051265110001",
        "request_phone": "13911110001",
        "provider_name": "乐龄社工服务社",
        "service_name": "狮林居家保洁",
        "goods_name": "狮林棉被",
        "campaign_name": "狮林寒冬送温暖",
        "activity_title": "狮林个案服务",
        "worker_name": "狮林社工陈晓",
    },
    "far": {
        "address": "南门路1号",
        "head_name": "李南山",
        "member_name": "李小南",
        "phone": "051265220002",
        "request_phone": "13922220002",
        "provider_name": "南门志愿队",
        "service_name": "南门助餐",
        "goods_name": "南门米面",
        "campaign_name": "南门敬老慰问",
        "activity_title": "南门小组活动",
        "worker_name": "南门社工林岚",
    },
    "alien": {
        "address": "相城大道99号",
        "head_name": "赵相城",
        "member_name": "赵小相",
        "phone": "051265330003",
        "request_phone": "13933330003",
        "provider_name": "相城慈善会",
        "service_name": "相城送餐",
        "goods_name": "相城冬衣",
        "campaign_name": "相城冬衣发放",
        "activity_title": "相城社区活动",
        "worker_name": "相城社工赵岩",
    },
}


def _site(key: str, *, community: Area, household_area: Area) -> SimpleNamespace:
    text = SITE_TEXT[key]
    household = factories.household(
        area=household_area,
        address=text["address"],
        phone=text["phone"],
        head={"name": text["head_name"]},
    )
    member = factories.member(household=household, name=text["member_name"], relation="child")
    provider = make_provider(area=community, name=text["provider_name"])
    service = make_resource(provider=provider, area=community, name=text["service_name"])
    goods = make_resource(
        provider=provider,
        area=community,
        kind=Resource.Kind.GOODS,
        name=text["goods_name"],
        need_types=["survival"],
        need_subtypes=["goods"],
        stock=10,
        unit="件",
    )
    need = make_need(household=household)
    site = SimpleNamespace(
        key=key,
        area=community,
        household=household,
        head=household.head,
        member=member,
        enrolment=factories.enrolment(household=household, approve=False),
        visit=visit(household=household, actor=None, on=days_ago(3)),
        alert=case_services.hardship_alert_record(
            actor=None, household=household, kind="illness", occurred_on=TODAY
        ),
        need=need,
        request=matching_services.help_request_submit(
            phone=text["request_phone"], area=community, type="care", subtype="other"
        ),
        provider=provider,
        service=service,
        goods=goods,
        referral=matching_services.referral_propose(actor=None, need=need, resource=service),
        accepted=matching_services.referral_accept(
            actor=None,
            referral=matching_services.referral_propose(
                actor=None,
                need=make_need(household=household, type="survival", subtype="goods"),
                resource=goods,
            ),
        ),
        campaign=matching_services.campaign_run(
            actor=None,
            name=text["campaign_name"],
            resource=goods,
            area=community,
            groups=[{"category": "tekun"}],
        ),
        activity=case_services.service_activity_record(
            actor=None, kind="case", date=TODAY, area=community, title=text["activity_title"]
        ),
        # A social worker of the site, for the pages that keep accounts.
        worker=factories.user(
            f"site-worker-{key}",
            role=User.Role.SOCIAL_WORKER,
            area=community,
            display_name=text["worker_name"],
        ),
        **text,
    )
    site.photo = visit_photo_add(
        actor=None,
        visit=site.visit,
        upload=SimpleUploadedFile("p.jpg", _photo_bytes()),
        kind="housing",
    )
    return site


def _secrets(site: SimpleNamespace) -> list[str]:
    """What identifies the site's people and objects: none of it may reach an outsider."""
    text = [v for k, v in SITE_TEXT[site.key].items()]
    objects = [
        site.household,
        site.head,
        site.member,
        site.enrolment,
        site.visit,
        site.followup,
        site.alert,
        site.need,
        site.request,
        site.provider,
        site.service,
        site.goods,
        site.referral,
        site.accepted,
        site.photo,
        site.campaign,
    ]
    return text + [str(obj.uuid) for obj in objects]


def _areas() -> SimpleNamespace:
    """The tree of tests/conftest.py, and a second district for the admin to be out of."""
    level = Area.Level
    district = factories.area("320506000000", "姑苏区", level.DISTRICT)
    street = factories.area("320506001000", "平江街道", level.STREET, district)
    community = factories.area("320506001001", "狮林社区", level.COMMUNITY, street)
    grid = factories.area("320506001001001", "狮林一网格", level.GRID, community)
    other_street = factories.area("320506002000", "沧浪街道", level.STREET, district)
    far = factories.area("320506002001", "南门社区", level.COMMUNITY, other_street)
    alien_district = factories.area("320507000000", "相城区", level.DISTRICT)
    alien_street = factories.area("320507001000", "元和街道", level.STREET, alien_district)
    alien = factories.area("320507001001", "御窑社区", level.COMMUNITY, alien_street)
    return SimpleNamespace(
        district=district, street=street, community=community, grid=grid, far=far, alien=alien
    )


def _people(areas: SimpleNamespace) -> dict[str, User]:
    """The personas of tests/conftest.py, and a clerk whose jobs nobody else may read."""
    role = User.Role
    people = {
        CASEWORKER: factories.user(CASEWORKER, role=role.SOCIAL_WORKER, area=areas.community),
        VIEWER: factories.user(VIEWER, role=role.AUDITOR, area=areas.community),
        OUTSIDER: factories.user(OUTSIDER, role=role.SOCIAL_WORKER, area=areas.far),
        SUPERVISOR: factories.user(SUPERVISOR, role=role.STREET_STAFF, area=areas.street),
        ADMIN: factories.user(ADMIN, role=role.DISTRICT_ADMIN, area=areas.district),
        PROVIDER: factories.user(PROVIDER, role=role.PROVIDER, area=areas.community),
        NO_AREA: factories.user(NO_AREA, role=role.SOCIAL_WORKER, area=None),
        "clerk": factories.user("clerk", role=role.SOCIAL_WORKER, area=areas.community),
    }
    people[ADMIN].user_permissions.add(Permission.objects.get(codename="reveal_id_number"))
    return people


def _export_job(user: User) -> ExportJob:
    job = ExportJob.objects.create(
        actor=user,
        ledger="households",
        format=ExportJob.Format.CSV,
        status=ExportJob.Status.DONE,
        file_name=f"{uuid.uuid4()}.csv",
        row_count=0,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    exports.export_path(job).parent.mkdir(parents=True, exist_ok=True)
    exports.export_path(job).write_bytes("\ufeff区划代码\n".encode())
    return job


def _import_batch(user: User, source: Any) -> ImportBatch:
    batch = ledger_import.ledger_import_validate(
        actor=None, source=source, original_name="台账.csv"
    )
    ImportBatch.objects.filter(pk=batch.pk).update(actor=user)
    return batch


def _standard(district: Area) -> Standard:
    return Standard.objects.create(
        district=district,
        effective_date=dt.date(2026, 1, 1),
        dibao=1195,
        tekun_basic=1554,
        tekun_care_full=250,
        tekun_care_partial=750,
        tekun_care_none=1500,
    )


def _sessions(people: dict[str, User]) -> dict[str, str]:
    """A signed-in session per persona, made once: each case only sends its cookie."""
    keys = {}
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        keys[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def _build(media: Any) -> SimpleNamespace:
    areas = _areas()
    people = _people(areas)
    sites = {
        "home": _site("home", community=areas.community, household_area=areas.grid),
        "far": _site("far", community=areas.far, household_area=areas.far),
        "alien": _site("alien", community=areas.alien, household_area=areas.alien),
    }
    resource_services.provider_account_link(
        actor=None, provider=sites["home"].provider, user=people[PROVIDER]
    )
    case_services.followups_schedule()
    for site in sites.values():
        site.followup = FollowUp.objects.get(household=site.household, status="open")
        site.secrets = _secrets(site)
    one_window = _one_window(areas, sites)
    template = ledger_import.ledger_template_csv()
    source = media / "template.csv"
    source.write_bytes(template)
    return SimpleNamespace(
        areas=areas,
        people=people,
        sessions=_sessions(people),
        sites=sites,
        rule=TierRule.objects.order_by("id").first(),
        standard=_standard(areas.district),
        alien_standard=_standard(Area.objects.get(code="320507000000")),
        jobs={name: _export_job(user) for name, user in people.items()},
        batches={name: _import_batch(user, source) for name, user in people.items()},
        api_tokens={name: api_token_issue(actor=user)[0] for name, user in people.items()},
        template_csv=template,
        **one_window,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        yield _build(media)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def replica_is_default() -> Iterator[None]:
    """Dashboards and exports read through the "replica" alias: let it see this test's rows
    (as tests/dashboard/conftest.py does; set per test, after pytest-django's set-up)."""
    original = connections["replica"]
    connections["replica"] = connections["default"]
    yield
    connections["replica"] = original


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
