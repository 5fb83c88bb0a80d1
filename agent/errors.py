"""Exception families: user mistakes apart from model misbehaviour."""

from __future__ import annotations


class NewsagentError(Exception):
    """Base of every error newsagent raises on purpose."""


# --- usage and input mistakes -------------------------------------------------
class UsageError(NewsagentError):
    """The user asked for something that cannot be done as asked."""


class UnknownModel(UsageError):
    """A model string names no known model or provider."""

    def __init__(self, name: str, known: list[str], hint: str = ""):
        self.name, self.known = name, known
        msg = f"unknown model {name!r}; known: {', '.join(known)}"
        super().__init__(msg + (f". {hint}" if hint else ""))


class BadInput(UsageError):
    """One input file cannot be used; the message names the file and the reason."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class PromptError(UsageError):
    """A prompt file is missing, malformed, or rendered with missing variables."""


# --- environment ---------------------------------------------------------------
class ModelUnavailable(NewsagentError):
    """The model cannot be reached or loaded; the message says how to fix it."""


class ModelIntegrityError(ModelUnavailable):
    """A model file does not match the registry's size or sha256."""


# --- model misbehaviour ----------------------------------------------------------
class ModelOutputError(NewsagentError):
    """The model answered, but not with something usable."""


class TruncatedOutput(ModelOutputError):
    """The answer was cut at max_tokens (finish reason `length`); never re-asked as is."""

    def __init__(self, raw: str, max_tokens: int | None):
        self.raw, self.max_tokens = raw, max_tokens
        super().__init__(f"model output truncated at max_tokens={max_tokens} ({len(raw)} chars)")


class StructuredOutputError(ModelOutputError):
    """The answer failed validation after the capped re-asks; carries the evidence."""

    def __init__(self, message: str, raw: str, attempts: int, tokens: int = 0):
        self.raw, self.attempts, self.tokens = raw, attempts, tokens
        super().__init__(f"{message} (after {attempts} attempt(s); last output: {raw[:200]!r})")


class RemoteCallFailed(ModelOutputError):
    """A remote call failed after the SDK's own retries; only this call is lost, and it is never cached."""

    def __init__(self, model: str, reason: str, *, status: int | None = None):
        self.model, self.reason, self.status = model, reason, status
        super().__init__(f"{model}: {reason}; this call is skipped and redone on the next run")

