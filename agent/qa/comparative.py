"""Comparative questions: spellings from the alias table and divergences from the comparison, as cited evidence."""

from __future__ import annotations

import re

from agent.text.entities import AliasTable
from agent.qa.retrieval import Hit, keys
from agent.text.norm import words
from agent.types import Article, Citation, Comparison

SPELLING = re.compile(r"\b(?:spell|spelling|spelled|spelt|spells)\b|\bname[sd]?\b.*\b(?:differ|outlets?)\b|"
                      r"\boutlets?\b.*\bname\b", re.IGNORECASE)
MIN_MATCH = 0.5


def _first_sentence_with(article: Article, needed: set[str]) -> Citation | None:
    for s in article.sentences:
        if needed <= set(words(s.text)):
            return article.cite(s.index)
    return None


def spelling_answer(question: str, articles: list[Article]) -> tuple[str, list[Citation]] | None:
    """For "how do the outlets spell X": each spelling of X, who uses it, and a sentence showing it."""
    if not SPELLING.search(question):
        return None
    asked = keys(question)
    by_id = {a.id: a for a in articles}
    for group in AliasTable.from_texts({a.id: a.text for a in articles}).variant_groups():
        if not any(keys(v) & asked for v in group.variants):
            continue
        spelled = {v: set(words(v)) for v in group.variants}
        parts, cites = [], []
        for variant, ids in group.variants.items():
            own = spelled[variant] - set().union(*(w for v, w in spelled.items() if v != variant))
            found = [c for c in (_first_sentence_with(by_id[i], own or spelled[variant]) for i in ids) if c]
            outlets = sorted({by_id[i].label for i in ids})
            parts.append(f"“{variant}” ({', '.join(outlets)})")
            cites += found
        return f"The outlets spell it differently: {'; '.join(parts)}.", cites
    return None


def divergence_hits(asked: set[str], comparison: Comparison | None) -> list[Hit]:
    """The sentences of the divergence that best matches the question's words (none when nothing matches well)."""
    if comparison is None or not comparison.divergences or not asked:
        return []

    def match(d) -> float:
        return len(asked & keys(" ".join(s.text for s in d.sides) + " " + d.kind.replace("_", " "))) / len(asked)

    best = max(comparison.divergences, key=match)
    if match(best) < MIN_MATCH:
        return []
    hits = []
    for side in best.sides:
        for ref in side.sentence_refs:
            cite = Citation(**ref.model_dump(), outlet=side.outlet)
            hits.append(Hit(cite, cite.text, 1.0, 0.0))
    return hits


def load_comparison(store, llm, article_ids: list[str] | None = None) -> Comparison | None:
    """The comparison of the stored articles from the pipeline (None when the pipeline is not available)."""
    try:
        from agent.analysis.run import analyse
    except ImportError:
        return None
    return analyse(store, llm, article_ids=article_ids).comparison
