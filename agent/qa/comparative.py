"""Comparative questions: spellings from the alias table and divergences from the comparison, as cited evidence."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.qa.match import MIN_RELEVANCE
from agent.qa.retrieval import Hit, keys
from agent.text.entities import AliasTable
from agent.text.norm import words
from agent.types import Article, Citation, Comparison

SPELLING = re.compile(r"\b(?:spell|spelling|spelled|spelt|spells)\b|\bname[sd]?\b.*\b(?:differ|outlets?)\b|"
                      r"\boutlets?\b.*\bname\b", re.IGNORECASE)


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


def divergence_hits(comparison: Comparison | None, asked: set[str], meets: Callable[[Citation], float],
                    detail: set[str] = frozenset()) -> tuple[list[Hit], float]:
    """The sentences of the divergence that meets the question best, and how well: by the meaning of its sentences,
    by the question's words in its sentences and its kind ("number or date"), or by the DETAIL the question's form
    asks for ("date" for "when") being its kind. None below MIN_RELEVANCE."""
    if comparison is None or not comparison.divergences:
        return [], 0.0
    sides = {d.id: [Citation(**r.model_dump(), outlet=s.outlet) for s in d.sides for r in s.sentence_refs]
             for d in comparison.divergences}

    def score(d) -> float:
        words_in = keys(" ".join(s.text for s in d.sides) + " " + d.kind.replace("_", " "))
        by_words = len(asked & words_in) / len(asked) if asked else 0.0
        by_kind = MIN_RELEVANCE if detail & set(d.kind.split("_")) else 0.0
        return max([by_words, by_kind] + [meets(c) for c in sides[d.id]])

    scored = {d.id: score(d) for d in comparison.divergences}
    best = max(comparison.divergences, key=lambda d: scored[d.id])
    if scored[best.id] < MIN_RELEVANCE:
        return [], 0.0
    return [Hit(c, c.text, 1.0, 0.0) for c in sides[best.id]], scored[best.id]


_comparisons: dict[tuple, Comparison | None] = {}


def load_comparison(store, llm, article_ids: list[str] | None = None) -> Comparison | None:
    """The comparison of the stored articles from the pipeline (None when the pipeline is not available).

    Kept for the process: a chat asks it once, not once per turn (its model calls are cached in the store anyway).
    """
    try:
        from agent.analysis.run import analyse
    except ImportError:
        return None
    ids = tuple(sorted(article_ids if article_ids is not None else [r["id"] for r in store.article_rows()]))
    key = (str(getattr(store, "path", id(store))), ids, llm.name)
    if key not in _comparisons:
        _comparisons[key] = analyse(store, llm, article_ids=article_ids, per_article=0).comparison
    return _comparisons[key]
