"""Token estimates the gateway reserves against, before any provider has counted."""

from __future__ import annotations

import math
from collections.abc import Sequence

from core.ports.llm import ChatMessage

__all__ = ["estimate_chunk_tokens", "estimate_prompt_tokens"]

_PER_MESSAGE = 4
_PRIMING = 3


def estimate_prompt_tokens(messages: Sequence[ChatMessage]) -> int:
    """An upper bound on the prompt's tokens.

    Byte-level BPE tokenizers (OpenAI's, Anthropic's) never emit more tokens than the text has
    UTF-8 bytes, plus a few framing tokens per message; reserving that means a call can never
    use more than it held, whatever the language of the prompt.
    """
    return _PRIMING + sum(_PER_MESSAGE + len(m.content.encode()) for m in messages)


def estimate_chunk_tokens(text: str) -> int:
    """A streamed chunk's tokens when the provider does not say (about 3 bytes a token)."""
    return max(1, math.ceil(len(text.encode()) / 3))
