"""The event-clustering eval: folders of known events mixed into one store, clustered, scored by B-cubed.

B-cubed precision is, per article, the share of its predicted event that truly belongs with it; recall the
share of its true event found in its predicted one; both averaged over articles. A merged event is a
predicted event holding articles of two true events; a split event is a true event spread over two or more.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.evals.cases import ARTICLE_SUFFIXES, case_dirs

Labels = dict[str, str]  # item -> cluster


@dataclass
class ClusterScore:
    """B-cubed precision, recall and F1, and the merged and split events, of one clustering."""

    precision: float
    recall: float
    f1: float
    merged: int
    split: int
    predicted: int
    gold: int
    items: int

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def bcubed(predicted: Labels, gold: Labels) -> ClusterScore:
    """Score PREDICTED against GOLD over the items of GOLD (an item missing from PREDICTED stands alone)."""
    pred = {i: predicted.get(i, f"alone:{i}") for i in gold}
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for item in gold:
        by_pred[pred[item]].add(item)
        by_gold[gold[item]].add(item)
    p = r = 0.0
    for item in gold:
        shared = len(by_pred[pred[item]] & by_gold[gold[item]])
        p += shared / len(by_pred[pred[item]])
        r += shared / len(by_gold[gold[item]])
    n = max(len(gold), 1)
    p, r = p / n, r / n
    merged = sum(1 for members in by_pred.values() if len({gold[i] for i in members}) > 1)
    split = sum(1 for members in by_gold.values() if len({pred[i] for i in members}) > 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return ClusterScore(round(p, 4), round(r, 4), round(f1, 4), merged, split, len(by_pred), len(by_gold), len(gold))


def _articles(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)


def shipped_events(root: Path | None = None) -> dict[str, list[Path]]:
    """The shipped eval cases: event name -> its article files."""
    return {d.name: _articles(d / "articles") for d in case_dirs(root) if (d / "articles").is_dir()}


def folder_events(root: Path) -> dict[str, list[Path]]:
    """A folder of event folders (like ../shared/real-events): event name -> its article files."""
    return {d.name: _articles(d) for d in sorted(root.iterdir()) if d.is_dir() and _articles(d)}


@dataclass
class SuiteResult:
    """One suite's score, the predicted events with their true events, and the clustering's cost."""

    suite: str
    mode: str
    score: ClusterScore
    events: list[dict] = field(default_factory=list)  # predicted event: id, label, gold event -> count
    seconds: float = 0.0
    asked: int = 0
    steps: int = 1

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def run_suite(name: str, events: dict[str, list[Path]], embedder, llm=None, mode: str = "model",
              steps: int = 1, seed: int = 0) -> SuiteResult:
    """Ingest every event's files into one fresh store (in STEPS shuffled batches), cluster, and score."""
    from agent.events.catalog import list_events
    from agent.events.update import update_events
    from agent.ingest import ingest_paths
    from agent.store import Store

    files = [(event, path) for event, paths in events.items() for path in paths]
    random.Random(seed).shuffle(files)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "events.sqlite3")
        gold, seconds, asked = {}, 0.0, 0
        for step in range(steps):
            batch = files[step::steps]
            report = ingest_paths([str(p) for _, p in batch], store)
            by_path = {a.path: a.id for a in report.added + report.existing}
            gold.update({by_path[str(p)]: event for event, p in batch if str(p) in by_path})
            start = time.perf_counter()
            update = update_events(store, embedder, llm, mode=mode)
            seconds, asked = seconds + time.perf_counter() - start, asked + update.asked
        found = list_events(store)
        store.close()
    predicted = {a: e.id for e in found for a in e.article_ids}
    listing = [{"id": e.id, "label": e.label, "gold": _count(gold[a] for a in e.article_ids if a in gold)}
               for e in found]
    return SuiteResult(name, mode, bcubed(predicted, gold), listing, round(seconds, 2), asked, steps)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for item in items:
        out[item] += 1
    return dict(out)
