"""A fake chat model for tests and offline demos: queued or computed answers, and a record of every call."""

from __future__ import annotations

import json
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

    def enqueue(self, *answers: Answer) -> "FakeChatModel":
        """Add answers to the queue."""
        self.answers.extend(answers)
        return self

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
