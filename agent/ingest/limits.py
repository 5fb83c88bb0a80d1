"""What one input file may cost: bytes, line and sentence length, nesting depth, seconds; and the checks."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from agent.errors import BadInput
from agent.ingest.sentences import MAX_SENTENCE_CHARS


@dataclass(frozen=True)
class Limits:
    """Caps per input file; each has a command-line flag to raise it (named in the error)."""

    max_bytes: int = 5_000_000
    max_line_chars: int = 200_000
    max_sentence_chars: int = MAX_SENTENCE_CHARS
    max_depth: int = 64
    max_seconds: float = 60.0


FLAGS = {"max_bytes": "--max-bytes", "max_line_chars": "--max-line-chars", "max_depth": "--max-depth",
         "max_seconds": "--max-seconds"}


def over(path: str, what: str, value: float, limit: float, name: str) -> BadInput:
    """The error for a file over one limit: what, how much, the cap, and the flag that raises it."""
    return BadInput(path, f"{what} is {value:,}, over the {limit:,} limit (raise it with {FLAGS[name]})")


def check_lines(text: str, path: str, limits: Limits) -> None:
    """BadInput when a line of TEXT is longer than the line limit (cleaning and splitting are linear, but bounded)."""
    longest = max(map(len, text.split("\n")), default=0)
    if longest > limits.max_line_chars:
        raise over(path, "the longest line (characters)", longest, limits.max_line_chars, "max_line_chars")


_BRACKETS = re.compile(r"[^\[\]{}]+")


def bracket_depth(text: str) -> int:
    """How deeply brackets nest in TEXT, quotes not considered (an upper bound, before any parser recurses)."""
    return max(accumulate(1 if c in "[{" else -1 for c in _BRACKETS.sub("", text)), default=0)


def nesting_depth(value: object) -> int:
    """How deeply lists and dicts nest in a parsed value (iterative: no recursion of our own)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_depth(depth: int, what: str, path: str, limits: Limits) -> None:
    """BadInput when a structure nests deeper than the depth limit."""
    if depth > limits.max_depth:
        raise over(path, f"{what} nesting depth", depth, limits.max_depth, "max_depth")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(value: object) -> object:
    """VALUE with every lone surrogate in its strings (JSON `\\ud800`) replaced by U+FFFD: they cannot be stored."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


def display_path(path: str | Path) -> str:
    """A file name as valid text: bytes that are not UTF-8 shown as \\xNN escapes (they cannot be stored or printed)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class FileTimeout(Exception):
    """One file took longer than the time limit."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise FileTimeout in this block after SECONDS (main thread only: elsewhere the block runs unbounded)."""
    usable = seconds > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
