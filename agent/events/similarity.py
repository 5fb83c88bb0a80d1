"""How surely two articles report one event: lead meaning, shared rare names, shared rare words, and the dates.

The score adds the cosine of the lead vectors to the IDF-weighted overlap of names and of content words: two
stories of one kind (two resignations, two storms) read alike, and only their names and specific words tell
them apart. A name everyone mentions weighs little, since its IDF is low.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from agent.events.features import Features

NAME_WEIGHT = 0.5
WORD_WEIGHT = 0.5
WINDOW_DAYS = 7  # articles published further apart are two events (a story's follow-ups within a week are not)
APART = -1.0  # the score of two articles too far apart in time
# Pseudo-articles that mention none of the terms: in a folder of three reports of one story every name is in every
# article and plain IDF would weigh the story's own names at nothing (the pipe-bomb suspect's name split one
# real event in two); in a store of thousands the prior changes nothing.
BACKGROUND = 10


@dataclass(frozen=True, slots=True)
class PairScore:
    """The parts of a pair's score and their sum."""

    cosine: float
    names: float
    words: float
    days: int | None
    total: float

    def why(self) -> str:
        """The score in words, for the reader."""
        if self.total == APART:
            return f"published {self.days} days apart"
        return f"lead similarity {self.cosine:.2f}, shared names {self.names:.2f}, shared words {self.words:.2f}"


def _idf(bags: list[dict[str, int]]) -> dict[str, float]:
    df: Counter = Counter(k for bag in bags for k in bag)
    n = len(bags)
    return {k: math.log((n + 1 + BACKGROUND) / (d + 0.5)) for k, d in df.items()}


def _weighted(bag: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    """A bag as a unit vector: square-rooted counts times IDF."""
    vec = {k: math.sqrt(c) * idf.get(k, 1.0) for k, c in bag.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)


class Scorer:
    """Pair scores over a set of articles (IDF from that set), cached."""

    def __init__(self, features: dict[str, Features]):
        self.features = features
        bags = list(features.values())
        self._idf = {"names": _idf([f.names for f in bags]), "words": _idf([f.words for f in bags])}
        self._vectors: dict[tuple[str, str], dict[str, float]] = {}  # weighted on first use: an update reads few
        self._cache: dict[tuple[str, str], PairScore] = {}

    def _bag(self, kind: str, article: str) -> dict[str, float]:
        key = (kind, article)
        if key not in self._vectors:
            self._vectors[key] = _weighted(getattr(self.features[article], kind), self._idf[kind])
        return self._vectors[key]

    def score(self, a: str, b: str) -> PairScore:
        """The score of articles A and B (symmetric)."""
        key = (a, b) if a < b else (b, a)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compute(*key)
        return found

    def total(self, a: str, b: str) -> float:
        """The summed score of A and B."""
        return self.score(a, b).total

    def _compute(self, a: str, b: str) -> PairScore:
        fa, fb = self.features[a], self.features[b]
        days = abs((fa.day - fb.day).days) if fa.day and fb.day else None
        cosine = float(fa.vector @ fb.vector)
        names = _dot(self._bag("names", a), self._bag("names", b))
        words = _dot(self._bag("words", a), self._bag("words", b))
        total = cosine + NAME_WEIGHT * names + WORD_WEIGHT * words
        if days is not None and days > WINDOW_DAYS:
            total = APART
        return PairScore(round(cosine, 4), round(names, 4), round(words, 4), days, round(total, 4))
