"""Derivative copies: MinHash LSH over word bigrams finds candidates; in-order sentence alignment decides."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

NUM_PERM = 128
MIN_JACCARD = 0.05  # estimated bigram Jaccard below which no candidate is compared (spun copies: >= 0.2)
LSH_THRESHOLD = 0.1  # bigram Jaccard at which a pair becomes a candidate: spun copies keep 0.2-0.4, others < 0.1
SENTENCE_MATCH = 0.6  # fuzz.ratio of a sentence and its counterpart for them to align
DERIVATIVE_MIN = 0.6  # aligned similarity per sentence of the shorter article; same-event outlets stay < 0.5
MIN_ALIGNED = 3
MAX_CANDIDATES = 25
PROBE_SENTENCES = 8  # sentences of the shorter article tried first, so unrelated candidates cost little
PROBE_MIN = 0.35
_SEED = 1


def signature(text: str) -> LeanMinHash:
    """The MinHash of the text's word bigrams (case-folded)."""
    words = re.findall(r"\w+", text.casefold())
    grams = [f"{a} {b}".encode() for a, b in zip(words, words[1:])] or [w.encode() for w in words] or [b""]
    # crc32 is deterministic and fast (datasketch mixes it); the permutations are drawn once, not per article.
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32, **_template())
    mh.update_batch(grams)
    return LeanMinHash(mh)


@lru_cache(maxsize=1)
def _template() -> dict:
    """The permutations (and, in datasketch 2, the hashing scheme) every signature shares."""
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32)
    return {"permutations": mh.permutations, **({"scheme": mh.scheme} if hasattr(mh, "scheme") else {})}


def encode(sig: LeanMinHash) -> bytes:
    """A signature as bytes for the store (datasketch's own format, which records its hashing scheme)."""
    buf = bytearray(sig.bytesize())
    sig.serialize(buf)
    return bytes(buf)


def decode(blob: bytes) -> LeanMinHash:
    """A stored signature back as a MinHash."""
    return LeanMinHash.deserialize(blob)


def probe(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of a few evenly spread sentences of the shorter list with a close counterpart (compared as given)."""
    short, other = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0
    step = max(1, len(short) // PROBE_SENTENCES)
    sample = list(short[::step][:PROBE_SENTENCES])
    sims = cdist(sample, list(other), scorer=fuzz.ratio, score_cutoff=100 * SENTENCE_MATCH)
    return float((sims.max(axis=1) > 0).mean())


def alignment(a: Sequence[str], b: Sequence[str]) -> tuple[float, int]:
    """(score, matched): best in-order alignment of sentence lists, summed similarity per sentence of the shorter."""
    if not a or not b:
        return 0.0, 0
    sims = cdist(list(a), list(b), scorer=fuzz.ratio, dtype=np.float32) / 100
    weights = np.where(sims >= SENTENCE_MATCH, sims, 0.0)
    best = np.zeros(len(b) + 1)
    for row in weights:  # longest-common-subsequence DP; the left neighbour is a running maximum
        best = np.concatenate(([0.0], np.maximum.accumulate(np.maximum(best[1:], best[:-1] + row))))
    matched = int(min((weights > 0).any(axis=1).sum(), (weights > 0).any(axis=0).sum()))
    return float(best[-1] / min(len(a), len(b))), matched


@dataclass
class Item:
    """What detection needs to know about one article."""

    id: str
    sentences: list[str]  # case-folded once here, compared many times
    outlet: str | None
    byline: str | None
    published: dt.date | None
    order: tuple  # ingest order: stored articles before new ones

    def evidence(self) -> tuple:
        """Lower is more likely the original: a named outlet, a byline, an earlier date, an earlier ingest."""
        return (self.outlet is None, self.published is None, self.published or dt.date.max,
                self.byline is None, self.order)


@dataclass
class Link:
    """ID copies ORIGINAL with this similarity."""

    id: str
    original: str
    similarity: float


class Detector:
    """Finds derivative pairs among stored and new articles without comparing every pair."""

    def __init__(self, load: Callable[[str], Item]):
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.sigs: dict[str, LeanMinHash] = {}
        self.items: dict[str, Item] = {}
        self.load = load

    def add_stored(self, article_id: str, sig: LeanMinHash) -> None:
        """Index a stored article (its text is loaded only if it becomes a candidate)."""
        if article_id not in self.sigs:
            self.lsh.insert(article_id, sig)
            self.sigs[article_id] = sig

    def add_new(self, item: Item, sig: LeanMinHash) -> list[tuple[str, str, float]]:
        """Index a new article; return (derivative, original, similarity) for each pair it forms."""
        self.items[item.id] = item
        found = []
        for other_id in self._candidates(item.id, sig):
            other = self._item(other_id)
            if probe(item.sentences, other.sentences) < PROBE_MIN:
                continue
            score, aligned = alignment(item.sentences, other.sentences)
            # At least MIN_ALIGNED sentences, however short the articles: two brief reports of one event share
            # a sentence or two without one copying the other (a preview "set to open" and a report "opened").
            if score >= DERIVATIVE_MIN and aligned >= MIN_ALIGNED:
                copy, original = (item, other) if other.evidence() < item.evidence() else (other, item)
                found.append((copy.id, original.id, round(score, 3)))
        if item.id not in self.sigs:
            self.lsh.insert(item.id, sig)
            self.sigs[item.id] = sig
        return found

    def _candidates(self, article_id: str, sig: LeanMinHash) -> list[str]:
        scored = [(sig.jaccard(self.sigs[i]), i) for i in self.lsh.query(sig) if i != article_id]
        # LSH lets through pairs well under its threshold; their estimated Jaccard drops them for free.
        return [i for j, i in sorted(scored, reverse=True)[:MAX_CANDIDATES] if j >= MIN_JACCARD]

    def _item(self, article_id: str) -> Item:
        if article_id not in self.items:
            self.items[article_id] = self.load(article_id)
        return self.items[article_id]


def resolve(pairs: list[tuple[str, str, float]], existing: dict[str, str]) -> dict[str, Link]:
    """Each copy's best original, followed to the root of any chain (EXISTING: stored copy -> original)."""
    best: dict[str, Link] = {}
    for copy, original, score in pairs:
        if copy not in best or score > best[copy].similarity:
            best[copy] = Link(copy, original, score)
    parent = {**existing, **{c: link.original for c, link in best.items()}}
    for link in best.values():
        seen = {link.id}
        while link.original in parent and link.original not in seen:
            seen.add(link.original)
            link.original = parent[link.original]
    return best
