"""Ingest cost against input size: the same hostile shape at N and 10 x N characters, read and cleaned."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.ingest import parse_path
from agent.ingest.limits import Limits

# Each shape is a unit repeated to the size asked: long lines with and without sentence breaks, Markdown
# emphasis that never closes, link brackets, a JSON body, an HTML page of paragraphs, deep-ish nesting.
SHAPES: dict[str, tuple[str, str]] = {
    "sentences on one line (.txt)": (".txt", "Officials met. "),
    "no sentence break (.txt)": (".txt", "word "),
    "unclosed emphasis (.md)": (".md", "**a "),
    "unclosed links (.md)": (".md", "[a]( "),
    "JSON body": (".json", "Officials met on Monday. "),
    "HTML paragraphs": (".html", "<p>Officials met on Monday in the capital.</p>"),
    "HTML nesting": (".html", "<div><span>Officials met.</span></div>"),
}


@dataclass
class Row:
    """One shape at one size: characters, seconds, and the ratio to the smallest size's seconds."""

    shape: str
    chars: int
    seconds: float
    ratio: float


def _file(folder: Path, suffix: str, unit: str, chars: int) -> Path:
    body = unit * max(1, chars // len(unit))
    if suffix == ".json":
        text = json.dumps({"title": "Scaling", "text": body})
    elif suffix == ".html":
        text = f"<html><body><article>{body}</article></body></html>"
    else:
        text = "Scaling\n\n" + body + "\n"
    path = folder / f"input{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


def _time(path: Path, limits: Limits) -> float:
    start = time.perf_counter()
    try:
        parse_path(path, limits=limits)
    except Exception:  # noqa: BLE001 (a refusal costs time too; the bench measures it the same way)
        pass
    return time.perf_counter() - start


def run(base: int = 50_000, factor: int = 10, repeats: int = 3) -> list[Row]:
    """Each shape at BASE and FACTOR x BASE characters (best of REPEATS), limits raised out of the way."""
    limits = Limits(max_bytes=10**9, max_line_chars=10**9, max_seconds=0)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        for shape, (suffix, unit) in SHAPES.items():
            first = None
            for chars in (base, base * factor):
                path = _file(Path(tmp), suffix, unit, chars)
                seconds = min(_time(path, limits) for _ in range(repeats))
                first = first or seconds
                rows.append(Row(shape, chars, round(seconds, 4), round(seconds / first, 1)))
    return rows


def as_dicts(rows: list[Row]) -> list[dict]:
    """The rows as JSON objects."""
    return [asdict(r) for r in rows]
