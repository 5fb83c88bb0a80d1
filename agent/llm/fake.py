"""The fake model (`-m fake:`): queued or computed answers, a record of every call; for tests and offline demos."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ConfigDict, Field

Answer = str | dict | list | BaseModel | Exception


class Truncated(str):
    """An answer the fake returns with finish reason `length`."""


def _as_text(answer: Answer) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json()
    if isinstance(answer, (dict, list)):
        return json.dumps(answer)
    return str(answer)


class FakeChatModel(BaseChatModel):
    """Returns queued answers in order (or what `respond(messages, kwargs)` computes) and records calls."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    answers: list[Any] = Field(default_factory=list)
    respond: Callable[[list[BaseMessage], dict], Answer] | None = None
    calls: list[dict] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "newsagent-fake"

    def _next(self, messages: list[BaseMessage], kwargs: dict) -> Answer:
        if self.answers:
            return self.answers.pop(0)
        if self.respond is not None:
            return self.respond(messages, kwargs)
        raise AssertionError("FakeChatModel: no answer queued for this call")

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.calls.append({"messages": [(m.type, str(m.content)) for m in messages], "kwargs": kwargs})
        answer = self._next(messages, kwargs)
        if isinstance(answer, Exception):
            raise answer
        text = _as_text(answer)
        prompt_tokens = sum(len(str(m.content).split()) for m in messages)
        message = AIMessage(
            content=text,
            usage_metadata={"input_tokens": prompt_tokens, "output_tokens": len(text.split()),
                            "total_tokens": prompt_tokens + len(text.split())},
            response_metadata={"finish_reason": "length" if isinstance(answer, Truncated) else "stop"},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kwargs: Any) -> Runnable:
        """Parse the next answer into SCHEMA, as real structured output would."""
        from agent.llm.parse import parse_structured

        bound = self.bind(response_format={"type": "json_object", "schema": schema.model_json_schema()})

        def _parse(message: AIMessage) -> Any:
            parsed = parse_structured(str(message.content), schema, message.response_metadata)
            return {"raw": message, "parsed": parsed, "parsing_error": None} if include_raw else parsed

        return bound | RunnableLambda(_parse)


def fake_llm(*answers: Answer, respond: Callable | None = None, store: Any = None, max_reasks: int = 2):
    """An LLM handle over a FakeChatModel (model id `fake`)."""
    from agent.llm import LLM

    chat = FakeChatModel(answers=list(answers), respond=respond)
    return LLM(chat, "fake", store=store, max_reasks=max_reasks, name="fake")


# --- the `fake:` provider: deterministic, schema-valid answers computed from the prompt itself -------------------
_NUMBERED = re.compile(r"^\[S?(\d+)\] (?:\([^)]*\) )?(.*)$", re.M)
_KEYS = re.compile(r"^Sentences: (.*)$", re.M)
_WORD_CHARS = re.compile(r'["\\]')


def _user_text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages if m.type == "human")


def _capped_words(text: str, n: int) -> str:
    """The first N words of TEXT, each at most 16 characters, without quotes or backslashes (the extract grammar)."""
    words = [w[:16] for w in _WORD_CHARS.sub("", text).rstrip(".").split() if w.strip(".,;:")]
    return " ".join(words[:n]) or "it"


def _extract(user: str, schema: dict) -> dict:
    """Who = the sentence's first two words, did = the third."""
    lines = dict(_NUMBERED.findall(user))
    keys = _KEYS.search(user)
    wanted = keys.group(1).split(", ") if keys else list(schema.get("properties", {}))
    out = {}
    for key in wanted:
        words = _capped_words(lines.get(key[1:], "it happened"), 3).split()
        out[key] = {"who": " ".join(words[:2]) or "it", "did": (words[2:] or ["said"])[0]}
    return out


def _lead(user: str, schema: dict) -> dict:
    """The first two numbered facts, copied."""
    facts = _NUMBERED.findall(user)[:2]
    sentences = [{"text": re.sub(r"\s*\((?:planned\)|\d+ outlets?\))", "", t).strip(), "facts": [int(n)]}
                 for n, t in facts]
    return {"sentences": sentences or [{"text": "Nothing to report.", "facts": []}]}


def _qa(user: str, schema: dict) -> dict:
    """The first retrieved sentence, cited."""
    found = _NUMBERED.findall(user)
    if not found:
        return {"answer": "not stated", "cite": [], "found": False}
    return {"answer": found[0][1], "cite": [int(found[0][0])], "found": True}


_PAIR = re.compile(r"^A \([^)]*\): (.*)\nB \([^)]*\): (.*)$", re.M)


def _pair(user: str, schema: dict) -> dict:
    """The words A shares with B, in A's order, when they are at least half the shorter sentence; else "none"."""
    found = _PAIR.search(user)
    if not found:
        return {"shared": "none"}
    a, b = found.group(1).split(), found.group(2).lower().split()
    shared = [w for w in a if w.lower() in set(b)]
    return {"shared": " ".join(shared)[:150] if len(shared) >= 0.5 * max(1, min(len(a), len(b))) else "none"}


def _events(user: str, schema: dict) -> dict:
    """Same event when the two headlines and leads share a quarter of their words, related at a tenth."""
    out = {}
    for n, a, b in re.findall(r"^\[P(\d+)\]\nA \(.*?\): (.*)\nB \(.*?\): (.*)$", user, re.M):
        wa, wb = set(re.findall(r"\w{4,}", a.lower())), set(re.findall(r"\w{4,}", b.lower()))
        overlap = len(wa & wb) / max(1, min(len(wa), len(wb)))
        out[f"P{n}"] = "same" if overlap >= 0.25 else "related" if overlap >= 0.1 else "different"
    for key in schema.get("properties", {}):
        out.setdefault(key, "different")
    return out


RESPONDERS: dict[str, Callable[[str, dict], dict]] = {
    "SentenceClaims": _extract, "Lead": _lead, "ModelAnswer": _qa, "SharedFact": _pair,
    "Verdict": lambda user, schema: {"supported": True, "reason": ""},
    "EventPairs": _events,
}


def scripted(messages: list[BaseMessage], kwargs: dict) -> Answer:
    """The `fake:` model's answer: a responder by schema title, else the QA answer shape for plain text."""
    schema = (kwargs.get("response_format") or {}).get("schema") or {}
    user = _user_text(messages)
    responder = RESPONDERS.get(str(schema.get("title", "")))
    if responder is not None:
        return responder(user, schema)
    if schema:
        raise ValueError(f"the fake model has no answer for schema {schema.get('title')!r}")
    return _qa(user, schema)


def fake_chat_model() -> FakeChatModel:
    """The chat model behind `-m fake:` (no download, deterministic)."""
    return FakeChatModel(respond=scripted)
