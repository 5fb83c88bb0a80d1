"""New articles into events: features, nearest neighbours, decided pairs, average linkage; stored events fixed.

Each call reads only what is new: features of unseen articles, the K nearest stored articles of each new one,
and the pairs among them. Stored events are never split or merged; a new article joins the one event its
average score with all that event's articles favours, or founds a new one with other new articles.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np

from agent.events import decide as decisions
from agent.events.cluster import link
from agent.events.features import Features, compute
from agent.events.neighbours import candidate_pairs
from agent.events.similarity import Scorer
from agent.llm.embed import Embedder, embed_cached
from agent.store import Store


@dataclass
class UpdateReport:
    """What one update did, and what it cost."""

    articles: int = 0
    new: int = 0
    joined: int = 0  # new articles that joined a stored event
    created: int = 0  # new events
    candidates: int = 0
    asked: int = 0  # pairs put to the model
    by: dict[str, int] = field(default_factory=dict)  # candidate pairs decided by code / model / rules
    seconds: dict[str, float] = field(default_factory=dict)


def event_id(founder: str) -> str:
    """A stable event id from the article that founded it."""
    return "ev" + hashlib.sha256(founder.encode()).hexdigest()[:8]


def load_features(store: Store, embedder: Embedder, ids: list[str]) -> dict[str, Features]:
    """Features of IDS: stored ones for this embedder, the rest computed (from cached embeddings) and stored."""
    wanted = set(ids)
    have = {r["article_id"]: Features.from_row(r) for r in store.event_features()
            if r["embedder"] == embedder.name and r["article_id"] in wanted}
    missing = [a for a in ids if a not in have]
    for start in range(0, len(missing), 500):  # bounded memory: articles are read 500 at a time
        articles = store.articles_by_ids(missing[start:start + 500])
        fresh = compute(articles, lambda texts: embed_cached(embedder, texts, store))
        store.save_event_features([f.to_row(embedder.name) for f in fresh])
        have.update((f.article_id, f) for f in fresh)
    return {a: have[a] for a in ids}


def update_events(store: Store, embedder: Embedder, llm=None, mode: decisions.Mode = "model") -> UpdateReport:
    """Put every article without an event into one (a stored event or a new one) and store the result."""
    report, clock = UpdateReport(), time.perf_counter()
    ids = [r["id"] for r in store.article_rows()]
    feats = load_features(store, embedder, ids)
    report.articles, report.seconds["features"] = len(ids), _lap(clock)
    members = store.event_members()
    new = [a for a in ids if a not in members]
    report.new = len(new)
    if not new:
        return report
    clock = time.perf_counter()
    vectors = np.stack([feats[a].vector for a in ids])
    pairs = candidate_pairs(new, ids, vectors)
    report.candidates, report.seconds["neighbours"] = len(pairs), _lap(clock)
    clock = time.perf_counter()
    scorer = Scorer(feats)
    decided = _decide(store, scorer, pairs, llm if mode == "model" else None, report)
    report.seconds["decide"] = _lap(clock)
    clock = time.perf_counter()
    stored = _stored_groups(members)
    value = {p: d.value for p, d in decided.items()}
    groups = link(list(stored.values()), new, set(pairs), lambda a, b: _value(value, scorer, a, b), decisions.LINK)
    report.seconds["link"] = _lap(clock)
    clock = time.perf_counter()
    _save(store, list(stored), groups, decided, scorer, ids, report)
    report.seconds["save"] = _lap(clock)
    return report


def _lap(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def _value(value: dict, scorer: Scorer, a: str, b: str) -> float:
    """A pair's decided value when it was a candidate, else its score."""
    found = value.get((a, b) if a < b else (b, a))
    return scorer.total(a, b) if found is None else found


def _decide(store: Store, scorer: Scorer, pairs: set, llm, report: UpdateReport) -> dict:
    scores = {p: scorer.score(*p) for p in sorted(pairs)}
    asked: dict = {}
    if llm is not None:
        band = decisions.uncertain(scores)
        needed = sorted({a for p in band for a in p})
        articles = {a.id: a for a in store.articles_by_ids(needed)}
        asked = decisions.ask(band, articles, llm)
        report.asked = len(band)
    decided = decisions.decide(scores, asked)
    for d in decided.values():
        report.by[d.by] = report.by.get(d.by, 0) + 1
    return decided


def _stored_groups(members: dict[str, str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for article, event in members.items():
        groups.setdefault(event, []).append(article)
    return groups


def _save(store: Store, stored: list[str], groups: list[list[str]], decided: dict, scorer: Scorer,
          order: list[str], report: UpdateReport) -> None:
    """Name new groups after their founder, label every touched event, and store the new memberships."""
    known = set(store.event_members())
    rank = {a: i for i, a in enumerate(order)}
    titles = {r["id"]: r["title"] for r in store.article_rows()}
    links: dict[str, list] = {}
    for (a, b), d in decided.items():
        links.setdefault(a, []).append((b, d))
        links.setdefault(b, []).append((a, d))
    labels, members = {}, []
    for n, group in enumerate(groups):
        fresh = [a for a in group if a not in known]
        if not fresh:
            continue
        is_stored = n < len(stored)
        eid = stored[n] if is_stored else event_id(min(group, key=rank.__getitem__))
        report.joined += len(fresh) if is_stored else 0
        report.created += 0 if is_stored else 1
        labels[eid] = label(group, scorer, titles)
        members += [(a, eid, *_how(a, set(group), links)) for a in fresh]
    store.save_events(labels, members)


def _how(article: str, group: set[str], links: dict[str, list]) -> tuple[str, float | None]:
    """How an article is in its group: who decided its strongest candidate link inside it, and the value."""
    inside = [d for other, d in links.get(article, []) if other in group]
    if not inside:
        return ("founded" if len(group) == 1 else "linked"), None
    best = max(inside, key=lambda d: d.value)
    return best.by, round(best.value, 3)


def label(group: list[str], scorer: Scorer, titles: dict[str, str | None]) -> str:
    """The headline of the group's most central article (highest mean lead similarity to the others)."""
    def centrality(a: str) -> float:
        return sum(float(scorer.features[a].vector @ scorer.features[b].vector) for b in group if b != a)

    for a in sorted(group, key=lambda a: (-centrality(a), a)):
        if titles.get(a):
            return " ".join(str(titles[a]).split())
    return "(untitled articles)"


def refresh(store: Store, llm, mode: decisions.Mode = "model") -> tuple[UpdateReport, Embedder]:
    """`update_events` with the embedder the comparison uses for LLM's model (so the vectors are shared)."""
    from agent.analysis.run import embedder_for

    embedder = embedder_for(llm)
    return update_events(store, embedder, llm, mode), embedder


def summary(report: UpdateReport, events: int) -> str:
    """One line on what an update did."""
    by = ", ".join(f"{k} {v}" for k, v in sorted(report.by.items())) or "none"
    seconds = sum(report.seconds.values())
    return (f"events: {report.articles} articles in {events} events; {report.new} new: {report.joined} joined "
            f"stored events, {report.created} new events; {report.candidates} candidate pairs decided by {by}; "
            f"{report.asked} asked of the model; {seconds:.1f} s")
