"""Article text made inert for Markdown: no live links, images, raw HTML or control characters, and no foreign URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.text.safety import URL  # any scheme a renderer may follow or run, and bare www. hosts (GFM links them)

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# ASCII punctuation with a meaning in Markdown inline syntax; a backslash makes each one literal (CommonMark).
_ACTIVE = re.compile(r"([\\`*_\[\]<>!&|~])")
REMOVED = "(link removed)"


def md_inline(text: object, allowed: Iterable[str] = ()) -> str:
    """TEXT shown literally inside a Markdown line: one line, no control characters, foreign URLs removed."""
    keep = set(allowed)
    flat = " ".join(CONTROL.sub("", str(text)).split())
    flat = URL.sub(lambda m: m.group() if m.group() in keep else REMOVED, flat)
    return _ACTIVE.sub(r"\\\1", flat)


def drop_foreign_urls(markdown: str, allowed: Iterable[str] = ()) -> str:
    """The last line of defence: every URL in the output that the sources' metadata does not hold is removed."""
    keep = set(allowed)
    return URL.sub(lambda m: m.group() if m.group() in keep else REMOVED, markdown)


def urls_in(text: str) -> list[str]:
    """The URLs in TEXT (what an output scan looks for)."""
    return URL.findall(text)
