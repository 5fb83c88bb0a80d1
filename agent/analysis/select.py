"""Which sentences go to the model: the claim-bearing ones (near-copies pointed at their original), in token-budget chunks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.text.safety import unreportable
from agent.text.norm import content_words, jaccard
from agent.text.norm import words as all_words
from agent.llm import tokens
from agent.types import Article, Chunk, Sentence

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
    if n < MIN_WORDS or s.text.rstrip().endswith("?"):
        return 0.0
    score = 1.0 + max(0.0, 1.5 - 0.25 * position)
    score += 0.5 * min(3, len(_CAPITAL.findall(s.text)))
    score += 0.5 if _NUMBER.search(s.text) else 0.0
    score += 0.5 if _QUOTE.search(s.text) else 0.0
    score += 0.5 if _PAST_OR_PLAN.search(s.text) else 0.0
    return score - (1.0 if n > 70 else 0.0)


def _shared(article: Article, index: int, words: dict, priority: set[tuple[str, int]] | None) -> float:
    """The bonus of a sentence other outlets also state: known from the comparison, else guessed from shared words."""
    if priority is not None:
        return 6.0 if (article.id, index) in priority else 0.0
    own = words[(article.id, index)]
    return 3.0 * max((jaccard(own, w) for (aid, _), w in words.items() if aid != article.id), default=0.0)


def pick_sentences(articles: list[Article], per_article: int,
                   priority: set[tuple[str, int]] | None = None) -> list[Pick]:
    """The sentences to extract: the best `per_article` of each article, near-copies pointed at their original.

    With PRIORITY (the sentences of facts several outlets state), those come first; without it, how strongly
    other articles echo a sentence stands in for it."""
    words = sentence_words(articles) if priority is None else {}
    picks: list[Pick] = []
    chosen = _Chosen()
    for article in sorted(articles, key=lambda a: a.derivative_of is not None):  # originals first
        banned = unreportable(article)  # orders to the model or the reader, or about the output: never extracted
        scored = [(_shape_score(s, s.index) + _shared(article, s.index, words, priority), s.index)
                  for s in article.sentences if s.index not in banned and _shape_score(s, s.index) > 0]
        for score, index in sorted(scored, reverse=True)[:per_article]:
            # All words, not content words: "was set to open" and "opened" must not count as one sentence.
            own = set(all_words(article.sentences[index].text))
            copy = chosen.copy_of(article.id, own)
            picks.append(Pick(article.id, index, round(score, 3), copy))
            if copy is None:
                chosen.add((article.id, index), own)
    return sorted(picks, key=lambda p: (p.article_id, p.index))


class _Chosen:
    """The picked sentences, indexed by their words, so a near-copy is found without comparing every pick."""

    COMMON = 64  # a word on more picks than this proposes no candidate

    def __init__(self) -> None:
        self.words: list[tuple[tuple[str, int], set[str]]] = []
        self.by_word: dict[str, list[int]] = {}

    def copy_of(self, article_id: str, own: set[str]) -> tuple[str, int] | None:
        """The earlier pick of another article that this sentence nearly copies, if any."""
        seen: set[int] = set()
        for w in own:
            holders = self.by_word.get(w, ())
            if len(holders) <= self.COMMON:
                seen.update(holders)
        for i in sorted(seen):
            key, words = self.words[i]
            if key[0] != article_id and jaccard(own, words) >= NEAR_COPY:
                return key
        return None

    def add(self, key: tuple[str, int], own: set[str]) -> None:
        """Remember a pick."""
        for w in own:
            self.by_word.setdefault(w, []).append(len(self.words))
        self.words.append((key, own))

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
