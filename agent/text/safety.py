"""Article sentences that talk to the model instead of reporting news: never extracted, shown or cited."""

from __future__ import annotations

import re

INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bmaintenance mode\b"
    r"|\b(?:ai|language model)s?\b[^.]{0,30}\b(?:summari[sz]|read)"
    r"|^\s*(?:assistant|system|user)\s*:|<\|?(?:system|im_start)",
    re.IGNORECASE)


def looks_like_injection(text: str) -> bool:
    """Whether a sentence talks to the model (instructions, fake turns) rather than reporting."""
    return bool(INJECTION.search(text))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_terminal(text: str) -> str:
    """Text safe to print to a terminal: control characters (ESC and the rest) shown as visible escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
