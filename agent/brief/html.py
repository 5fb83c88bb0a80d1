"""The standalone HTML brief: one offline file with inline CSS, the app's look, and one link per citation."""

from __future__ import annotations

from html import escape
from pathlib import Path

from agent.brief.render import Footnotes
from agent.types import Brief, Citation, CitedSentence

STYLE_PATH = Path(__file__).with_name("style.css")  # the same stylesheet `newsagent serve` uses for briefs


def style() -> str:
    """The brief stylesheet, to inline."""
    return STYLE_PATH.read_text(encoding="utf-8")


def markers(citations: list[Citation], notes: Footnotes) -> str:
    """Separate bracketed markers, [1][2], each a link to its cited sentence with the sentence as its title."""
    if not citations:
        return ""
    links = "".join(f'<a class="cite" href="#n{notes.number(c)}" title="{escape(c.outlet or "")}: {escape(c.text)}">'
                    f"[{notes.number(c)}]</a>" for c in citations)
    return f'<span class="cites">{links}</span>'


def sentence_item(s: CitedSentence, notes: Footnotes) -> str:
    """One brief sentence as a list item with its markers."""
    flagged = ' class="flagged"' if s.flagged else ""
    return f"<li{flagged}>{escape(s.text)}{markers(s.citations, notes)}</li>"


def sources_items(brief: Brief) -> list[str]:
    """The Sources section: outlet, title, date, derivative flag, removed boilerplate."""
    out = []
    for s in brief.sources:
        sim = f" (similarity {s['similarity']:.2f})" if s.get("similarity") is not None else ""
        copy = f" — <strong>derivative of {escape(str(s['derivative_of']))}</strong>{sim}" if s.get("derivative_of") else ""
        removed = f"; {len(s['removed'])} boilerplate lines removed" if s.get("removed") else ""
        out.append(f"<li>{escape(str(s.get('outlet') or ''))}: <i>{escape(s.get('title') or 'untitled')}</i> "
                   f"({escape(str(s.get('published') or 'date unknown'))}){copy}{removed}</li>")
    return out


def run_line(brief: Brief) -> str:
    """What the run cost, in one line."""
    r = brief.run
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in r.stage_seconds.items())
    return (f"Model {escape(r.model)}; {r.seconds:.1f} s ({escape(stages)}); {r.model_calls} model calls, "
            f"{r.cache_hits} cache hits, {r.tokens} tokens; {r.unsupported_removed} unsupported sentences removed.")


def to_html(brief: Brief) -> str:
    """The brief as one standalone HTML page: no script, no external resource, inline CSS."""
    notes = Footnotes()
    body = [f'<article class="brief"><h1 class="brief-title">{escape(brief.title)}</h1>']
    for section in brief.sections:
        if section.sentences:
            items = "".join(sentence_item(s, notes) for s in section.sentences)
            body.append(f'<section class="brief-section"><h2>{escape(section.title)}</h2>'
                        f'<ul class="sentences">{items}</ul></section>')
    body.append(f'<section class="brief-section"><h2>Sources</h2><ul class="sources">'
                f'{"".join(sources_items(brief))}</ul></section>')
    cited = "".join(f'<li id="n{n}">{escape(c.outlet or "")}, sentence {c.index}: “{escape(c.text)}”</li>'
                    for n, c in enumerate(notes.order, 1))
    body.append(f'<section class="brief-section"><h2>Cited sentences</h2><ol class="cited">{cited}</ol></section>')
    body.append(f'<p class="run">{run_line(brief)}</p></article>')
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(brief.title)}</title><style>{style()}</style></head>"
            f"<body class=\"standalone\">{''.join(body)}</body></html>\n")
