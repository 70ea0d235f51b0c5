from __future__ import annotations

from modules.billing import AccountRef, PlanPrices, lookup_key_for
from policies.plans import PLANS


def test_a_price_maps_back_to_its_plan() -> None:
    prices = PlanPrices({"pro": "price_pro", "team": None})
    assert prices.price_id("pro") == "price_pro"
    assert prices.price_id("team") is None
    assert prices.plan_for_price("price_pro") == "pro"
    assert prices.plan_for_price("price_x", lookup_key="bulkhead_team_month") == "team"
    assert prices.plan_for_price("price_pro", metadata_plan="team") == "team"
    assert prices.plan_for_price("price_x", metadata_plan="enterprise") is None
    assert prices.plan_for_price(None) is None


def test_specs_cover_the_paid_plans() -> None:
    specs = PlanPrices({"team": "price_team"}).specs()
    assert [(s.plan_id, s.price_cents, s.price_id) for s in specs] == [
        ("pro", 1900, None),
        ("team", 4900, "price_team"),
    ]
    assert specs[0].lookup_key == lookup_key_for(PLANS["pro"]) == "bulkhead_pro_month"


def test_account_references() -> None:
    account = AccountRef(type="org", id="o1")
    assert account.reference == "org:o1"
    assert AccountRef.from_reference("org:o1") == account
    assert AccountRef.from_reference("user:") is None
    assert AccountRef.from_reference("team:t1") is None
    assert AccountRef.from_reference(None) is None
    assert AccountRef.parse("user", "u1") == AccountRef(type="user", id="u1")
