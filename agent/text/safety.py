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
