"""The events of one run (the articles a command was given), and the articles that belong to none of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.events.catalog import Event, list_events
from agent.events.decide import LINK
from agent.events.similarity import Scorer
from agent.events.update import load_features
from agent.llm.embed import Embedder
from agent.store import Store


@dataclass(frozen=True)
class OffTopic:
    """An article of the run that shares no event with the others, and why."""

    article_id: str
    label: str
    title: str | None
    reason: str

    def line(self) -> str:
        """One line for the reader."""
        return f"off-topic, left out: {self.label} '{self.title or self.article_id}' ({self.article_id}): {self.reason}"


@dataclass
class RunEvents:
    """The run's articles grouped by stored event (run order kept), and the off-topic ones."""

    groups: list[tuple[Event, list[str]]] = field(default_factory=list)
    off_topic: list[OffTopic] = field(default_factory=list)

    @property
    def several(self) -> bool:
        """Whether the run holds more than one event."""
        return len(self.groups) > 1


def split_run(store: Store, article_ids: list[str], embedder: Embedder) -> RunEvents:
    """ARTICLE_IDS grouped by stored event; a lone article beside groups of two or more is off-topic."""
    events = {a: e for e in list_events(store) for a in e.article_ids}
    order: dict[str, list[str]] = {}
    for a in article_ids:
        if a in events:
            order.setdefault(events[a].id, []).append(a)
    by_id = {e.id: e for e in events.values()}
    groups = [(by_id[eid], ids) for eid, ids in order.items()]
    if not any(len(ids) > 1 for _, ids in groups):
        return RunEvents(groups)
    kept = [(e, ids) for e, ids in groups if len(ids) > 1]
    lone = [ids[0] for _, ids in groups if len(ids) == 1]
    return RunEvents(kept, _explain(store, embedder, lone, [a for _, ids in kept for a in ids], events))


def _explain(store: Store, embedder: Embedder, lone: list[str], kept: list[str], events: dict[str, Event]
             ) -> list[OffTopic]:
    """Why each lone article is off-topic: its closest article in the run and that pair's score."""
    feats = load_features(store, embedder, lone + kept)
    scorer = Scorer(feats)
    out = []
    for a in lone:
        event = events[a]
        member = next(m for m in event.articles if m.id == a)
        closest = max(kept, key=lambda b: scorer.total(a, b))
        group = [b for b in kept if events[b].id == events[closest].id]
        mean = sum(scorer.total(a, b) for b in group) / len(group)
        other = next(m for m in events[closest].articles if m.id == closest)
        reason = (f"it shares no event with the other {len(kept)} articles; the closest, {other.label} "
                  f"'{other.title or closest}', scores {scorer.total(a, closest):.2f} "
                  f"({scorer.score(a, closest).why()})")
        reason += (f", and its mean over that event's {len(group)} articles is {mean:.2f}, below the {LINK:.2f} one "
                   "event needs" if mean < LINK else
                   f"; scored {mean:.2f} over that event's articles, it was judged a different event by the model")
        if len(event.articles) > 1:
            reason += f"; its event {event.id} ('{event.label}') has no other article in this run"
        out.append(OffTopic(a, member.label, member.title, reason))
    return out
