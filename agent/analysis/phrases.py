"""Quotations, named terms and name spellings compared across the whole corpus (not only inside facts)."""

from __future__ import annotations

from agent.analysis.annotate import Annotations
from agent.analysis.sides import div_id, original_index, side
from agent.text.entities import AliasGroup
from agent.text.norm import STOPWORDS, content_words, normalize_phrase
from agent.text.quotes import phrase_drift, quote_relation
from agent.types import Article, Divergence

SHORT_PHRASE = 6  # words: a quoted phrase this short that changes one word is wording drift, not a new quote
SAME_SENSE = 0.7  # cosine of the two sentences at which a reworded quotation keeps its sense


def quoted_spans(ann: Annotations) -> list[tuple[Article, int, str]]:
    """Every quotation of two or more words, with its article and sentence, plus the word that follows it."""
    out = []
    for (aid, index), note in ann.notes.items():
        if not note.reportable:
            continue
        text = note.text
        for q in note.quotes:
            n = len(q.text.split())
            if n >= 2 or "-" in q.text:
                out.append((ann.articles[aid], index, q.text))
                tail = text[q.end:].lstrip(" ”\"'’").split(" ")[:1]
                # A scare-quoted word and the noun it qualifies ("no-limits" partnership) is one named term.
                if n <= 2 and q.text.rstrip()[-1:] not in ",.;:!?" and tail and tail[0].isalpha():
                    out.append((ann.articles[aid], index, f"{q.text} {tail[0]}"))
    return out


def quote_divergences(ann: Annotations) -> list[Divergence]:
    """Quotes and named phrases that one outlet words differently from another."""
    spans = quoted_spans(ann)
    found: dict[tuple, Divergence] = {}
    for i, j in _span_pairs(spans):
        (a, ai, qa), (b, bi, qb) = spans[i], spans[j]
        d = _quote_pair(a, ai, qa, b, bi, qb, ann)
        if d is not None:
            found.setdefault((d.kind, frozenset({(a.id, ai), (b.id, bi)})), d)
    return list(found.values())


COMMON = 50  # a word in more quotations than this proposes no pair


def _span_pairs(spans: list[tuple[Article, int, str]]) -> list[tuple[int, int]]:
    """Pairs of quotations from different articles sharing a word (an inverted index, not every pair)."""
    holders: dict[str, list[int]] = {}
    for i, (_, _, text) in enumerate(spans):
        for w in content_words(text):
            holders.setdefault(w, []).append(i)
    pairs = {(x, y) for ids in holders.values() if len(ids) <= COMMON for n, x in enumerate(ids) for y in ids[n + 1:]
             if spans[x][0].id != spans[y][0].id}
    return sorted(pairs)


def _quote_pair(a: Article, ai: int, qa: str, b: Article, bi: int, qb: str,
                ann: Annotations) -> Divergence | None:
    """The divergence between two quoted strings, if they are versions of one another."""
    drift = phrase_drift(qa, qb)
    if drift is not None and all(x in STOPWORDS and y in STOPWORDS for x, y in drift.swaps):
        drift = None  # "guidance from" vs "guidance had": the words after a quote, not a changed term
    short = max(len(qa.split()), len(qb.split())) <= SHORT_PHRASE
    if drift is not None and short:
        kind, swaps = "wording_drift", ", ".join(f"{x!r} -> {y!r}" for x, y in drift.swaps)
    elif quote_relation(qa, qb) == "altered" and not short:
        kind, swaps = "quote_altered", ""
    else:
        return None
    sides = [side(a, [ai]), side(b, [bi])]
    pref = original_index(sides, ann.roots)
    if kind == "wording_drift":
        resolution = "prefer_original" if pref is not None else "minor_wording"
        why = f"{a.label} writes “{qa}”, {b.label} “{qb}” ({swaps})."
    else:
        same_sense = ann.cosine((a.id, ai), (b.id, bi)) >= SAME_SENSE
        resolution = "prefer_original" if pref is not None else "minor_wording" if same_sense else "disputed"
        why = f"{a.label} and {b.label} quote the same words differently: “{qa}” vs “{qb}”."
        why += " The sense is the same." if same_sense and pref is None else ""
    if pref is not None:
        why += f" {sides[1 - pref].outlet} copies {sides[pref].outlet}'s story, so the original wording stands."
    detail = term_detail(drift) if kind == "wording_drift" else quote_detail(qa, qb)
    return Divergence(id=div_id(kind, sides), kind=kind, sides=sides, resolution=resolution, preferred_side=pref,
                      rationale=why, confidence=0.8 if pref is not None else 0.6,
                      set_aside=[1 - pref] if pref is not None else [], detail=detail)


def term_detail(drift) -> str:
    """The words a changed term swaps, in a stable order ("accord/pact")."""
    return "/".join(sorted({w for pair in drift.swaps for w in pair}))


def quote_detail(*quotes: str) -> str:
    """The quotations compared, normalised, in a stable order."""
    return "|".join(sorted({" ".join(normalize_phrase(q).split()) for q in quotes}))


def name_divergences(ann: Annotations) -> list[Divergence]:
    """One entity spelled differently by different outlets (Kiev/Kyiv, Aleksandr/Alexander)."""
    out = []
    for group in ann.aliases.variant_groups():
        sides = []
        for spelling, article_ids in _spellings(group):
            hit = _first_sentence_with(spelling, [ann.articles[x] for x in article_ids if x in ann.articles], ann)
            if hit:
                sides.append(side(hit[0], [hit[1]]))
        if len(sides) >= 2:
            spellings = " / ".join(f"“{s}”" for s, _ in _spellings(group))
            out.append(Divergence(id=div_id("name_variant", sides), kind="name_variant", sides=sides,
                                  resolution="same_entity", rationale=f"One name, spelled {spellings}.",
                                  confidence=0.8))
    return out


def _spellings(group: AliasGroup) -> list[tuple[str, list[str]]]:
    """(spelling, article ids) pairs of an alias group."""
    return [(k, sorted(v)) for k, v in group.variants.items()]


def _first_sentence_with(text: str, articles: list[Article], ann: Annotations) -> tuple[Article, int] | None:
    for a in articles:
        for s in a.sentences:
            if text in s.text and ann.notes[(a.id, s.index)].reportable:
                return a, s.index
    return None
