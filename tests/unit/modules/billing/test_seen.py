from __future__ import annotations

from modules.billing._seen import RecentlyProcessed
from tests.conftest import FakeClock


def test_entries_expire_with_the_clock() -> None:
    clock = FakeClock()
    seen = RecentlyProcessed(clock, ttl_seconds=60)
    assert "evt_1:invoice.paid" not in seen
    seen.add("evt_1:invoice.paid")
    assert "evt_1:invoice.paid" in seen
    clock.advance(59)
    assert "evt_1:invoice.paid" in seen
    clock.advance(1)
    assert "evt_1:invoice.paid" not in seen
    assert len(seen) == 0


def test_the_oldest_entries_go_first_when_full() -> None:
    seen = RecentlyProcessed(FakeClock(), capacity=3)
    for key in ("a", "b", "c"):
        seen.add(key)
    seen.add("a")
    seen.add("d")
    assert len(seen) == 3
    assert "b" not in seen
    assert all(key in seen for key in ("a", "c", "d"))
