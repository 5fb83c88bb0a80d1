"""Turn a model's raw text into a validated pydantic object, or say exactly why not."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agent.errors import StructuredOutputError, TruncatedOutput

T = TypeVar("T", bound=BaseModel)
FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


class InvalidAnswer(ValueError):
    """The text is not valid JSON for the schema; the message is shown to the model on re-ask."""


def extract_json(text: str) -> object:
    """Parse the first JSON value in TEXT, tolerating code fences and trailing prose."""
    body = FENCE.sub("", text.strip())
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise InvalidAnswer("the answer holds no JSON object")
    try:
        value, _ = json.JSONDecoder(strict=False).raw_decode(body[start:])
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"invalid JSON: {exc.msg} at position {exc.pos}") from exc
    return value


def validate(text: str, schema: type[T]) -> T:
    """Parse and validate TEXT against SCHEMA; InvalidAnswer with a short reason otherwise."""
    value = extract_json(text)
    if isinstance(value, dict) and "properties" in value and "type" in value and "properties" not in schema.model_fields:
        raise InvalidAnswer("the answer repeats the JSON schema instead of filling it in")
    try:
        return schema.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidAnswer(f"the JSON does not match the schema: {problems}") from exc


def parse_structured(text: str, schema: type[T], metadata: dict | None = None) -> T:
    """Validate one answer: a truncated answer is its own error; invalid JSON raises StructuredOutputError."""
    if (metadata or {}).get("finish_reason") == "length":
        raise TruncatedOutput(text, (metadata or {}).get("max_tokens"))
    try:
        return validate(text, schema)
    except InvalidAnswer as exc:
        raise StructuredOutputError(str(exc), raw=text, attempts=1) from exc
