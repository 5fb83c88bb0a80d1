"""The index page of a set of per-event briefs: each event with a link to its brief, and the off-topic articles."""

from __future__ import annotations

import html
import json

from agent.events.catalog import Event
from agent.events.runs import OffTopic

Entry = tuple[Event, str, int]  # the event, its brief's file name (relative to the index), articles briefed


def index_page(entries: list[Entry], off_topic: list[OffTopic], fmt: str) -> str:
    """The index in FMT (md, html or json)."""
    if fmt == "json":
        return json.dumps({"events": [e.as_dict() | {"brief": name, "briefed": n} for e, name, n in entries],
                           "off_topic": [o.__dict__ for o in off_topic]}, indent=2, ensure_ascii=False)
    if fmt == "html":
        return _html(entries, off_topic)
    lines = [f"# {len(entries)} events", ""]
    for e, name, n in entries:
        lines.append(f"- [{_md(e.label)}]({name}) · {n} articles · {_md(', '.join(e.outlets))} · {e.span()} · `{e.id}`")
    if off_topic:
        lines += ["", "## Off-topic, left out", ""] + [f"- {_md(o.line())}" for o in off_topic]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Article text made inert in Markdown: no links, emphasis or HTML of its own."""
    return "".join("\\" + c if c in "\\`*_[]()<>#!|" else c for c in " ".join(text.split()))


def _html(entries: list[Entry], off_topic: list[OffTopic]) -> str:
    rows = "".join(
        f'<li><a href="{html.escape(name, quote=True)}">{html.escape(e.label)}</a> · {n} articles · '
        f"{html.escape(', '.join(e.outlets))} · {e.span()} · <code>{e.id}</code></li>" for e, name, n in entries)
    off = "".join(f"<li>{html.escape(o.line())}</li>" for o in off_topic)
    off_part = f"<h2>Off-topic, left out</h2><ul>{off}</ul>" if off else ""
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Events</title></head><body>"
            f"<h1>{len(entries)} events</h1><ul>{rows}</ul>{off_part}</body></html>\n")
