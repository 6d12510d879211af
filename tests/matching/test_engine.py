"""The matching engine on plain data: no database (no django_db mark on purpose)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from matching.engine import NeedIn, ResourceIn

GRID = "320506001001001"
COMMUNITY = "320506001001"
STREET = "320506001"
DISTRICT = "320506"


def need(**overrides) -> NeedIn:
    data = {
        "id": 1,
        "type": "care",
        "subtype": "daily_care",
        "area_code": GRID,
        "categories": frozenset({"dibao"}),
        "urgency": 2,
    }
    return NeedIn(**{**data, **overrides})


def resource(**overrides) -> ResourceIn:
    data = {
        "id": 10,
        "kind": "service",
        "area_code": COMMUNITY,
        "need_types": frozenset({"care"}),
        "remaining": 20,
        "capacity": 20,
        "provider_id": 1,
    }
    return ResourceIn(**{**data, **overrides})


def codes(reasons: list[engine.Reason]) -> dict[str, int]:
    return {reason.code: reason.points for reason in reasons}


# ---- candidates ------------------------------------------------------------------------


def test_candidate_needs_the_type():
    assert engine.is_candidate(need(), resource())
    assert not engine.is_candidate(need(type="development", subtype="schooling"), resource())


def test_candidate_needs_the_subtype_when_the_resource_lists_subtypes():
    assert engine.is_candidate(need(), resource(need_subtypes=frozenset({"daily_care"})))
    assert not engine.is_candidate(need(), resource(need_subtypes=frozenset({"psychological"})))


def test_candidate_serves_the_households_area_or_one_above_it():
    assert engine.is_candidate(need(), resource(area_code=DISTRICT))
    assert engine.is_candidate(need(), resource(area_code=GRID))
    assert not engine.is_candidate(need(), resource(area_code="320506001002"))
    assert not engine.is_candidate(need(area_code=COMMUNITY), resource(area_code=GRID))


def test_candidate_must_be_open_to_one_of_the_households_categories():
    assert engine.is_candidate(need(), resource(categories=frozenset({"dibao", "tekun"})))
    assert not engine.is_candidate(need(), resource(categories=frozenset({"tekun"})))
    assert not engine.is_candidate(need(categories=frozenset()), resource(categories={"tekun"}))


def test_candidate_needs_units_for_the_whole_quantity():
    assert not engine.is_candidate(need(quantity=3), resource(remaining=2))
    assert engine.is_candidate(need(quantity=3), resource(kind="policy", remaining=None))


# ---- reasons ---------------------------------------------------------------------------


def test_reasons_name_every_part_of_the_score_with_its_points():
    reasons = engine.explain(
        need(urgency=4, days_since_helped=None),
        resource(
            need_subtypes=frozenset({"daily_care"}),
            categories=frozenset({"dibao"}),
            area_code=GRID,
            remaining=15,
            provider_load=0,
        ),
    )
    assert codes(reasons) == {
        "subtype": 30,
        "category": 20,
        "level15": 40,
        "capacity": 8,
        "load": 5,
        "urgency": 20,
        "fairness": 10,
    }
    texts = [reason.text for reason in reasons]
    assert texts[0] == "对口“生活照料”需求"
    assert "符合对象：低保" in texts
    assert "同网格资源（十分钟服务圈）" in texts
    assert "本期剩余名额 15/20" in texts
    assert "危急需求，立即安排" in texts
    assert "此前未获帮扶，优先" in texts


def test_a_type_only_resource_open_to_everyone_scores_less_than_a_targeted_one():
    general = engine.explain(need(), resource())
    assert codes(general)["type"] == 15
    assert codes(general)["open"] == 5
    assert engine.describe("type", "care") == "可满足关爱型需求"
    assert engine.describe("open") == "面向所有困难群众"


def test_nearness_goes_grid_community_street_district():
    points = [
        codes(engine.explain(need(), resource(area_code=code)))[f"level{len(code)}"]
        for code in (GRID, COMMUNITY, STREET, DISTRICT)
    ]
    assert points == sorted(points, reverse=True)
    assert len(set(points)) == 4


def test_distance_adds_points_within_the_ten_minute_circle():
    here = need(lat=31.3200, lng=120.6300)
    near = codes(engine.explain(here, resource(lat=31.3230, lng=120.6310)))
    far = codes(engine.explain(here, resource(lat=31.3600, lng=120.6300)))
    assert near["distance"] == engine.DISTANCE_POINTS
    assert 0 <= far["distance"] < near["distance"]
    assert "十分钟服务圈内" in engine.describe("distance", 0.3)


def test_distance_is_left_out_without_both_coordinates():
    assert "distance" not in codes(engine.explain(need(), resource(lat=31.3, lng=120.6)))


def test_supply_policy_and_stock_reasons():
    assert codes(engine.explain(need(), resource(kind="policy", remaining=None)))["unlimited"] == 5
    stock = engine.explain(need(), resource(kind="goods", remaining=2753, capacity=None))
    assert codes(stock)["stock"] == 10
    assert "库存 2753" in [reason.text for reason in stock]


def test_a_busy_provider_scores_less():
    idle = codes(engine.explain(need(), resource(provider_load=0)))["load"]
    busy = codes(engine.explain(need(), resource(provider_load=300)))["load"]
    assert idle > busy
    assert engine.describe("load", 300) == "服务方在办转介 300 件"


def test_fairness_favours_households_helped_less_recently():
    never = engine.fairness_points(need(days_since_helped=None))
    long_ago = engine.fairness_points(need(days_since_helped=400))
    lately = engine.fairness_points(need(days_since_helped=3))
    assert never > long_ago > lately == 0


def test_rank_puts_the_nearest_fitting_resource_first_with_its_reasons():
    ranked = engine.rank(
        need(),
        [
            resource(id=1, area_code=DISTRICT),
            resource(id=2, area_code=GRID),
            resource(id=3, area_code=COMMUNITY),
            resource(id=4, need_types=frozenset({"development"})),
        ],
    )
    assert [s.resource_id for s in ranked] == [2, 3, 1]
    assert ranked[0].score == sum(reason.points for reason in ranked[0].reasons)


def test_rank_breaks_ties_by_resource_id():
    ranked = engine.rank(need(), [resource(id=7), resource(id=5)])
    assert [s.resource_id for s in ranked] == [5, 7]


# ---- the batch run ---------------------------------------------------------------------


def test_allocate_never_gives_more_than_capacity():
    needs = [need(id=i) for i in range(1, 21)]
    assignments = engine.allocate(needs, [resource(remaining=5, capacity=5)])
    assert len(assignments) == 5


def test_allocate_serves_the_most_urgent_first():
    needs = [need(id=1, urgency=1), need(id=2, urgency=4), need(id=3, urgency=3)]
    assignments = engine.allocate(needs, [resource(remaining=2)])
    assert {a.need_id for a in assignments} == {2, 3}


def test_allocate_serves_the_least_recently_helped_first_at_equal_urgency():
    needs = [need(id=1, days_since_helped=5), need(id=2, days_since_helped=None)]
    assignments = engine.allocate(needs, [resource(remaining=1)])
    assert [a.need_id for a in assignments] == [2]


def test_allocate_gives_scarce_units_to_the_need_without_alternatives():
    # Need 1 could use either resource; need 2 only the grid one. Greedy by id alone would
    # give need 1 the grid resource (it scores higher) and leave need 2 with nothing.
    flexible = need(id=1)
    picky = need(id=2, subtype="psychological")
    grid_only = resource(
        id=1, area_code=GRID, remaining=1, need_subtypes=frozenset({"daily_care", "psychological"})
    )
    fallback = resource(
        id=2, area_code=DISTRICT, remaining=1, need_subtypes=frozenset({"daily_care"})
    )
    assignments = engine.allocate([flexible, picky], [grid_only, fallback])
    assert {(a.need_id, a.resource_id) for a in assignments} == {(2, 1), (1, 2)}


def test_allocate_respects_quantities():
    needs = [need(id=1, quantity=3), need(id=2, quantity=3)]
    assignments = engine.allocate(needs, [resource(kind="goods", remaining=4, capacity=None)])
    assert [a.quantity for a in assignments] == [3]


_needs = st.builds(
    NeedIn,
    id=st.integers(1, 10_000),
    type=st.sampled_from(["care", "survival"]),
    subtype=st.sampled_from(["daily_care", "medical"]),
    area_code=st.sampled_from([GRID, COMMUNITY, "320506001002", "320506002001"]),
    categories=st.frozensets(st.sampled_from(["dibao", "tekun", "dibian"]), max_size=2),
    urgency=st.integers(1, 4),
    quantity=st.integers(1, 3),
    days_since_helped=st.one_of(st.none(), st.integers(0, 400)),
    lat=st.one_of(st.none(), st.floats(31.2, 31.4)),
    lng=st.just(120.6),
)
_resources = st.builds(
    ResourceIn,
    id=st.integers(1, 10_000),
    kind=st.sampled_from(["service", "goods", "policy"]),
    area_code=st.sampled_from([GRID, COMMUNITY, STREET, DISTRICT, "320506002"]),
    need_types=st.frozensets(st.sampled_from(["care", "survival"]), min_size=1),
    need_subtypes=st.frozensets(st.sampled_from(["daily_care", "medical"]), max_size=1),
    categories=st.frozensets(st.sampled_from(["dibao", "tekun"]), max_size=1),
    remaining=st.integers(0, 6),
    capacity=st.just(6),
    provider_load=st.integers(0, 300),
    lat=st.one_of(st.none(), st.floats(31.2, 31.4)),
    lng=st.just(120.6),
)


def _unique(items: list, key=lambda x: x.id) -> list:
    seen, out = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(_needs, max_size=25), st.lists(_resources, max_size=12))
def test_allocate_never_over_allocates_and_only_assigns_candidates(needs, resources):
    needs, resources = _unique(needs), _unique(resources)
    for r in resources:
        if r.kind == "policy":
            r.remaining = None
    start = {r.id: dataclasses.replace(r) for r in resources}
    assignments = engine.allocate(needs, resources)
    by_need = {n.id: n for n in needs}
    used: dict[int, int] = {}
    assert len({a.need_id for a in assignments}) == len(assignments)
    for a in assignments:
        assert engine.is_candidate(
            by_need[a.need_id], dataclasses.replace(start[a.resource_id], remaining=None)
        )
        used[a.resource_id] = used.get(a.resource_id, 0) + a.quantity
    for rid, n in used.items():
        if start[rid].remaining is not None:
            assert n <= start[rid].remaining


@settings(max_examples=150, deadline=None)
@given(_needs, st.lists(_resources, max_size=12))
def test_allocate_for_one_need_picks_the_top_of_rank(one, resources):
    resources = _unique(resources)
    for r in resources:
        if r.kind == "policy":
            r.remaining = None
    ranked = engine.rank(one, [dataclasses.replace(r) for r in resources], limit=1)
    assignments = engine.allocate([one], resources)
    if not ranked:
        assert assignments == []
    else:
        assert [(a.resource_id, a.score) for a in assignments] == [
            (ranked[0].resource_id, ranked[0].score)
        ]
