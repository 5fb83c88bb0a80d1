"""Provider errors after the SDK's own retries, as one clear line: a lost call, or an endpoint that needs fixing."""

from __future__ import annotations

import json

from agent.errors import ModelUnavailable, RemoteCallFailed, TruncatedOutput

# Transport failures seen while a body is being read (reset, cut chunked stream), by class name: the openai SDK
# uses httpx2 and LangChain plain httpx, so their classes differ but their names do not.
CUT = {"RemoteProtocolError", "ReadError", "ReadTimeout", "ConnectionResetError", "BrokenPipeError",
       "IncompleteRead", "ChunkedEncodingError", "WriteError"}
REFUSED = {"ConnectError", "ConnectionRefusedError", "gaierror", "ConnectTimeout"}


def _chain(exc: BaseException) -> list[BaseException]:
    """EXC and its causes, outermost first."""
    chain: list[BaseException] = []
    while exc is not None and all(exc is not e for e in chain):
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _origin(exc: Exception) -> Exception:
    """The openai SDK's own exception under LangChain's wrapper of it (their class names differ)."""
    return next((e for e in _chain(exc) if type(e).__module__.split(".")[0] == "openai"), exc)


def _detail(exc: BaseException) -> str:
    """The server's own message, short and on one line."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        body = body.get("message") or body.get("detail") or body.get("error") or body
    text = body if isinstance(body, str) else json.dumps(body) if body else str(exc)
    return " ".join(str(text).split())[:200]


def _retry_after(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    return f", Retry-After {value}" if value else ""


def translate(exc: Exception, model: str) -> Exception:
    """A provider exception as ModelUnavailable (fix the endpoint) or RemoteCallFailed (this call is lost)."""
    exc = _origin(exc)
    kind, status = type(exc).__name__, getattr(exc, "status_code", None)
    if kind in ("AuthenticationError", "PermissionDeniedError") or status in (401, 403):
        return ModelUnavailable(f"model {model} refused the API key (HTTP {status}); set OPENAI_API_KEY to a key "
                                "this endpoint accepts")
    if kind == "NotFoundError" or status == 404:
        return ModelUnavailable(f"model {model}: the endpoint answered 404 ({_detail(exc)}); check the URL ends in "
                                "/v1 and the name after # is a model the server lists at /v1/models")
    if kind == "LengthFinishReasonError":  # the SDK's parse path (json_schema) checks finish_reason itself
        choices = getattr(getattr(exc, "completion", None), "choices", None) or []
        return TruncatedOutput(str(choices[0].message.content or "") if choices else "", None)
    if kind == "ContentFilterFinishReasonError":
        return RemoteCallFailed(model, "the provider's content filter stopped the answer")
    names = [type(e).__name__ for e in _chain(exc)]
    if kind == "APITimeoutError" or "ReadTimeout" in names:
        return RemoteCallFailed(model, "no answer within the timeout (NEWSAGENT_REMOTE_TIMEOUT) after the "
                                       "SDK's retries")
    if kind == "APIConnectionError" and REFUSED & set(names):
        return ModelUnavailable(f"model {model} is unreachable ({names[-1]}); is the server running at that URL? "
                                "Or use a local model (-m local:qwen2.5-coder-1.5b)")
    if kind == "RateLimitError" or status == 429:
        return RemoteCallFailed(model, f"rate limited (HTTP 429{_retry_after(exc)}) after the SDK's retries",
                                status=429)
    if status is not None:
        return RemoteCallFailed(model, f"HTTP {status}: {_detail(exc)}", status=status)
    if kind == "APIConnectionError" or CUT & set(names):
        return RemoteCallFailed(model, f"connection dropped ({names[-1]})")
    if kind in ("APIResponseValidationError", "JSONDecodeError"):
        return RemoteCallFailed(model, f"the endpoint's reply was not valid JSON ({_detail(exc)})")
    if kind == "APIError":  # an error event inside a stream
        return RemoteCallFailed(model, f"the endpoint reported an error mid-answer ({_detail(exc)})")
    return exc


def is_format_rejection(exc: Exception) -> bool:
    """Whether an HTTP error says the server does not take this `response_format` (llama.cpp: 400/422/500)."""
    status = getattr(exc, "status_code", None)
    return status in (400, 422, 500) and "response_format" in _detail(exc) + str(exc)
