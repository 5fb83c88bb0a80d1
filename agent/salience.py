"""Which sentences carry claims worth extracting, and which repeat a sentence of another article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.safety import looks_like_injection
from agent.textnorm import content_words, jaccard
from agent.textnorm import words as all_words
from agent.types import Article, Sentence

MIN_WORDS = 6
NEAR_COPY = 0.85  # Jaccard of all words (function words too) at which one sentence copies another
_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[\"“”]")
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_PAST_OR_PLAN = re.compile(r"\b(?:said|told|will|would|set to|expected|arrived|announced|met|signed|killed|"
                           r"according|plans?|agreed|called|warned|denied|launched|visit\w*)\b", re.I)


@dataclass(frozen=True, slots=True)
class Pick:
    """A sentence chosen for extraction, with its score and, if it copies one already chosen, that sentence."""

    article_id: str
    index: int
    score: float
    copy_of: tuple[str, int] | None = None


def sentence_words(articles: list[Article]) -> dict[tuple[str, int], set[str]]:
    """Content words of every sentence, keyed by (article id, index)."""
    return {(a.id, s.index): content_words(s.text) for a in articles for s in a.sentences}


def _shape_score(s: Sentence, position: int) -> float:
    """How claim-like a sentence looks on its own: length, lead position, names, numbers, quotes, verbs."""
    n = len(s.text.split())
    if n < MIN_WORDS or s.text.rstrip().endswith("?") or looks_like_injection(s.text):
        return 0.0
    score = 1.0 + max(0.0, 1.5 - 0.25 * position)
    score += 0.5 * min(3, len(_CAPITAL.findall(s.text)))
    score += 0.5 if _NUMBER.search(s.text) else 0.0
    score += 0.5 if _QUOTE.search(s.text) else 0.0
    score += 0.5 if _PAST_OR_PLAN.search(s.text) else 0.0
    return score - (1.0 if n > 70 else 0.0)


def _echo(words: set[str], others: list[set[str]]) -> float:
    """How strongly other articles echo a sentence (best overlap with any of their sentences)."""
    return max((jaccard(words, o) for o in others), default=0.0)


def pick_sentences(articles: list[Article], per_article: int) -> list[Pick]:
    """The sentences to extract: the best `per_article` of each article, near-copies pointed at their original."""
    words = sentence_words(articles)
    picks: list[Pick] = []
    chosen: list[tuple[tuple[str, int], set[str]]] = []
    for article in sorted(articles, key=lambda a: a.derivative_of is not None):  # originals first
        others = [w for (aid, _), w in words.items() if aid != article.id]
        scored = []
        for s in article.sentences:
            shape = _shape_score(s, s.index)
            if shape <= 0:
                continue
            scored.append((shape + 3.0 * _echo(words[(article.id, s.index)], others), s.index))
        for score, index in sorted(scored, reverse=True)[:per_article]:
            # All words, not content words: "was set to open" and "opened" must not count as one sentence.
            own = set(all_words(article.sentences[index].text))
            copy = next((key for key, w in chosen if key[0] != article.id and jaccard(own, w) >= NEAR_COPY), None)
            picks.append(Pick(article.id, index, round(score, 3), copy))
            if copy is None:
                chosen.append(((article.id, index), own))
    return sorted(picks, key=lambda p: (p.article_id, p.index))

