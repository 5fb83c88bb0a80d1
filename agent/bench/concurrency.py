"""`bench concurrency`: cold extraction at several --concurrency levels against a remote endpoint (real or fake)."""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.analysis.extract import extract_claims
from agent.bench.fake_endpoint import FakeEndpoint, Script
from agent.bench.ingest import write_corpus
from agent.ingest import ingest_paths
from agent.llm import open_llm
from agent.store import Store


@dataclass
class ConcurrencyRow:
    """One level: wall seconds for the same cold extraction, calls, failures, and 429s the endpoint sent."""

    endpoint: str
    concurrency: int
    seconds: float  # the model calls alone (extraction's sentence picking and checks are not the endpoint's)
    extract_s: float
    calls: int
    failed_chunks: int
    claims: int
    throttled: int | None = None
    peak_inflight: int | None = None
    speedup: float = 1.0

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def cold_extract(model: str, corpus: Path, concurrency: int, label: str) -> ConcurrencyRow:
    """Extract claims from CORPUS in a fresh workspace (nothing cached) with CONCURRENCY calls at once."""
    with tempfile.TemporaryDirectory() as home:
        store = Store(Path(home) / "bench.sqlite3")
        ingest_paths([str(corpus)], store)
        llm = open_llm(model, store=store, concurrency=concurrency)
        calls = CallClock(llm)
        start = time.perf_counter()
        claims, report = extract_claims(store.list_articles(), llm, concurrency=concurrency)
        seconds = time.perf_counter() - start
        store.close()
    return ConcurrencyRow(label, concurrency, round(calls.span(), 2), round(seconds, 2), report.calls,
                          len(report.failed_chunks), len(claims))


class CallClock:
    """From the first model call's start to the last one's end, around the handle's one call point."""

    def __init__(self, llm):
        self.first: float | None = None
        self.last = 0.0
        send = llm._send

        def timed(*args, **kwargs):
            self.first = self.first or time.perf_counter()
            try:
                return send(*args, **kwargs)
            finally:
                self.last = time.perf_counter()

        llm._send = timed

    def span(self) -> float:
        """Seconds from the first call to the last answer."""
        return self.last - self.first if self.first else 0.0


def sweep(model: str, corpus: Path, levels: list[int], label: str | None = None) -> list[ConcurrencyRow]:
    """The same cold extraction at each level; speed-up against the first level."""
    rows = [cold_extract(model, corpus, c, label or model) for c in levels]
    for r in rows:
        r.speedup = round(rows[0].seconds / max(r.seconds, 1e-9), 2)
    return rows


def fake_sweep(levels: list[int], latency: float = 0.2, capacity: int = 16, articles: int = 128,
               retry_after: str = "0.5") -> list[ConcurrencyRow]:
    """Against a fake endpoint that answers in LATENCY seconds and sends 429 + Retry-After above CAPACITY."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        write_corpus(folder, articles, words=300, copy_rate=0.0)
        for c in levels:
            script = Script(latency=latency, max_inflight=capacity, retry_after=retry_after)
            with FakeEndpoint(script) as ep:
                row = cold_extract(f"openai-compatible:{ep.url}#fake", folder, c,
                                   f"fake {latency * 1000:.0f} ms, {capacity} slots")
            row.throttled = sum(1 for a in script.attempts if a["fault"] == "429")
            row.peak_inflight = script.peak
            rows.append(row)
    for r in rows:
        r.speedup = round(rows[0].seconds / max(r.seconds, 1e-9), 2)
    return rows
