"""Rules every budget store adapter shares: argument checks, and how much a reservation gets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.ports.budget import BudgetWindow, ReservationRefusedError

__all__ = ["RETENTION", "check_reserve", "grant_for"]

RETENTION = timedelta(days=1)
"""How long a window and a finished reservation are kept after they stop mattering."""


def check_reserve(windows: Sequence[BudgetWindow], amount: int, min_amount: int | None) -> None:
    if not windows:
        raise ValueError("a reservation needs at least one window")
    if len({window.key for window in windows}) != len(windows):
        raise ValueError("budget windows must have distinct keys")
    if amount <= 0:
        raise ValueError("amount must be positive")
    if min_amount is not None and not 0 < min_amount <= amount:
        raise ValueError("min_amount must be within (0, amount]")


def grant_for(
    available: Sequence[tuple[BudgetWindow, int]], amount: int, min_amount: int | None
) -> int | ReservationRefusedError:
    """The amount to hold given each window's room, or the refusal to raise.

    When several windows are short, the refusal names the one that resets last: retrying
    before it resets cannot succeed.
    """
    room = min(space for _, space in available)
    if room >= amount:
        return amount
    if min_amount is not None and room >= min_amount:
        return room
    needed = amount if min_amount is None else min_amount
    short = [(window, space) for window, space in available if space < needed]
    window, space = max(short, key=lambda item: item[0].resets_at)
    return ReservationRefusedError(window, max(0, space))
