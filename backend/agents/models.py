"""The LLM behind the agents, from settings: OpenAI, an OpenAI-compatible endpoint, or
none (the policy model). The policy model is also every LLM's fallback (runner.py)."""

from __future__ import annotations

from agents import Model, OpenAIChatCompletionsModel, OpenAIResponsesModel
from openai import AsyncOpenAI

from backend.config import Settings

OPENAI_DEFAULT_MODEL = "gpt-4.1-mini"
LLM_TIMEOUT_S = 10.0
"""A slow LLM is a failed one: the policy model answers instead."""


def from_settings(settings: Settings) -> Model | None:
    """None means the deterministic policy model."""
    if settings.llm == "policy":
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if settings.llm == "openai":
        client = AsyncOpenAI(api_key=key, timeout=LLM_TIMEOUT_S, max_retries=1)
        return OpenAIResponsesModel(model=settings.llm_model or OPENAI_DEFAULT_MODEL, openai_client=client)
    # Any OpenAI-compatible server speaks chat completions; many need no key.
    client = AsyncOpenAI(base_url=settings.llm, api_key=key or "none", timeout=LLM_TIMEOUT_S, max_retries=0)
    assert settings.llm_model, "load_settings refuses a base-URL LLM without a model"
    return OpenAIChatCompletionsModel(model=settings.llm_model, openai_client=client)
