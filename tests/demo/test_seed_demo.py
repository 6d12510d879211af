"""manage.py seed_demo: deterministic, valid, within the combination rules, with demo users."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from demo.setup import DEMO_PASSWORD
from households import idnumber
from households.models import Area, Enrolment, Household, Member, User

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
LIVE = [Enrolment.Status.APPLIED, Enrolment.Status.APPROVED, Enrolment.Status.SUSPENDED]


def _seed(households: int = 60, seed: int = 1, **options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", households=households, seed=seed, today=TODAY, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> list[tuple[object, ...]]:
    members = Member.objects.order_by("id")
    return [
        (m.uuid, m.household.uuid, m.name, idnumber.decrypt(m.id_number_cipher), m.relation)
        for m in members.select_related("household")
    ] + [
        (e.uuid, e.household.uuid, e.category_id, e.status, e.start_date, e.monthly_amount)
        for e in Enrolment.objects.select_related("household").order_by("id")
    ]


def _wipe() -> None:
    # The demo's needs, referrals and stock issues point at the households (resource pool),
    # and so do its visits and follow-ups.
    from applications.models import Application, Investigation, Notice, Responsibility
    from cases.models import FollowUp, Visit
    from matching.models import Need, Referral
    from resources.models import StockMovement
    from reviews.models import Review

    Review.objects.all().delete()
    # 一门受理's demo applications (households/demo/applications.py) point at them too.
    Notice.applications.through.objects.all().delete()
    Notice.objects.all().delete()
    Investigation.investigators.through.objects.all().delete()
    Investigation.objects.all().delete()
    Application.objects.update(moved_from=None)
    Application.objects.all().delete()
    Responsibility.objects.all().delete()
    FollowUp.objects.all().delete()
    Visit.objects.all().delete()

    StockMovement.objects.filter(referral__isnull=False).delete()
    Referral.objects.all().delete()
    Need.objects.all().delete()
    Enrolment.members.through.objects.all().delete()
    Enrolment.objects.all().delete()
    Household.objects.update(head=None)
    Member.objects.all().delete()
    Household.objects.all().delete()


def test_seed_demo_is_deterministic_for_the_same_seed():
    _seed(seed=7)
    first = _snapshot()
    _wipe()
    _seed(seed=7)
    assert _snapshot() == first
    _wipe()
    _seed(seed=8)
    assert _snapshot() != first


def test_seed_demo_makes_the_area_tree():
    _seed(households=5)
    levels = Counter(Area.objects.values_list("level", flat=True))
    assert levels["district"] == 1
    assert levels["street"] == 8
    assert levels["community"] == 100
    assert 200 <= levels["grid"] <= 400
    for area in Area.objects.select_related("parent").exclude(level="district"):
        assert area.code.startswith(area.parent.prefix)
        assert area.prefix == Area.prefix_of(area.code, area.level)


def test_seeded_identity_numbers_are_valid_unique_and_match_the_member():
    _seed()
    numbers = []
    for member in Member.objects.all():
        number = idnumber.decrypt(member.id_number_cipher)
        parsed = idnumber.parse(number)
        assert number.startswith("320506")
        assert member.id_number_hash == idnumber.lookup_hash(number)
        assert member.id_number_masked == idnumber.mask(number)
        assert (member.birth_date, member.sex) == (parsed.birth_date, parsed.sex)
        numbers.append(number)
    assert len(numbers) == len(set(numbers)) > 60


def test_seeded_households_are_consistent():
    _seed()
    households = Household.objects.select_related("area__parent", "head", "worker__area")
    households = households.annotate(size=Count("members"))
    assert households.count() == 60
    for household in households:
        assert 1 <= household.size <= 5
        assert household.head.household_id == household.pk
        assert household.head.relation == Member.Relation.HEAD
        assert household.area.level == Area.Level.GRID
        assert household.area_code == household.area.prefix
        assert household.worker.role == User.Role.SOCIAL_WORKER
        assert household.worker.area == household.area.parent
        assert household.address and household.phone


def test_seeded_enrolments_respect_the_combination_rules():
    _seed(households=200)
    live = Enrolment.objects.filter(status__in=LIVE)
    tekun_members = set(live.filter(category="tekun").values_list("member_id", flat=True))
    dibao_members = set(live.filter(category="dibao").values_list("members", flat=True))
    assert tekun_members
    assert not tekun_members & dibao_members
    both = Household.objects.filter(_has_live("dibao"), _has_live("dibian"))
    assert not both.exists()
    assert not Enrolment.objects.filter(category="linshi", end_date__isnull=True).exists()
    for enrolment in live.filter(category="tekun").prefetch_related("members"):
        assert [m.pk for m in enrolment.members.all()] == [enrolment.member_id]
    approved = live.filter(status=Enrolment.Status.APPROVED)
    assert not approved.filter(Q(start_date__gt=TODAY) | Q(decided_by__isnull=True)).exists()
    assert not approved.exclude(category="linshi").filter(review_due__isnull=True).exists()


def test_seeded_applications_are_stored_in_the_order_they_came_in():
    """The approval list shows the oldest first by id (as applications arrive in real use):
    in the demo too, an application stored later was not made earlier, and none waits for a
    start after today."""
    _seed(households=400)
    pending = Enrolment.objects.filter(status=Enrolment.Status.APPLIED).order_by("id")
    days = [timezone.localdate(e.created_at) for e in pending]
    assert len(days) > 5
    assert days == sorted(days)
    assert not pending.filter(start_date__gt=TODAY).exists()


def _has_live(code: str) -> Exists:
    return Exists(
        Enrolment.objects.filter(household=OuterRef("pk"), category=code, status__in=LIVE)
    )


def test_seed_demo_mixes_categories_like_a_street():
    _seed(households=400)
    counts = Counter(
        Enrolment.objects.filter(status=Enrolment.Status.APPROVED).values_list(
            "category", flat=True
        )
    )
    assert counts["dibao"] > 0.45 * 400
    assert 0.05 * 400 < counts["tekun"] < 0.25 * 400
    assert counts["dibian"] and counts["zhichu"] and counts["linshi"]
    assert Enrolment.objects.filter(status=Enrolment.Status.APPLIED).exists()
    members = Member.objects.count()
    disabled = Member.objects.exclude(disability_type="").count()
    assert 0.03 * members < disabled < 0.15 * members
    assert Member.objects.filter(lives_alone=True, birth_date__lte=dt.date(1946, 3, 15)).exists()


def test_seed_demo_makes_one_user_per_role_bound_to_an_area():
    output = _seed(households=5)
    expected = {
        "worker": (User.Role.SOCIAL_WORKER, Area.Level.COMMUNITY),
        "worker100": (User.Role.SOCIAL_WORKER, Area.Level.COMMUNITY),
        "street": (User.Role.STREET_STAFF, Area.Level.STREET),
        "admin": (User.Role.DISTRICT_ADMIN, Area.Level.DISTRICT),
        "provider": (User.Role.PROVIDER, Area.Level.DISTRICT),
        "auditor": (User.Role.AUDITOR, Area.Level.DISTRICT),
    }
    for username, (role, level) in expected.items():
        user = User.objects.select_related("area").get(username=username)
        assert (user.role, user.area.level) == (role, level)
        assert user.check_password(DEMO_PASSWORD)
        assert username in output or username == "worker100"
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.has_perm("households.reveal_id_number")
    assert admin.has_perm("households.export_full_id_number")
    # Every community has a worker (worker … worker100), some two or three.
    workers = User.objects.filter(role=User.Role.SOCIAL_WORKER)
    assert workers.values("area").distinct().count() == 100
    assert 100 < workers.count() <= 300
    assert DEMO_PASSWORD in output


def test_seed_demo_if_empty_does_nothing_the_second_time():
    _seed(if_empty=True)
    before = (Household.objects.count(), Member.objects.count(), Enrolment.objects.count())
    output = _seed(if_empty=True)
    assert "--if-empty" in output
    assert (Household.objects.count(), Member.objects.count(), Enrolment.objects.count()) == before


def test_seed_demo_without_if_empty_adds_different_households():
    _seed(households=30)
    _seed(households=30)
    assert Household.objects.count() == 60
    hashes = Member.objects.values_list("id_number_hash", flat=True)
    assert len(hashes) == len(set(hashes))
    addresses = list(Household.objects.order_by("id").values_list("address", flat=True))
    assert addresses[:30] != addresses[30:]


def test_seed_demo_in_chunks_gives_the_same_rows(monkeypatch):
    monkeypatch.setattr("demo.seed.CHUNK", 7)
    _seed(seed=3)
    chunked = _snapshot()
    assert Household.objects.count() == 60
    _wipe()
    monkeypatch.setattr("demo.seed.CHUNK", 5000)
    _seed(seed=3)
    assert _snapshot() == chunked


def test_seeded_rows_are_in_the_history_with_their_context():
    _seed(households=20)
    events = apps.get_model("households", "MemberEvent").objects.select_related("pgh_context")
    member_events = events.filter(pgh_label="insert")
    assert member_events.count() == Member.objects.count()
    contexts = {event.pgh_context.metadata["command"] for event in member_events}
    assert contexts == {"seed_demo"}


# ---- a street in its second year (issue 15) ---------------------------------------------


@pytest.fixture
def second_year():
    """The demo on today's date, then the nightly job as `make run` runs it."""
    from django.utils import timezone

    call_command("seed_demo", households=300, seed=2, stdout=io.StringIO())
    call_command("schedule_followups", stdout=io.StringIO())
    return timezone.now()


def test_seeded_households_have_a_visit_history_by_their_community_workers(second_year):
    from cases.models import Visit

    visits = Visit.objects.select_related("worker__area", "household")
    assert visits.count() > 3 * Household.objects.count()
    assert set(visits.values_list("method", flat=True)) >= {"home", "phone"}
    assert visits.exclude(living_status="").exists()
    assert visits.filter(health_status="concern").exists()
    for visit in visits[:500]:
        assert visit.household.area_code.startswith(visit.worker.area.prefix)
    visited = Household.objects.filter(visits__isnull=False).distinct().count()
    assert visited >= 0.95 * Household.objects.count()
    from cases.models import ServiceActivity

    assert set(ServiceActivity.objects.values_list("kind", flat=True)) == {
        "case",
        "group",
        "community",
    }
    first = visits.order_by("visited_at").first()
    assert first.visit_date >= second_year.date() - dt.timedelta(days=19 * 31)


def test_after_the_nightly_job_most_followups_are_on_time(second_year):
    from cases.models import FollowUp

    open_ = FollowUp.objects.filter(status=FollowUp.Status.OPEN)
    overdue = open_.filter(overdue=True).count()
    assert open_.count() == Household.objects.filter(status="active").count()
    assert 0 < overdue < 0.15 * open_.count()
    assert FollowUp.objects.filter(status=FollowUp.Status.DONE, visit__isnull=False).exists()


def test_nothing_seeded_lies_in_the_future(second_year):
    from django.utils import timezone

    from cases.models import FollowUp, Visit
    from matching.models import Need, Referral

    now, today = second_year, timezone.localdate()
    stamps = {
        Visit: ["visited_at", "created_at"],
        FollowUp: ["completed_at", "created_at"],
        Need: ["created_at", "updated_at", "met_at", "closed_at"],
        Referral: [
            "proposed_at",
            "decided_at",
            "delivered_at",
            "confirmed_at",
            "closed_at",
            "updated_at",
        ],
        Enrolment: ["created_at", "updated_at", "decided_at"],
        Household: ["created_at", "updated_at"],
    }
    for model, fields in stamps.items():
        for name in fields:
            assert not model.objects.filter(**{f"{name}__gt": now}).exists(), (model, name)
    assert not Visit.objects.filter(visit_date__gt=today).exists()
    from reviews.models import Review

    assert not Review.objects.filter(Q(created_at__gt=now) | Q(updated_at__gt=now)).exists()
    assert not Review.objects.filter(reviewed_on__gt=today).exists()
    assert not Enrolment.objects.filter(
        status=Enrolment.Status.APPROVED, start_date__gt=today
    ).exists()


def test_seeded_needs_and_referrals_are_in_every_state(second_year):
    from matching.models import Need, Referral

    referral_states = set(Referral.objects.values_list("status", flat=True))
    assert referral_states >= {
        "proposed",
        "accepted",
        "delivered",
        "confirmed",
        "closed",
        "declined",
    }
    need_states = set(Need.objects.values_list("status", flat=True))
    assert need_states >= {"unverified", "open", "matched", "in_progress", "met", "closed"}
    portal = Referral.objects.filter(provider__name="狮林社区睦邻社工室")
    assert set(portal.values_list("status", flat=True)) >= referral_states


def test_seed_demo_gives_some_communities_two_or_three_workers(second_year):
    from cases.models import Visit

    per_community = Counter(
        User.objects.filter(role=User.Role.SOCIAL_WORKER).values_list("area__code", flat=True)
    )
    assert max(per_community.values()) in (2, 3)
    assert per_community[User.objects.get(username="worker").area.code] >= 2
    shared = [code for code, n in per_community.items() if n >= 2]

    def working(code: str) -> set[int]:
        homes = Household.objects.filter(area_code__startswith=code)
        visits = Visit.objects.filter(household__area_code__startswith=code)
        return set(homes.values_list("worker_id", flat=True)) | set(
            visits.values_list("worker_id", flat=True)
        )

    assert any(len(working(code)) >= 2 for code in shared)


def test_seeded_enrolments_have_decisions_this_month(second_year):
    from django.utils import timezone

    today = timezone.localdate()
    month = Enrolment.objects.filter(
        status=Enrolment.Status.APPROVED,
        decided_at__date__gte=today.replace(day=1),
    )
    assert month.exists()
    assert month.filter(start_date__lt=today.replace(day=1)).exists() or today.day < 3


def test_seeded_reviews_keep_most_enrolments_on_their_review_clock(second_year):
    from django.utils import timezone

    from reviews.models import Review

    today = timezone.localdate()
    clocked = Enrolment.objects.filter(status=Enrolment.Status.APPROVED).exclude(category="linshi")
    overdue = clocked.filter(review_due__lt=today).count()
    assert 0 < overdue < 0.15 * clocked.count()
    assert clocked.filter(review_due__gte=today).count() > 0.8 * clocked.count()
    assert clocked.filter(review_due__gte=today, review_due__lte=today + dt.timedelta(days=31))
    assert not clocked.filter(review_due__isnull=True).exists()
    reviews = Review.objects.select_related("enrolment__household", "reviewer__area")
    outcomes = Counter(reviews.values_list("outcome", flat=True))
    assert set(outcomes) == set(Review.Outcome.values)
    assert outcomes["unchanged"] > outcomes["amount"] > outcomes["suspend"] + outcomes["end"] > 0
    assert not reviews.filter(reason="").exists()
    assert not reviews.filter(outcome="amount").filter(amount_before=F("amount_after")).exists()
    assert not reviews.exclude(outcome="amount").exclude(amount_before=F("amount_after")).exists()
    for review in reviews.order_by("id")[:300]:
        household = review.enrolment.household
        assert household.area_code.startswith(review.reviewer.area.prefix)
        assert review.reviewed_on > review.enrolment.start_date
        assert review.due_before is not None
    for enrolment in Enrolment.objects.filter(reviews__isnull=False).distinct()[:300]:
        last = enrolment.reviews.order_by("-reviewed_on", "-id").first()
        assert enrolment.monthly_amount == last.amount_after
        status = {"suspend": "suspended", "end": "ended"}.get(last.outcome, "approved")
        assert enrolment.status == status
        if last.outcome == "end":
            assert enrolment.end_date == last.reviewed_on
        if status != "approved":
            assert enrolment.review_due is None


def test_seeded_reviews_change_the_enrolments_in_their_history():
    _seed(households=60)
    events = apps.get_model("households", "EnrolmentEvent").objects.filter(pgh_label="update")
    parts = {
        event.pgh_context.metadata.get("part") for event in events.select_related("pgh_context")
    }
    assert "reviews" in parts


def test_seeded_provider_contacts_carry_a_whole_title():
    from resources.models import Provider

    _seed(households=5)
    contacts = list(Provider.objects.values_list("contact_name", flat=True))
    assert contacts
    for name in contacts:
        assert name[-2:] in {"老师", "主任", "经理"}, name
        assert len(name) >= 3, name
