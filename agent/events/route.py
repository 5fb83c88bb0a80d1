"""Which stored event(s) a question is about, or that it asks for the day's overview.

An event is scored by how much of the question's own words (IDF-weighted over events, names included) its
articles' headlines and leads hold, plus the question's embedding cosine to the event's lead vectors. The
best event and any close to it are routed to; a question that names nothing specific, in the form "what
happened?", lists the events instead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from agent.events.catalog import Event, list_events
from agent.events.features import Features
from agent.llm.embed import Embedder
from agent.store import Store
from agent.text.norm import content_words

OVERVIEW = re.compile(
    r"\bwhat(?:'s|\s+is|\s+has|\s+have)?\s+(?:happened|happening|going\s+on|new)\b"
    r"|\bwhat\s+(?:are\s+)?(?:the\s+)?(?:main\s+|top\s+|latest\s+)?(?:news|stories|events|headlines)\b"
    r"|\b(?:list|show)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:events|stories|news)\b|\bheadlines\b|\boverview\b"
    r"|\bsummar(?:y|ise|ize)\s+(?:of\s+)?(?:the\s+|today's\s+)?(?:day|news)\b", re.I)
# Words that ask about the day, not about any one event.
GENERIC = frozenset(content_words(
    "happen happened happening today tonight yesterday morning evening week news story stories event events "
    "latest main top big overview headline headlines summary summarise summarize list show tell give going "
    "else anything something everything"))
CLOSE = 0.75  # events scoring at least this share of the best one are routed to as well
FLOOR = 0.35  # below this the question matches no event well: answer from all of them
COSINE_WEIGHT = 0.5


@dataclass
class Routing:
    """The routed events, whether the question asked for the overview, and how sure the routing is."""

    events: list[Event]
    overview: bool = False
    sure: bool = True
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def article_ids(self) -> list[str]:
        """The routed events' articles."""
        return [a for e in self.events for a in e.article_ids]

    def describe(self) -> str:
        """One line saying which event(s) the answer comes from."""
        if self.overview:
            return f"{len(self.events)} events stored"
        if not self.sure:
            return f"no one event matches the question: answering from all {len(self.events)} events"
        named = "; ".join(f"{e.id} '{e.label}'" for e in self.events)
        return f"from event{'s' if len(self.events) > 1 else ''} {named}"


def route(question: str, store: Store, embedder: Embedder | None = None,
          article_ids: list[str] | None = None) -> Routing:
    """The event(s) QUESTION is about among the stored events (those holding ARTICLE_IDS, when given)."""
    events = list_events(store)
    if article_ids is not None:
        scope = set(article_ids)
        events = [e for e in events if scope & set(e.article_ids)]
    specific = content_words(question) - GENERIC
    if not specific and OVERVIEW.search(question):
        return Routing(events, overview=True)
    if len(events) < 2 or not specific:
        return Routing(events, sure=len(events) < 2)
    scores = _scores(question, specific, events, store, embedder)
    best = max(scores.values())
    if best < FLOOR:
        return Routing(events, sure=False, scores=scores)
    chosen = [e for e in events if scores[e.id] >= CLOSE * best]
    return Routing(sorted(chosen, key=lambda e: -scores[e.id]), scores=scores)


def _scores(question: str, specific: set[str], events: list[Event], store: Store,
            embedder: Embedder | None) -> dict[str, float]:
    """Each event's score: IDF-weighted share of the question's words it holds, plus the weighted cosine."""
    feats = {r["article_id"]: Features.from_row(r) for r in store.event_features()}
    bags = {e.id: _bag(e, feats) for e in events}
    df = Counter(w for bag in bags.values() for w in bag)
    idf = {w: math.log((len(events) + 1) / (df[w] + 0.5)) for w in specific}
    wanted = sum(idf.values()) or 1.0
    qvec = embedder.embed([question])[0] if embedder is not None else None
    out = {}
    for e in events:
        share = sum(idf[w] for w in specific if w in bags[e.id]) / wanted
        out[e.id] = round(share + COSINE_WEIGHT * _cosine(qvec, e, feats), 4)
    return out


def _bag(event: Event, feats: dict[str, Features]) -> set[str]:
    """The stems and name words of the event's headlines and leads."""
    bag: set[str] = set()
    for a in event.article_ids:
        if a in feats:
            bag |= set(feats[a].words) | {w for name in feats[a].names for w in content_words(name)}
    return bag


def _cosine(qvec: np.ndarray | None, event: Event, feats: dict[str, Features]) -> float:
    """The question's cosine to the mean lead vector of the event (0 without an embedder or vectors)."""
    rows = [feats[a].vector for a in event.article_ids if a in feats]
    if qvec is None or not rows or rows[0].shape != qvec.shape:
        return 0.0
    mean = np.mean(rows, axis=0)
    return max(0.0, float(qvec @ mean) / max(float(np.linalg.norm(mean)), 1e-12))
