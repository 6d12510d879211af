"""The hand-written table: the personas, the bodies each route is sent, and one row per
route and method saying who gets what in and out of scope."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from households import idnumber
from matching import throttle
from tests import factories

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


def _outreach_rule_body(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"p_min_age": "60", "p_max_age": "120", "active": "on", "version": 1}


def _outreach_api_rule(w: Any, site: Any, persona: str) -> dict[str, Any]:
    return {"policy": str(site.policy.uuid), "code": "lives_alone"}


_AGE = lambda w, site: {"code": "age"}  # noqa: E731 — the rule kind the create page asks for
_NOT_KEEPERS = frozenset({CASEWORKER, VIEWER, OUTSIDER})

MATRIX.extend(
    [
        # Pages: leads and flags read as empty lists where nothing is visible.
        _page("outreach:leads", allow=ALL),
        _post("outreach:lead_act", "lead", allow=EDIT, forbid={VIEWER}),
        _post("outreach:lead_dismiss", "lead", allow=EDIT, forbid={VIEWER}, body=REASON),
        _page("outreach:flags", allow=ALL),
        _post(
            "outreach:flag_resolve",
            "flag",
            allow=EDIT,
            forbid={VIEWER},
            body=constant(note="矩阵"),
        ),
        # The policies' rules: read by the registry's readers, kept by the pool's keepers.
        _page("outreach:policies", allow=VIEW, other=403),
        _page("outreach:rule_create", "policy", allow=KEEP, forbid=_NOT_KEEPERS, query=_AGE),
        _post(
            "outreach:rule_create",
            "policy",
            allow=KEEP,
            forbid=_NOT_KEEPERS,
            query=_AGE,
            body=_outreach_rule_body,
        ),
        _page("outreach:rule_edit", "policy_rule", allow=KEEP, forbid=_NOT_KEEPERS),
        _post(
            "outreach:rule_edit",
            "policy_rule",
            allow=KEEP,
            forbid=_NOT_KEEPERS,
            body=_outreach_rule_body,
        ),
        # The API.
        _page("api-outreach:policy-rule-list", allow=ALL),
        _post(
            "api-outreach:policy-rule-list",
            allow=KEEP,
            forbid=_NOT_KEEPERS,
            site_bound=True,
            body=_outreach_api_rule,
            out=_404_FOR_ALL,
        ),
        _page("api-outreach:policy-rule-detail", "policy_rule", allow=VIEW),
        Check(
            "api-outreach:policy-rule-detail",
            "patch",
            "policy_rule",
            allow=KEEP,
            forbid=_NOT_KEEPERS,
            body=constant(active=False, version=1),
        ),
        _page("api-outreach:lead-list", allow=ALL),
        _page("api-outreach:lead-detail", "lead", allow=VIEW),
        _post("api-outreach:lead-act", "lead", allow=EDIT, forbid={VIEWER}),
        _post("api-outreach:lead-dismiss", "lead", allow=EDIT, forbid={VIEWER}, body=REASON),
        _page("api-outreach:exit-flag-list", allow=ALL),
        _post(
            "api-outreach:exit-flag-resolve",
            "flag",
            allow=EDIT,
            forbid={VIEWER},
            body=constant(note="矩阵"),
        ),
    ]
)


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
    # The steps after acceptance, as the pages': an empty body is a 400 for whoever may act.
    *(
        _post(
            f"api-applications:application-{step}",
            "application",
            allow=HANDLE,
            forbid=VIEW - HANDLE,
            ok=(400,),
        )
        for step in ("request-more", "approve", "reject")
    ),
    _post(
        "api-applications:application-investigate",
        "application",
        allow=EDIT,
        forbid={VIEWER},
        ok=(400,),
    ),
    _post(
        "api-applications:application-objection",
        "application",
        allow=STREET,
        forbid=VIEW - STREET,
        ok=(400,),
    ),
    _post(
        "api-applications:application-notice-sent",
        "application",
        allow=STREET,
        forbid=VIEW - STREET,
        ok=(400,),  # the site's application is not refused
    ),
    _page("api-applications:responsibility-list", allow=VIEW, other=403),
    _page("api-applications:notice-list", allow=ALL),
    _post("api-applications:notice-list", allow=STREET, other=403, ok=(400,)),
    _post("api-applications:application-lookup", public=True, allow=ALL, ok=(400,)),
]
MATRIX += ONE_WINDOW
