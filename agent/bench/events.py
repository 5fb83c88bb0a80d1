"""`bench events`: N synthetic articles in about N/10 events, clustered; time per stage, peak memory, growth.

Each event has its own invented names, place and words, and a kind (a storm, a vote...) whose words other
events of that kind share; its articles, from different outlets, mix these into headline and lead over a
background of common words. Events fall on 30 days, so one day holds many events of one kind.
Ingest and clustering run in separate processes: the clustering's peak memory is its own.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.bench.ingest import Corpus

KINDS = 40
DAYS = 30


@dataclass
class EventsRow:
    """One corpus size: clustering seconds per stage, peak memory, candidate pairs, and the B-cubed score."""

    articles: int
    events: int
    embedder: str
    ingest_s: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: float = 0.0
    candidates: int = 0
    found: int = 0
    f1: float = 0.0
    merged: int = 0
    split: int = 0
    incremental: dict[str, float] = field(default_factory=dict)  # 1% more articles joined afterwards

    @property
    def total_s(self) -> float:
        """Seconds of the whole clustering."""
        return round(sum(self.seconds.values()), 2)

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self) | {"total_s": self.total_s}


class EventCorpus(Corpus):
    """Synthetic articles grouped into events."""

    def name(self) -> str:
        """An invented proper name."""
        return self._word().capitalize() + self.rng.choice(["", "ov", "ia", "en", "ar"])

    def event(self, n: int) -> dict:
        """Event N: kind, names, place, own words, day."""
        return {"kind": n % KINDS, "names": [self.name() for _ in range(3)], "place": self.name(),
                "words": self.rng.sample(self.words[1000:3000], 8), "day": n % DAYS}

    def kind_words(self, kind: int) -> list[str]:
        """The words every event of a kind uses."""
        return self.words[3000 + 12 * kind: 3000 + 12 * (kind + 1)]

    def text(self, event: dict, outlet: int, words: int) -> str:
        """One outlet's article about EVENT: a headline and a lead from the event's words, then background."""
        own = event["words"] + self.kind_words(event["kind"])
        names = event["names"] + [event["place"]]
        title = _upper_first(" ".join(self.rng.sample(own, 4) + self.rng.sample(names, 2)))
        lead = [_upper_first(" ".join(self.rng.sample(own, 6) + self.rng.sample(names, 2)
                                      + self.rng.choices(self.words, k=4))) + "." for _ in range(3)]
        body, count = [], 0
        while count < words:
            body.append(self.sentence())
            count += len(body[-1].split())
        day = dt.date(2024, 3, 1) + dt.timedelta(days=event["day"])
        return f"{title}\nOutlet: Outlet {outlet}\nPublished: {day.isoformat()}\n\n" + "\n\n".join(lead + body)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def write_events(folder: Path, n: int, words: int = 150, seed: int = 0) -> dict[str, int]:
    """Write N articles in about N/10 events (5 to 15 articles each); return file name -> event number."""
    corpus = EventCorpus(seed)
    gold, made, e = {}, 0, 0
    while made < n:
        event = corpus.event(e)
        for outlet in corpus.rng.sample(range(200), min(corpus.rng.randint(5, 15), n - made)):
            name = f"a{made:06d}.txt"
            (folder / name).write_text(corpus.text(event, outlet, words) + "\n", encoding="utf-8")
            gold[name], made = e, made + 1
        e += 1
    return gold


def ingest_step(folder: str, db: str) -> float:
    """Ingest FOLDER into the store DB; seconds."""
    from agent.ingest import ingest_paths
    from agent.store import Store

    store, start = Store(db), time.perf_counter()
    ingest_paths([folder], store)
    store.close()
    return round(time.perf_counter() - start, 2)


def cluster_step(db: str, embedder: str) -> dict:
    """Cluster every unclustered article of DB (rules only): report and this process's peak memory."""
    from agent.events.update import update_events
    from agent.llm.embed import open_embedder
    from agent.store import Store

    store = Store(db)
    report = update_events(store, open_embedder(embedder), None, mode="rules")
    store.close()
    return asdict(report) | {"peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _child(call: str) -> object:
    """Run `agent.bench.events.<call>` in a fresh process and return its JSON result."""
    code = f"import json; from agent.bench import events as b; print(json.dumps(b.{call}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env=os.environ | {"NEWSAGENT_NO_AUTO_PULL": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"bench events: {call} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def one(n: int, embedder: str = "fake", words: int = 150, seed: int = 0) -> EventsRow:
    """Measure one size: ingest, cluster, score, then 1% more articles joined incrementally."""
    from agent.evals.clustering import bcubed
    from agent.events.catalog import list_events
    from agent.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder, extra, db = Path(tmp) / "a", Path(tmp) / "b", str(Path(tmp) / "bench.sqlite3")
        folder.mkdir()
        extra.mkdir()
        gold = write_events(folder, n, words, seed)
        row = EventsRow(n, len(set(gold.values())), embedder, _child(f"ingest_step({str(folder)!r}, {db!r})"))
        done = _child(f"cluster_step({db!r}, {embedder!r})")
        row.seconds, row.peak_mb, row.candidates = done["seconds"], done["peak_mb"], done["candidates"]
        store = Store(db)
        names = {r["id"]: Path(r["path"]).name for r in store.article_rows()}
        found = list_events(store)
        store.close()
        score = bcubed({names[a]: e.id for e in found for a in e.article_ids}, gold)
        row.found, row.f1, row.merged, row.split = score.predicted, score.f1, score.merged, score.split
        write_events(extra, max(1, n // 100), words, seed + 1)
        _child(f"ingest_step({str(extra)!r}, {db!r})")
        later = _child(f"cluster_step({db!r}, {embedder!r})")
        row.incremental = {"articles": later["new"], "seconds": round(sum(later["seconds"].values()), 2)}
    return row


def growth(rows: list[EventsRow], stage: str | None = None) -> float | None:
    """The exponent k in time ∝ n^k between the smallest and largest size (1 linear, 2 all-pairs)."""
    a, b = rows[0], rows[-1]
    ta = a.total_s if stage is None else a.seconds.get(stage)
    tb = b.total_s if stage is None else b.seconds.get(stage)
    if not ta or not tb or a.articles == b.articles:
        return None
    return round(math.log(tb / ta) / math.log(b.articles / a.articles), 2)
