"""One read document to one Article: title, metadata from the text, boilerplate marks, cleaned text, sentences."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace

from agent.errors import BadInput
from agent.ingest import boilerplate, metadata
from agent.ingest.metadata import Meta
from agent.ingest.readers import Document
from agent.ingest.sentences import MAX_SENTENCE_CHARS, sentences_for
from agent.types import Article, RemovedLine

HEAD_LINES = 12  # bylines and date lines are looked for among the first lines only


def article_id(text: str) -> str:
    """The article id: the first 16 hex digits of the sha256 of the cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def build_article(doc: Document, counts: Counter | None = None, known: frozenset[str] = frozenset(),
                  max_sentence_chars: int = MAX_SENTENCE_CHARS) -> Article:
    """Clean DOC into an Article; COUNTS/KNOWN are corpus statistics for lines repeated across articles."""
    lines = doc.lines
    marks = {i: r for i, line in enumerate(lines) if line.strip() and (r := boilerplate.pattern_reason(line))}
    inferred, meta_marks = _metadata_lines(lines, marks)
    marks.update(meta_marks)
    meta = doc.meta
    meta, title_marks = _title(doc, lines, marks, meta)
    marks.update(title_marks)
    marks.update(boilerplate.repeated_inside(lines, skip=set(marks)))
    for i, line in enumerate(lines):
        if i not in marks and line.strip() and (r := boilerplate.repeated_across(line, counts, known)):
            marks[i] = r
    marks.update(boilerplate.footer_marks(lines, marks))
    marks.update(boilerplate.shape_marks(lines, marks))
    paragraphs = [line.strip() for i, line in enumerate(lines) if i not in marks and line.strip()]
    removed = list(doc.removed) + [RemovedLine(text=lines[i].strip(), reason=marks[i]) for i in sorted(marks)]
    clues = _outlet_clues(lines)
    paragraphs = _strip_dateline(paragraphs, removed, clues)
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise BadInput(doc.path, "no article text left after removing boilerplate")
    meta = meta.merged(_inferred_meta(inferred, clues))
    return _article(doc, meta, text, removed, max_sentence_chars)


def _article(doc: Document, meta: Meta, text: str, removed: list[RemovedLine], max_sentence_chars: int) -> Article:
    aid = article_id(text)
    return Article(
        id=aid, path=doc.path, title=meta.title, outlet=meta.outlet, outlet_source=meta.outlet_source,
        byline=meta.byline, url=meta.url, published=meta.published, published_source=meta.published_source,
        text=text, sentences=sentences_for(aid, text, max_sentence_chars), removed=removed, raw_sha256=doc.raw_sha256,
    )


def _metadata_lines(lines: list[str], marks: dict[int, str]) -> tuple[Meta, dict[int, str]]:
    """Byline and date lines near the top: their values, and the marks that take them out of the body."""
    found = Meta()
    out: dict[int, str] = {}
    head = [i for i, line in enumerate(lines) if line.strip()][:HEAD_LINES]
    for i in head:
        line = lines[i].strip()
        if found.byline is None and (by := metadata.byline(line)):
            found.byline = by[0]
            out[i] = "byline (kept as metadata)"
        elif i not in marks and (day := metadata.date_line(line)):
            if found.published is None:
                found.published, found.published_source = day, f"date_line:{line}"
            out[i] = "date line (kept as metadata)"
    return found, out


def _title(doc: Document, lines: list[str], marks: dict[int, str], meta: Meta) -> tuple[Meta, dict[int, str]]:
    """The headline: declared, or the first body line when it reads like one; copies of it leave the body."""
    kept = [i for i, line in enumerate(lines) if line.strip() and i not in marks]
    out: dict[int, str] = {}
    if meta.title is None and doc.title_is_first_line and len(kept) > 1 and boilerplate.is_headline_like(lines[kept[0]]):
        meta = replace(meta, title=lines[kept[0]].strip())
        out[kept[0]] = "headline (kept as the title)"
        kept = kept[1:]
    if meta.title and kept and boilerplate.norm(lines[kept[0]]) == boilerplate.norm(meta.title):
        out[kept[0]] = "repeats the title"
    return meta, out


def _outlet_clues(lines: list[str]) -> list[tuple[int, str, str]]:
    return [clue for line in lines if line.strip() for clue in metadata.outlet_clues(line)]


def _strip_dateline(paragraphs: list[str], removed: list[RemovedLine], clues: list) -> list[str]:
    """Take "CITY, Month D (WIRE) —" off the first paragraph; a wire named there is an outlet clue."""
    if not paragraphs:
        return paragraphs
    m = metadata.dateline(paragraphs[0])
    if not m or not paragraphs[0][m.end():].strip():
        return paragraphs
    removed.append(RemovedLine(text=m.group(0).strip(), reason="dateline (place, date and wire credit)"))
    if m.group("wire"):
        clues.append((1, m.group("wire").strip(), f"dateline:{m.group(0).strip()}"))
    return [paragraphs[0][m.end():].lstrip()] + paragraphs[1:]


def _inferred_meta(found: Meta, clues: list[tuple[int, str, str]]) -> Meta:
    if clues:
        _, outlet, source = min(clues, key=lambda c: c[0])
        found = replace(found, outlet=outlet, outlet_source=source)
    return found
