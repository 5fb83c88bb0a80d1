"""Briefs as Markdown (footnotes), HTML (hover links) and JSON (the documented contract)."""

from __future__ import annotations

import json

from agent.brief.inert import drop_foreign_urls, md_inline
from agent.types import Brief, Citation


class Footnotes:
    """Numbers each distinct cited sentence once, in order of first use."""

    def __init__(self) -> None:
        self.order: list[Citation] = []
        self._num: dict[tuple[str, int], int] = {}

    def number(self, c: Citation) -> int:
        """The footnote number of a citation."""
        key = (c.article_id, c.index)
        if key not in self._num:
            self.order.append(c)
            self._num[key] = len(self.order)
        return self._num[key]


def brief_json(brief: Brief) -> dict:
    """The JSON contract of `brief --format json`."""
    return {
        "title": brief.title, "template": brief.template,
        "sections": [{"title": s.title, "sentences": [
            {"text": x.text, "origin": x.origin, "note": x.note, "support": x.support, "flagged": x.flagged,
             "citations": [c.model_dump(include={"article_id", "outlet", "index", "start", "end", "text"})
                           for c in x.citations]} for x in s.sentences]} for s in brief.sections],
        "divergences": [d.model_dump() for d in brief.divergences],
        "sources": brief.sources,
        "run": brief.run.model_dump(),
    }


def to_json(brief: Brief) -> str:
    """The brief as indented JSON."""
    return json.dumps(brief_json(brief), indent=2, ensure_ascii=False, default=str)


def to_markdown(brief: Brief) -> str:
    """The brief as Markdown with footnote markers quoting the outlet's sentence; article text is inert."""
    notes = Footnotes()
    ok = allowed_urls(brief)
    lines = [f"# {md_inline(brief.title, ok)}", ""]
    for section in brief.sections:
        if not section.sentences:
            continue
        lines += [f"## {section.title}", ""]
        for s in section.sentences:
            marks = "".join(f"[^{notes.number(c)}]" for c in s.citations)
            flag = " *(weakly supported)*" if s.flagged else ""
            note = f" — *{md_inline(s.note, ok)}*" if s.note else ""
            lines.append(f"- {md_inline(s.text, ok)}{note}{marks}{flag}")
        lines.append("")
    lines += sources_markdown(brief) + run_markdown(brief)
    lines += [f"[^{n}]: {md_inline(c.outlet, ok)}, sentence {c.index}: “{md_inline(c.text, ok)}”"
              for n, c in enumerate(notes.order, 1)]
    return drop_foreign_urls("\n".join(lines) + "\n", ok)


def allowed_urls(brief: Brief) -> set[str]:
    """The URLs a Markdown brief may show: those in the sources' metadata, nothing an article's text says."""
    return {s["url"] for s in brief.sources if isinstance(s.get("url"), str)}


def sources_markdown(brief: Brief) -> list[str]:
    """The Sources section: outlet, title, date, derivative flag, removed boilerplate."""
    lines, ok = ["## Sources", ""], allowed_urls(brief)
    for s in brief.sources:
        sim = f" (similarity {s['similarity']:.2f})" if s.get("similarity") is not None else ""
        copy = f" — **derivative of {md_inline(s['derivative_of'], ok)}**{sim}" if s.get("derivative_of") else ""
        removed = f"; {len(s['removed'])} boilerplate lines removed" if s.get("removed") else ""
        lines.append(f"- {md_inline(s['outlet'], ok)}: *{md_inline(s.get('title') or 'untitled', ok)}* "
                     f"({md_inline(s.get('published') or 'date unknown', ok)}){copy}{removed}")
    return lines + [""]


def run_markdown(brief: Brief) -> list[str]:
    """One line saying what the run cost."""
    r = brief.run
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in r.stage_seconds.items())
    return [f"*Model {r.model}; {r.seconds:.1f} s ({stages}); {r.model_calls} model calls, {r.cache_hits} cache hits,"
            f" {r.tokens} tokens; {r.unsupported_removed} unsupported sentences removed.*", ""]


def to_html(brief: Brief) -> str:
    """The brief as a standalone HTML page (agent/brief/html.py): inline CSS, one link per citation."""
    from agent.brief.html import to_html as standalone

    return standalone(brief)


RENDERERS = {"md": to_markdown, "json": to_json, "html": to_html}
