"""The world the matrix runs in: three sites (home, far, alien), the personas and their jobs,
built once per test module."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client, override_settings
from django.utils import timezone

from accounts.services import api_token_issue
from cases import services as case_services
from cases.models import FollowUp, TierRule
from cases.photos import visit_photo_add
from households import ledger_import
from households.models import Area, User
from ledgers import exports
from ledgers.models import ExportJob, ImportBatch
from matching import services as matching_services
from resources import services as resource_services
from resources.models import Resource
from reviews.models import Standard
from tests import factories
from tests.factories import days_ago, visit
from tests.factories import need as make_need
from tests.factories import provider as make_provider
from tests.factories import resource as make_resource
from tests.permission_matrix.table import (
    ADMIN,
    CASEWORKER,
    NO_AREA,
    OUTSIDER,
    PROVIDER,
    SUPERVISOR,
    TODAY,
    VIEWER,
    _photo_bytes,
)

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
    _outreach_objects(sites)
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


def _outreach_objects(sites: dict[str, SimpleNamespace]) -> None:
    """A policy of each site's pool with one rule, a lead of the site's member for it, and a
    应退尽退 flag on the site's enrolment; their UUIDs are the site's secrets too."""
    from outreach import services as outreach_services
    from outreach.models import ExitFlag, Lead

    for site in sites.values():
        site.policy = make_resource(
            provider=site.provider,
            area=site.area,
            kind=Resource.Kind.POLICY,
            name="矩阵护理补贴",
            need_types=["care"],
            need_subtypes=["daily_care"],
            capacity=None,
        )
        site.policy_rule = outreach_services.policy_rule_create(
            actor=None, policy=site.policy, code="age", params={"min_age": 60}
        )
        home = site.household
        site.lead = Lead.objects.create(
            policy=site.policy,
            household=home,
            member=site.member,
            area_code=home.area_code,
            reason="矩阵线索",
            fingerprint="matrix",
            found_on=TODAY,
        )
        site.flag = ExitFlag.objects.create(
            enrolment=site.enrolment,
            household=home,
            area_code=home.area_code,
            kind=ExitFlag.Kind.INCOME_ABOVE,
            reason="矩阵提示",
            fingerprint="matrix",
            found_on=TODAY,
        )
        objects = (site.policy, site.policy_rule, site.lead, site.flag)
        site.secrets += [str(obj.uuid) for obj in objects]


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
