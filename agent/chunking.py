"""Token-budget chunks of an article on sentence boundaries, rendered as numbered lines `[S12] text`."""

from __future__ import annotations

from collections.abc import Sequence

from agent import tokens
from agent.types import Article, Chunk


def numbered_line(index: int, text: str) -> str:
    """One sentence as the model sees it."""
    return f"[S{index}] {text}"


def numbered_text(article: Article, sentence_ids: Sequence[int]) -> str:
    """The given sentences of ARTICLE as `[S12] sentence text` lines, in the order given."""
    return "\n".join(numbered_line(i, article.sentence(i).text) for i in sentence_ids)


def chunk_article(article: Article, max_tokens: int = 1200, encoding: str = "cl100k_base") -> list[Chunk]:
    """Consecutive sentences packed up to MAX_TOKENS; a longer sentence is a chunk of its own, never cut."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    enc = tokens.encoding(encoding)
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for sentence in article.sentences:
        cost = len(enc.encode(numbered_line(sentence.index, sentence.text), disallowed_special=())) + 1
        if current and used + cost > max_tokens:
            groups.append(current)
            current, used = [], 0
        current.append(sentence.index)
        used += cost
    if current:
        groups.append(current)
    return [Chunk(article_id=article.id, index=n, sentence_ids=ids,
                  tokens=len(enc.encode(numbered_text(article, ids), disallowed_special=())))
            for n, ids in enumerate(groups)]
