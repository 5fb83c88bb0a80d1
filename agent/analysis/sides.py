"""The versions of a divergence: one side per article, its sentences as written, and a stable id."""

from __future__ import annotations

import hashlib

from agent.types import Article, DivergenceSide


def side(article: Article, indexes: list[int], claim_ids: list[str] | None = None) -> DivergenceSide:
    """One version: the article and its sentences as written."""
    refs = [article.ref(i) for i in indexes]
    return DivergenceSide(article_id=article.id, outlet=article.label, claim_ids=claim_ids or [],
                          sentence_refs=refs, text=" ".join(r.text for r in refs))


def div_id(kind: str, sides: list[DivergenceSide]) -> str:
    """A stable id for a divergence."""
    key = kind + "|" + "|".join(f"{s.article_id}:{[r.index for r in s.sentence_refs]}" for s in sides)
    return f"D-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def original_index(sides: list[DivergenceSide], roots: dict[str, str]) -> int | None:
    """The side that is the original when another side is a derivative copy of it."""
    for i, s in enumerate(sides):
        if any(o is not s and roots.get(o.article_id) == s.article_id != o.article_id for o in sides):
            return i
    return None
