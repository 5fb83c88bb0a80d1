"""Typed model calls: cached, logged, re-asked only on validation errors, truncation its own error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from agent.errors import ModelOutputError, RemoteCallFailed, StructuredOutputError, TruncatedOutput
from agent.llm.endpoints import PROBE_MESSAGES, PROBE_TOKENS, Endpoint, forget, negotiate
from agent.llm.faults import is_format_rejection, translate
from agent.llm.local import scrub_control_tokens
from agent.llm.parse import InvalidAnswer, validate
from agent.llm.resolve import messages_digest
from agent.prompts import Prompt
from agent.store import Store, dumps

T = TypeVar("T", bound=BaseModel)
CACHE_VERSION = 1
REASK = ("That answer was not valid: {error}. Reply again with only one JSON object in the required format, "
         "nothing else.")


@dataclass
class Usage:
    """Running totals for one LLM handle: calls, cache hits, tokens, seconds, failures."""

    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def add(self, *, hit: bool, prompt: int = 0, completion: int = 0, seconds: float = 0.0, failed: bool = False):
        """Count one call (or one cache hit)."""
        with self._lock:
            self.calls += 0 if hit else 1
            self.cache_hits += 1 if hit else 0
            self.prompt_tokens += prompt
            self.completion_tokens += completion
            self.seconds += seconds
            self.failures += 1 if failed else 0

    def count_failure(self) -> None:
        """Count an answer that stayed invalid after the re-asks."""
        with self._lock:
            self.failures += 1

    def snapshot(self) -> dict[str, float]:
        """The totals as a plain dict."""
        return {"calls": self.calls, "cache_hits": self.cache_hits, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "tokens": self.tokens,
                "seconds": round(self.seconds, 2), "failures": self.failures}

    def since(self, before: dict[str, float]) -> dict[str, float]:
        """What was spent since BEFORE (an earlier `snapshot()`): calls, hits, tokens, seconds, failures."""
        now = self.snapshot()
        return {k: round(v - before.get(k, 0), 2) if k == "seconds" else int(v - before.get(k, 0))
                for k, v in now.items()}


def to_lc(messages: list[tuple[str, str]]) -> list[BaseMessage]:
    """(role, text) pairs to LangChain messages, chat-template control strings in the text made inert."""
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[role](content=scrub_control_tokens(text)) for role, text in messages]


Request = tuple[Prompt, dict[str, Any]] | tuple[Prompt, dict[str, Any], type[BaseModel]]


class LLM:
    """The one handle stages use to call a model: structured or text, with cache and call log."""

    def __init__(self, chat_model: BaseChatModel, model_id: str, *, store: Store | None = None,
                 use_cache: bool = True, max_reasks: int = 2, endpoint: Endpoint | None = None,
                 name: str | None = None, concurrency: int = 1, parallel: int = 1):
        self.chat, self.model_id, self.store = chat_model, model_id, store
        self.use_cache, self.max_reasks, self.endpoint = use_cache, max_reasks, endpoint
        self.name = name or model_id
        self.concurrency, self.parallel = max(1, concurrency), max(1, parallel)
        self.usage = Usage()
        self._negotiating = threading.Lock()

    # --- public ------------------------------------------------------------------
    def workers(self, requested: int | None = None) -> int:
        """Calls to run at once: REQUESTED (else --concurrency), capped by what the backend runs in parallel."""
        return max(1, min(requested or self.concurrency, self.parallel))

    def structured(self, prompt: Prompt, values: dict[str, Any], schema: type[T], *, purpose: str,
                   max_tokens: int = 1024, temperature: float = 0.0) -> T:
        """Render PROMPT, call the model constrained to SCHEMA, and return a validated instance."""
        return self.structured_messages(prompt.render(**values), schema, purpose=purpose, prompt_hash=prompt.hash,
                                        max_tokens=max_tokens, temperature=temperature)

    def structured_batch(self, requests: Sequence[Request], schema: type[T] | None = None, *, purpose: str,
                         max_tokens: int = 1024, temperature: float = 0.0) -> list[T | ModelOutputError]:
        """Independent structured calls, `workers()` at a time (batched on a local model, concurrent on a remote
        one): each item is its validated answer or its ModelOutputError, cached and logged like `structured()`."""

        def one(request: Request) -> T | ModelOutputError:
            prompt, values, *own = request
            try:
                return self.structured(prompt, values, own[0] if own else schema, purpose=purpose,
                                       max_tokens=max_tokens, temperature=temperature)
            except ModelOutputError as exc:
                return exc

        if len(requests) <= 1 or self.workers() == 1:
            return [one(r) for r in requests]
        with ThreadPoolExecutor(max_workers=min(self.workers(), len(requests))) as pool:
            return list(pool.map(one, requests))

    def structured_messages(self, messages: list[tuple[str, str]], schema: type[T], *, purpose: str,
                            prompt_hash: str | None = None, max_tokens: int = 1024, temperature: float = 0.0) -> T:
        """Call with ready messages; re-ask at most `max_reasks` times on invalid JSON."""
        schema_json = schema.model_json_schema()
        key = self._key(messages, schema_json, max_tokens, temperature)
        cached = self._cached(key, purpose, prompt_hash)
        if cached is not None:
            return validate(cached, schema)
        history, spent = to_lc(messages), 0
        for attempt in range(1, self.max_reasks + 2):
            reply = self._invoke(history, key, purpose, prompt_hash, max_tokens, temperature, schema_json)
            raw = str(reply.content)
            spent += _tokens(reply)
            try:
                result = validate(raw, schema)
            except InvalidAnswer as exc:
                if attempt > self.max_reasks:
                    self.usage.count_failure()
                    raise StructuredOutputError(str(exc), raw=raw, attempts=attempt, tokens=spent) from exc
                history = history + [AIMessage(content=raw), HumanMessage(content=REASK.format(error=exc))]
                continue
            self._remember(key, reply)
            return result
        raise AssertionError("unreachable")

    def text(self, prompt: Prompt, values: dict[str, Any], *, purpose: str, max_tokens: int = 512,
             temperature: float = 0.0) -> str:
        """Render PROMPT and return the model's plain-text answer."""
        messages = prompt.render(**values)
        key = self._key(messages, None, max_tokens, temperature)
        cached = self._cached(key, purpose, prompt.hash)
        if cached is not None:
            return cached
        reply = self._invoke(to_lc(messages), key, purpose, prompt.hash, max_tokens, temperature, None)
        self._remember(key, reply)
        return str(reply.content)

    def stream_text(self, messages: list[tuple[str, str]], *, purpose: str, prompt_hash: str | None = None,
                    max_tokens: int = 512, temperature: float = 0.0) -> Iterator[str]:
        """Yield the answer as it is generated (whole at once when cached). A draft: when the connection drops
        mid-answer the stream just ends (logged as failed, never cached), and callers validate what they got."""
        key = self._key(messages, None, max_tokens, temperature)
        cached = self._cached(key, purpose, prompt_hash)
        if cached is not None:
            yield cached
            return
        start, parts, last = time.perf_counter(), [], None
        try:
            for chunk in self.chat.stream(to_lc(messages), **self._request(max_tokens, temperature, None)):
                parts.append(str(chunk.content))
                last = chunk if last is None else last + chunk
                yield str(chunk.content)
        except Exception as exc:
            failure = translate(exc, self.name)
            self._log_failure(key, purpose, prompt_hash, time.perf_counter() - start, type(failure).__name__)
            if not isinstance(failure, RemoteCallFailed):
                raise failure from exc
            return
        reply = AIMessage(content="".join(parts), usage_metadata=getattr(last, "usage_metadata", None),
                          response_metadata=getattr(last, "response_metadata", {}) or {})
        self._account(reply, key, purpose, prompt_hash, time.perf_counter() - start)
        if (reply.response_metadata or {}).get("finish_reason") != "length":
            self._remember(key, reply)

    # --- plumbing ------------------------------------------------------------------
    def _key(self, messages: list[tuple[str, str]], schema_json: dict | None, max_tokens: int,
             temperature: float) -> str:
        payload = {"v": CACHE_VERSION, "model": self.model_id, "messages": [list(m) for m in messages],
                   "schema": schema_json, "params": {"max_tokens": max_tokens, "temperature": temperature}}
        return messages_digest(dumps(payload))

    def _cached(self, key: str, purpose: str, prompt_hash: str | None) -> str | None:
        if not (self.use_cache and self.store):
            return None
        row = self.store.cache_get(key)
        if row is None:
            return None
        self.usage.add(hit=True)
        self.store.log_call(key, self.name, purpose, prompt_hash, row["prompt_tokens"], row["completion_tokens"],
                            0.0, True, "ok")
        return row["response"]

    def _request(self, max_tokens: int, temperature: float, schema_json: dict | None) -> dict[str, Any]:
        """The call's parameters: the JSON constraint in the style this backend really applies."""
        kwargs: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
        if self.endpoint is None:  # the embedded and fake models take json_object + schema
            if schema_json is not None:
                kwargs["response_format"] = {"type": "json_object", "schema": schema_json}
            return kwargs
        kwargs["extra_body"] = self.endpoint.extra_body(max_tokens)
        if schema_json is not None and (fmt := self.endpoint.response_format(schema_json, self._style())):
            kwargs["response_format"] = fmt
        return kwargs

    def _style(self) -> str:
        """The endpoint's structured-output style, probed once (one caller probes; the others wait)."""
        with self._negotiating:
            if self.endpoint.style is None:
                negotiate(self.endpoint, self._probe)
            return self.endpoint.style

    def _probe(self, response_format: dict | None) -> str:
        kwargs = {"max_tokens": PROBE_TOKENS, "temperature": 0.0, "extra_body": self.endpoint.extra_body(PROBE_TOKENS)}
        reply = self.chat.invoke(to_lc(PROBE_MESSAGES), **kwargs, **({"response_format": response_format}
                                                                     if response_format else {}))
        self._account(reply, "probe", "format-probe", None, 0.0)
        return str(reply.content)

    def _send(self, history: list[BaseMessage], max_tokens: int, temperature: float,
              schema_json: dict | None) -> AIMessage:
        try:
            return self.chat.invoke(history, **self._request(max_tokens, temperature, schema_json))
        except Exception as exc:
            if self.endpoint is None or schema_json is None or not is_format_rejection(exc):
                raise
            forget(self.endpoint)  # the server behind the URL changed: find its format again, once
            return self.chat.invoke(history, **self._request(max_tokens, temperature, schema_json))

    def _invoke(self, history: list[BaseMessage], key: str, purpose: str, prompt_hash: str | None,
                max_tokens: int, temperature: float, schema_json: dict | None) -> AIMessage:
        start = time.perf_counter()
        try:
            reply = self._send(history, max_tokens, temperature, schema_json)
        except Exception as exc:
            failure = translate(exc, self.name)
            self._log_failure(key, purpose, prompt_hash, time.perf_counter() - start, type(failure).__name__)
            if failure is exc:
                raise
            raise failure from exc
        self._account(reply, key, purpose, prompt_hash, time.perf_counter() - start)
        if (reply.response_metadata or {}).get("finish_reason") == "length":
            raise TruncatedOutput(str(reply.content), max_tokens)
        return reply

    def _account(self, reply: AIMessage, key: str, purpose: str, prompt_hash: str | None, seconds: float) -> None:
        usage = reply.usage_metadata or {}
        prompt, completion = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
        self.usage.add(hit=False, prompt=prompt, completion=completion, seconds=seconds)
        if self.store:
            status = (reply.response_metadata or {}).get("finish_reason") or "ok"
            self.store.log_call(key, self.name, purpose, prompt_hash, prompt, completion, seconds, False, status)

    def _log_failure(self, key: str, purpose: str, prompt_hash: str | None, seconds: float, what: str) -> None:
        self.usage.add(hit=False, seconds=seconds, failed=True)
        if self.store:
            self.store.log_call(key, self.name, purpose, prompt_hash, 0, 0, seconds, False, f"error:{what}")

    def _remember(self, key: str, reply: AIMessage) -> None:
        """Cache a good answer (failures and truncations are never cached)."""
        if not self.store:
            return
        usage = reply.usage_metadata or {}
        self.store.cache_put(key, self.name, str(reply.content),
                             (reply.response_metadata or {}).get("finish_reason"),
                             usage.get("input_tokens", 0), usage.get("output_tokens", 0), 0.0)


def _tokens(reply: AIMessage) -> int:
    usage = reply.usage_metadata or {}
    return int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
