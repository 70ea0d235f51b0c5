"""The price table: micro-dollars per token, per model. The one place prices live.

Figures are the providers' list prices per million tokens divided by a million (so "0.15" is
$0.15 per million input tokens). A model missing here cannot be called: its cost could not be
attributed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

import msgspec

from core.ports.llm import LLMUsage

__all__ = ["PRICES", "ModelPrice", "cost_micro_usd", "models_of"]


class ModelPrice(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    input: Decimal
    """Micro-dollars per input token."""
    output: Decimal
    """Micro-dollars per output token."""


def _price(provider: str, input_per_token: str, output_per_token: str) -> ModelPrice:
    return ModelPrice(
        provider=provider, input=Decimal(input_per_token), output=Decimal(output_per_token)
    )


PRICES: Mapping[str, ModelPrice] = {
    "fake-1": _price("fake", "0.5", "1.5"),
    "fake-1-mini": _price("fake", "0.1", "0.4"),
    "gpt-4o-mini": _price("openai", "0.15", "0.6"),
    "gpt-4o": _price("openai", "2.5", "10"),
    "gpt-4.1": _price("openai", "2", "8"),
    "gpt-4.1-mini": _price("openai", "0.4", "1.6"),
    "gpt-4.1-nano": _price("openai", "0.1", "0.4"),
    "claude-3-5-haiku-latest": _price("anthropic", "0.8", "4"),
    "claude-haiku-4-5": _price("anthropic", "1", "5"),
    "claude-sonnet-4-0": _price("anthropic", "3", "15"),
    "claude-sonnet-4-5": _price("anthropic", "3", "15"),
    "claude-opus-4-1": _price("anthropic", "15", "75"),
}


def models_of(provider: str) -> frozenset[str]:
    return frozenset(model for model, price in PRICES.items() if price.provider == provider)


def cost_micro_usd(model: str, usage: LLMUsage) -> int:
    """What `usage` cost on `model`, in whole micro-dollars, rounded up."""
    price = PRICES[model]
    return math.ceil(price.input * usage.input_tokens + price.output * usage.output_tokens)
