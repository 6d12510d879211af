"""Demo data: a 姑苏区-like district with its streets, communities, users and households.

`seed_demo()` is what `manage.py seed_demo` runs. It bypasses the per-row services on
purpose (100,000 households, with their visit history, must load in minutes, not hours), so
the generator keeps their rules by construction and the test suite checks them on the result.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dashboards.summary import summary_paused
from demo import applications, generate, load, outreach, resource_pool, reviews, setup, visits
from demo.setup import DEMO_PASSWORD, DemoUsers
from households.models import Household, Member
from reviews.defaults import ensure_demo_standard

__all__ = ["DEMO_PASSWORD", "SeedResult", "seed_demo"]

# Households made per chunk: the next chunk is made while the previous one is copied.
CHUNK = 5000


@dataclass
class SeedResult:
    skipped: bool
    existing: int
    counts: Counter[str] = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)
    users: DemoUsers | None = None


def seed_demo(
    *,
    households: int = 2000,
    seed: int = 1,
    if_empty: bool = False,
    today: dt.date | None = None,
) -> SeedResult:
    """Add `households` demo households (and the areas and users they need) in one transaction.

    Deterministic for the same size, seed, day and starting database. On a database that has
    households already, the stream is varied by their number and identity numbers already
    held are skipped, so a second run adds different households rather than failing.
    """
    existing = Household.objects.count()
    if if_empty and existing:
        return SeedResult(skipped=True, existing=existing)
    result = SeedResult(skipped=False, existing=existing)
    started = time.perf_counter()
    tz = timezone.get_default_timezone()
    today = today or timezone.localdate()
    now = seed_now(today, tz)
    with transaction.atomic():
        with summary_paused(today=today):
            areas = setup.ensure_areas()
            result.users = setup.ensure_users(areas)
            ensure_demo_standard()
            taken = _active_hashes() if Member.objects.exists() else set()
            last_id = Household.objects.aggregate(last=Max("pk"))["last"] or 0
            result.timings["areas and users"] = time.perf_counter() - started
            chunks = generate.generate_chunks(
                households=households,
                chunk=CHUNK,
                seed=seed,
                communities=setup.communities(areas, result.users),
                admin_id=result.users.admin_id,
                today=today,
                now=now,
                tz=tz,
                offset=existing,
                taken=taken,
            )
            most = {name: n * households for name, n in generate.MOST_PER_HOUSEHOLD.items()}
            context = {"command": "seed_demo", "seed": seed, "households": households}
            result.counts = load.load(chunks, most=most, context=context)
            result.timings["generate and copy"] = time.perf_counter() - started
            # The resource pool (resources/, matching/): providers and the five lists once, then
            # needs and referrals for the households just made.
            result.counts.update(
                resource_pool.seed_pool(
                    areas=areas,
                    worker_by_community=result.users.worker_by_community,
                    seed=seed,
                    today=today,
                    now=now,
                    since_household_id=last_id,
                )
            )
            result.timings["resource pool"] = time.perf_counter() - started
            result.counts.update(
                visits.seed_visits(
                    seed=seed,
                    today=today,
                    now=now,
                    tz=tz,
                    since_household_id=last_id,
                    workers_by_community=result.users.workers_by_community,
                )
            )
            result.timings["visits and follow-ups"] = time.perf_counter() - started
            # After the visits: the review history is the enrolments' own clock, not the visits'.
            result.counts.update(
                reviews.seed_reviews(
                    seed=seed,
                    today=today,
                    now=now,
                    tz=tz,
                    since_household_id=last_id,
                    workers_by_community=result.users.workers_by_community,
                )
            )
            result.timings["reviews"] = time.perf_counter() - started
            communities = [a for a in areas.values() if a.level == "community"]
            result.counts.update(
                visits.seed_activities(
                    seed=seed,
                    today=today,
                    tz=tz,
                    communities=sorted(communities, key=lambda a: a.code),
                    workers=result.users.workers_by_community,
                )
            )
            result.timings["service activities"] = time.perf_counter() - started
            result.counts.update(applications.seed_applications(today=today, seed=seed))
            # Last: the screening reads the facts every step above has left (an approved
            # application is an enrolment), so the nightly run after it finds nothing new.
            result.counts.update(outreach.seed_outreach(seed=seed, today=today))
            result.timings["outreach"] = time.perf_counter() - started
        result.timings["dashboard summary"] = time.perf_counter() - started
    load.analyze()
    result.timings["analyze"] = time.perf_counter() - started
    return result


def seed_now(today: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The moment the demo is made at: now, or late afternoon of another `today`.

    Nothing the demo makes lies after it (no need noted later today).
    """
    if today == timezone.localdate():
        return timezone.now()
    return dt.datetime.combine(today, dt.time(17, 30), tz)


def _active_hashes() -> set[str]:
    return set(
        Member.objects.filter(status=Member.Status.ACTIVE).values_list("id_number_hash", flat=True)
    )
