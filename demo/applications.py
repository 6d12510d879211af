"""Demo 一门受理: the district's responsibility list, a department user, and a handful of
applications at every step, on the first community's households.

Made through the services (a few dozen rows, so speed is no concern), each step on its own
day: the services read the day from applications.services._common.today, which is set here
for each step, so that the clock shows applications in time, near their limit and past it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications import services
from applications.models import Application, Responsibility
from applications.services import _common
from core.errors import ApplicationError
from demo.setup import DEMO_PASSWORD
from households.models import Area, Category, Household, User
from households.selectors import household_qs_visible_to
from resources.models import Provider, ProviderAccount

DEPARTMENT = "姑苏区民政局"
DEPARTMENT_USER = "dept"
HOTLINE = "0512-65220000"


@contextmanager
def _on(day: dt.date) -> Iterator[None]:
    with mock.patch.object(_common, "today", return_value=day):
        yield


def _workdays_back(today: dt.date, n: int) -> dt.date:
    from applications import workdays

    day = today
    while n:
        day -= dt.timedelta(days=1)
        n -= workdays.is_workday(day)
    return day


def seed_applications(*, today: dt.date, seed: int = 1) -> Counter[str]:
    """Once per database: skipped when the district already has a responsibility list.

    Deterministic like the rest of the demo: the services draw random UUIDs and reference
    numbers, so those of the rows made here are replaced by ones derived from the seed.
    """
    district = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    admin = User.objects.filter(username="admin", role=User.Role.DISTRICT_ADMIN).first()
    street = User.objects.filter(username="street", role=User.Role.STREET_STAFF).first()
    worker = User.objects.filter(username="worker", role=User.Role.SOCIAL_WORKER).first()
    if None in (district, admin, street, worker):
        return Counter()
    if Responsibility.objects.filter(district=district).exists():
        return Counter()
    department = _department(district)
    for category in Category.objects.all():
        services.responsibility_create(
            actor=admin,
            category=category,
            data={"department": department, "steps": _STEPS[category.code]},
        )
    # Households of the street with no 低保, 低边 or 特困 granted or pending, so that a
    # decision can stand.
    homes = list(
        household_qs_visible_to(actor=street)
        .filter(head__isnull=False, status=Household.Status.ACTIVE)
        .exclude(
            enrolments__status__in=["applied", "approved", "suspended"],
            enrolments__category__in=["dibao", "dibian", "tekun"],
        )
        .select_related("area", "head")
        .order_by("id")[: len(_STORIES)]
    )
    counts: Counter[str] = Counter(responsibilities=Category.objects.count())
    for home, story in zip(homes, _STORIES, strict=False):
        try:
            with transaction.atomic():
                story(
                    home, today=today, worker=_worker_of(home, worker), street=street, admin=admin
                )
        except (ValidationError, ApplicationError):
            continue
        counts["applications"] += 1
    _settle_identifiers(seed)
    return counts


def _settle_identifiers(seed: int) -> None:
    """UUIDs and reference numbers from the seed and the order the rows were made in."""
    from applications.models import Investigation, Notice
    from households.models import Enrolment

    def derived(kind: str, n: int) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"zhulian-demo/{seed}/applications/{kind}/{n}")

    applications = list(Application.objects.order_by("id"))
    for n, app in enumerate(applications):
        reference = f"SQ{app.received_on:%y%m%d}{derived('reference', n).int % 10**6:06d}"
        Application.objects.filter(pk=app.pk).update(uuid=derived("application", n))
        Application.objects.filter(pk=app.pk).update(reference=reference)
    enrolments = [a.enrolment_id for a in applications if a.enrolment_id]
    for model, kind, ids in (
        (Enrolment, "enrolment", enrolments),
        (Investigation, "investigation", None),
        (Notice, "notice", None),
    ):
        rows = model.objects.order_by("id")
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        for n, pk in enumerate(rows.values_list("pk", flat=True)):
            model.objects.filter(pk=pk).update(uuid=derived(kind, n))


def _worker_of(home: Household, fallback: User) -> User:
    """A social worker of the household's community (its grid's parent)."""
    community = home.area.parent if home.area.level == Area.Level.GRID else home.area
    found = (
        User.objects.filter(role=User.Role.SOCIAL_WORKER, area=community, is_active=True)
        .order_by("username")
        .first()
    )
    return found or fallback


def _department(district: Area) -> Provider:
    department = Provider.objects.filter(name=DEPARTMENT, kind=Provider.Kind.GOVERNMENT).first()
    if department is None:
        from resources import services as resource_services

        department = resource_services.provider_create(
            actor=None, kind=Provider.Kind.GOVERNMENT, name=DEPARTMENT, area=district
        )
    user, _created = User.objects.get_or_create(
        username=DEPARTMENT_USER,
        defaults={
            "role": User.Role.PROVIDER,
            "area": district,
            "display_name": "民政局经办人",
            "password": make_password(DEMO_PASSWORD),
        },
    )
    ProviderAccount.objects.get_or_create(user=user, defaults={"provider": department})
    return department


_STEPS = {
    "dibao": "街道受理 → 入户调查（两人以上）→ 社区公示 7 天 → 区民政局审批",
    "dibian": "街道受理 → 入户调查 → 区民政局认定（不公示）",
    "tekun": "街道受理 → 入户调查 → 社区公示 7 天 → 区民政局审批",
    "zhichu": "街道受理 → 入户调查 → 区民政局认定（不公示）",
    "linshi": "街道受理 → 核实 → 审批（急难可先行救助）",
}


def _take(home: Household, worker: User, category: str, day: dt.date, channel: str) -> Application:
    with _on(day):
        app = services.application_take(
            actor=worker,
            household=home,
            applicant=home.head,
            category=Category.objects.get(code=category),
            channel=channel,
            phone="13800000000",
            consent_given=True,
            reason=_REASONS[category],
        )
    # The consent was signed at the window that day, not when the demo was made.
    signed = dt.datetime.combine(day, dt.time(9, 30), tzinfo=timezone.get_current_timezone())
    Application.objects.filter(pk=app.pk).update(consent_at=signed)
    return app


_REASONS = {
    "dibao": "户主失业，配偶患慢性病，家庭收入低于低保标准",
    "dibian": "家庭收入略高于低保标准，子女上学支出大",
    "tekun": "独居老人，无劳动能力，无法定赡养人",
    "zhichu": "家庭成员重病住院，医疗自付费用高",
    "linshi": "突发火灾，住房受损",
}


def _accepted(app: Application, admin: User, day: dt.date) -> Application:
    with _on(day):
        return services.application_accept(actor=admin, application=app)


def _investigated(app: Application, worker: User, street: User, day: dt.date, income: str):
    size = app.household.members.filter(status="active").count() or 1
    with _on(day):
        services.investigation_record(
            actor=worker,
            application=app,
            investigators=[worker, street],
            data={
                "visited_on": day,
                "household_size": size,
                "monthly_income": Decimal(income),
                "assets": Decimal("8000"),
                "rigid_spending": Decimal("600"),
                "findings": "住房为公房，家中无车辆，户主身体欠佳",
                "paper_signed": True,
            },
        )
    app.refresh_from_db()
    return app


def _publicised(app: Application, street: User, day: dt.date) -> Application:
    community = app.household.area if app.household.area.level == "community" else None
    community = community or app.household.area.parent
    with _on(day):
        services.notice_publish(
            actor=street, community=community, applications=[app], hotline=HOTLINE
        )
    app.refresh_from_db()
    return app


def _received_late(home, *, today, worker, street, admin) -> None:
    _take(home, worker, "dibao", _workdays_back(today, 5), "window")


def _received_today(home, *, today, worker, street, admin) -> None:
    _take(home, worker, "tekun", today, "visit")


def _more_requested(home, *, today, worker, street, admin) -> None:
    app = _take(home, worker, "zhichu", _workdays_back(today, 1), "lead")
    with _on(today):
        services.application_request_more(
            actor=admin, application=app, text="请补充近三个月的住院费用票据"
        )


def _investigation_overdue(home, *, today, worker, street, admin) -> None:
    app = _take(home, worker, "dibao", _workdays_back(today, 7), "window")
    _accepted(app, admin, _workdays_back(today, 5))


def _investigation_near(home, *, today, worker, street, admin) -> None:
    app = _take(home, worker, "dibian", _workdays_back(today, 3), "window")
    _accepted(app, admin, _workdays_back(today, 2))


def _investigating(home, *, today, worker, street, admin) -> None:
    app = _take(home, worker, "dibao", _workdays_back(today, 8), "visit")
    app = _accepted(app, admin, _workdays_back(today, 7))
    _investigated(app, worker, street, _workdays_back(today, 5), "1500")


def _on_notice(home, *, today, worker, street, admin) -> None:
    app = _take(home, worker, "dibao", _workdays_back(today, 10), "window")
    app = _accepted(app, admin, _workdays_back(today, 9))
    app = _investigated(app, worker, street, _workdays_back(today, 7), "1200")
    _publicised(app, street, today - dt.timedelta(days=3))


def _approved(home, *, today, worker, street, admin) -> None:
    start = today - dt.timedelta(days=45)
    app = _take(home, worker, "dibao", start, "window")
    app = _accepted(app, admin, start + dt.timedelta(days=1))
    app = _investigated(app, worker, street, start + dt.timedelta(days=3), "900")
    app = _publicised(app, street, start + dt.timedelta(days=6))
    with _on(start + dt.timedelta(days=14)):
        services.application_approve(
            actor=admin, application=app, monthly_amount=Decimal("720"), reason="符合低保条件"
        )


def _rejected_and_moved(home, *, today, worker, street, admin) -> None:
    start = today - dt.timedelta(days=30)
    app = _take(home, worker, "dibao", start, "window")
    app = _accepted(app, admin, start + dt.timedelta(days=1))
    app = _investigated(app, worker, street, start + dt.timedelta(days=3), "3200")
    app = _publicised(app, street, start + dt.timedelta(days=6))
    with _on(start + dt.timedelta(days=14)):
        app = services.application_reject(
            actor=admin, application=app, reason="家庭人均收入高于本区低保标准"
        )
        services.rejection_notice_sent(actor=street, application=app)
    with _on(start + dt.timedelta(days=16)):
        services.application_move(
            actor=worker, application=app, category=Category.objects.get(code="dibian")
        )


def _rejected_notice_due(home, *, today, worker, street, admin) -> None:
    start = today - dt.timedelta(days=25)
    app = _take(home, worker, "dibao", start, "window")
    app = _accepted(app, admin, start + dt.timedelta(days=1))
    app = _investigated(app, worker, street, start + dt.timedelta(days=3), "3600")
    app = _publicised(app, street, start + dt.timedelta(days=5))
    with _on(_workdays_back(today, 4)):
        services.application_reject(
            actor=admin, application=app, reason="家庭拥有两套住房，不符合财产条件"
        )


# The whole way first: a small demo (few households free of 低保, 低边 and 特困) still shows
# every step.
_STORIES = [
    _approved,
    _on_notice,
    _rejected_and_moved,
    _rejected_notice_due,
    _investigating,
    _investigation_overdue,
    _received_late,
    _more_requested,
    _investigation_near,
    _received_today,
]
