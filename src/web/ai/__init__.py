"""The AI API: `/api/v1/ai` (complete, stream, usage) on the LLM gateway."""

from web.ai.controller import AIController
from web.ai.dependencies import llm_client

__all__ = ["AIController", "llm_client"]
