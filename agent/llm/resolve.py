"""Model strings (`local:…`, `openai:…`, `openai-compatible:…#…`) resolved in one place."""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent import config
from agent.llm import registry
from agent.errors import UnknownModel

Provider = Literal["local", "openai", "openai-compatible", "fake"]
PROVIDERS = ("local", "openai", "openai-compatible", "fake")
EXAMPLES = [
    "local:qwen2.5-coder-1.5b",
    "local:qwen2.5-coder-0.5b",
    "local:/path/to/model.gguf",
    "openai:gpt-4.1-mini",
    "openai-compatible:http://host:8000/v1#model-name",
    "fake:",
]


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: provider, what to load or call, and a stable id for cache keys."""

    name: str
    provider: Provider
    model: str  # registry name, file path, or remote model name
    base_url: str | None = None
    spec: registry.LocalModelSpec | None = None

    @property
    def path(self) -> Path | None:
        """The GGUF file for local models."""
        if self.provider != "local":
            return None
        return self.spec.path if self.spec else Path(self.model)

    @property
    def cache_id(self) -> str:
        """What identifies the model's behaviour in cache keys (the bytes for local models)."""
        if self.spec:
            return f"local:{self.spec.name}@{self.spec.sha256[:16]}"
        if self.provider == "local":
            st = Path(self.model).stat()
            return f"local:{self.model}@{st.st_size}:{st.st_mtime_ns}"
        return f"{self.provider}:{self.base_url or ''}#{self.model}"


def resolve_model(name: str | None = None) -> ModelRef:
    """Parse a model string (default: NEWSAGENT_MODEL, else the embedded model)."""
    name = (name or config.default_model_name()).strip()
    provider, sep, rest = name.partition(":")
    if provider == "fake" and sep:
        return ModelRef(name="fake:" + (rest or "echo"), provider="fake", model=rest or "echo")
    if not sep or provider not in PROVIDERS or not rest:
        raise UnknownModel(name, EXAMPLES, _hint(name))
    if provider == "local":
        return _resolve_local(name, rest)
    if provider == "openai":
        return ModelRef(name=name, provider="openai", model=rest, base_url=os.environ.get("OPENAI_BASE_URL"))
    url, hash_sep, model = rest.partition("#")
    if not hash_sep or not model or not url.startswith(("http://", "https://")):
        raise UnknownModel(name, EXAMPLES, "write openai-compatible:http(s)://HOST:PORT/v1#MODEL")
    return ModelRef(name=name, provider="openai-compatible", model=model, base_url=url)


def _resolve_local(name: str, rest: str) -> ModelRef:
    if rest in registry.REGISTRY:
        return ModelRef(name=name, provider="local", model=rest, spec=registry.REGISTRY[rest])
    if rest.endswith(".gguf") or "/" in rest or os.sep in rest:
        path = Path(rest).expanduser().resolve()
        return ModelRef(name=f"local:{path}", provider="local", model=str(path))
    known = [f"local:{n}" for n in registry.REGISTRY]
    raise UnknownModel(name, known + ["local:/path/to/model.gguf"], _hint(name))


def _hint(name: str) -> str:
    """Suggest the nearest known model string."""
    candidates = [f"local:{n}" for n in registry.REGISTRY] + ["openai:gpt-4.1-mini"]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else "a model is written provider:name"


def messages_digest(payload: str) -> str:
    """A short sha256 of a canonical payload."""
    return hashlib.sha256(payload.encode()).hexdigest()
