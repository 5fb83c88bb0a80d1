"""What an openai-compatible endpoint honours: the JSON format that really constrains it, found once and remembered."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from agent import config
from agent.errors import ModelUnavailable, RemoteCallFailed
from agent.llm.faults import is_format_rejection, translate
from agent.llm.parse import InvalidAnswer, extract_json

# A probe whose constrained answer cannot come out unconstrained: asked to say hello, a model only writes this
# token if the schema is applied while it decodes.
PROBE_VALUE = "constrained-7q"
PROBE_SCHEMA = {"type": "object", "properties": {"probe": {"type": "string", "enum": [PROBE_VALUE]}},
                "required": ["probe"]}
PROBE_TOKENS = 40  # the constrained answer is about 11 tokens; room for whitespace the grammar allows
PROBE_MESSAGES = [("system", "You answer with one plain word, never JSON."), ("user", "Say hello.")]
# llama.cpp servers default to repeat_penalty 1.1 and ignore max_completion_tokens: send what the embedded model
# uses, so the same GGUF gives the same greedy answers, and a hard token cap.
LLAMA_CPP_SAMPLING = {"repeat_penalty": 1.0, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "seed": 0}
OWNERS = {"me": "llama-cpp-python", "llamacpp": "llama.cpp", "vllm": "vllm", "openai": "openai",
          "system": "openai", "openai-internal": "openai"}
_KNOWN: dict[str, "Endpoint"] = {}
_LOCK = threading.Lock()
Ask = Callable[[dict | None], str]  # one probe call with a response_format (None: none) -> the answer text


@dataclass
class Endpoint:
    """One base URL + model: the server kind and the structured-output style it honours (None: not yet known)."""

    url: str
    model: str
    server: str = "unknown"
    style: str | None = None  # "json_schema", "json_object" (+ schema), or "none" (validated and re-asked only)

    @property
    def key(self) -> str:
        """How the endpoint is remembered."""
        return f"{self.url}#{self.model}"

    def response_format(self, schema: dict, style: str | None = None) -> dict | None:
        """The request's response_format for SCHEMA in this endpoint's style."""
        style = style or self.style
        if style == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": str(schema.get("title", "answer")), "schema": schema, "strict": False}}
        return {"type": "json_object", "schema": schema} if style == "json_object" else None

    def extra_body(self, max_tokens: int) -> dict:
        """Fields beyond OpenAI's: a hard max_tokens everywhere, llama.cpp's sampling on llama.cpp servers."""
        if self.server == "openai":  # OpenAI rejects max_tokens on newer models; max_completion_tokens is sent
            return {}
        extra = {"max_tokens": max_tokens}
        return extra | LLAMA_CPP_SAMPLING if self.server in ("llama-cpp-python", "llama.cpp") else extra

    def candidates(self) -> list[str]:
        """Styles to try, most likely first (llama-cpp-python's server rejects json_schema)."""
        return ["json_object", "json_schema"] if self.server == "llama-cpp-python" else ["json_schema", "json_object"]


def memory_file() -> Path:
    """Where negotiated endpoints are remembered (one file per workspace)."""
    return config.home_dir() / "endpoints.json"


def _load() -> dict:
    try:
        return json.loads(memory_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remember(endpoint: Endpoint) -> None:
    """Keep a negotiated endpoint for the next run."""
    with _LOCK:
        _KNOWN[endpoint.key] = endpoint
        data = _load() | {endpoint.key: asdict(endpoint)}
        tmp = memory_file().with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(memory_file())


def forget(endpoint: Endpoint) -> None:
    """Drop what was learnt (the server behind the URL changed)."""
    endpoint.style = None
    remember(endpoint)


def endpoint_for(url: str, model: str, server: str | None = None) -> Endpoint:
    """The endpoint's remembered facts, or a new record with its server kind (asked once, at /models)."""
    key = f"{url}#{model}"
    with _LOCK:
        if key in _KNOWN:
            return _KNOWN[key]
        saved = _load().get(key)
        endpoint = Endpoint(**saved) if saved else Endpoint(url, model, server or server_kind(url))
        _KNOWN[key] = endpoint
        return endpoint


def server_kind(url: str, timeout: float = 5.0) -> str:
    """Which server answers at URL, from the `owned_by` of its /models list ("unknown" when it does not say)."""
    import httpx

    headers = {"Authorization": f"Bearer {os.environ.get('OPENAI_API_KEY', 'not-needed')}"}
    try:
        data = httpx.get(url.rstrip("/") + "/models", timeout=timeout, headers=headers).json().get("data") or []
    except Exception:  # noqa: BLE001 - any failure only means the kind stays unknown; the probe still decides
        return "unknown"
    owners = {str(m.get("owned_by", "")).lower() for m in data if isinstance(m, dict)}
    return next((OWNERS[o] for o in sorted(owners) if o in OWNERS), "unknown")


def obeys_probe(text: str) -> bool:
    """Whether an answer to the probe follows its schema (only a live constraint makes it)."""
    try:
        value = extract_json(text)
    except InvalidAnswer:
        return False
    return isinstance(value, dict) and value.get("probe") == PROBE_VALUE


def negotiate(endpoint: Endpoint, ask: Ask) -> str:
    """Find the style that really constrains this endpoint (probing each), remember it, and return it."""
    unsure = False  # a probe lost to a transient fault proves nothing: then "none" is not remembered
    for style in endpoint.candidates():
        try:
            answer = ask(endpoint.response_format(PROBE_SCHEMA, style))
        except Exception as exc:
            failure = translate(exc, endpoint.key)
            if isinstance(failure, ModelUnavailable):
                raise failure from exc
            unsure = unsure or (isinstance(failure, RemoteCallFailed) and not is_format_rejection(exc))
            continue  # rejected, cut off or failed: this style is not the one
        if obeys_probe(answer):
            endpoint.style = style
            remember(endpoint)
            return style
    endpoint.style = "none"
    if not unsure:
        remember(endpoint)
    print(f"newsagent: {endpoint.key} applies no JSON schema while decoding; answers are validated and re-asked "
          "only", file=sys.stderr)
    return "none"
