"""The LLM Graphiti may use. Memory's own writes are deterministic and need none."""

from __future__ import annotations

from typing import Any

from graphiti_core.llm_client import LLMClient, LLMConfig
from graphiti_core.llm_client.config import DEFAULT_MAX_TOKENS, ModelSize
from graphiti_core.prompts.models import Message
from pydantic import BaseModel


class LLMUnavailable(RuntimeError):
    """An LLM-only Graphiti path was called while no LLM is configured."""


class NoLLM(LLMClient):
    """Stands in for an LLM in the offline default: fails loudly, never calls out."""

    def __init__(self) -> None:
        super().__init__(LLMConfig(model="none"))

    async def _generate_response(
        self,
        messages: list[Message],
        response_model: type[BaseModel] | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        model_size: ModelSize = ModelSize.medium,
        *,
        model: str | None = None,
    ) -> dict[str, Any]:
        raise LLMUnavailable(
            "no LLM is configured (SWITCHBOARD_LLM=policy); "
            "record structured episodes instead, or configure an LLM"
        )


def llm_client(llm: str, model: str | None, api_key: str | None) -> LLMClient:
    """``policy`` → NoLLM; ``openai`` → OpenAI; a base URL → an OpenAI-compatible server."""
    if llm == "policy":
        return NoLLM()
    if llm == "openai":
        from graphiti_core.llm_client import OpenAIClient

        return OpenAIClient(LLMConfig(api_key=api_key, model=model))
    from graphiti_core.llm_client.openai_generic_client import OpenAIGenericClient

    return OpenAIGenericClient(LLMConfig(api_key=api_key or "none", model=model, base_url=llm))
