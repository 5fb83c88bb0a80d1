"""`bench scale`: N synthetic articles through ingest, embedding, alignment and extraction with the fake model."""

from __future__ import annotations

import cProfile
import json
import math
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.bench.ingest import write_corpus

# Functions whose time is attributed from a profile of analyse() (whatever of them the code has today).
PHASES = ("embed_cached", "annotate", "candidate_pairs", "relate", "group_sentences", "align", "extract_claims",
          "pick_sentences", "verify_claim", "compare")


@dataclass
class ScaleRow:
    """One corpus size: seconds per stage and the process's peak memory."""

    articles: int
    sentences: int
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: float = 0.0
    facts: int = 0

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def one(n: int, words: int = 300, seed: int = 0) -> ScaleRow:
    """Measure one size in this process (run it in a fresh process: peak memory is per process)."""
    from agent.analysis.run import analyse
    from agent.ingest import ingest_paths
    from agent.llm import open_llm
    from agent.store import Store

    os.environ.setdefault("NEWSAGENT_EMBEDDER", "fake")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        write_corpus(folder, n, words, copy_rate=0.02, seed=seed)
        store = Store(Path(tmp) / "bench.sqlite3")
        start = time.perf_counter()
        ingest_paths([folder], store)
        row = ScaleRow(n, 0, {"ingest": round(time.perf_counter() - start, 2)})
        llm = open_llm("fake:", store=store)
        profile = cProfile.Profile()
        start = time.perf_counter()
        analysis = profile.runcall(analyse, store, llm)
        row.seconds["analyse (profiled)"] = round(time.perf_counter() - start, 2)
        row.seconds |= phase_seconds(profile)
        row.sentences = sum(len(a.sentences) for a in analysis.articles)
        row.facts = len(analysis.comparison.facts)
        store.close()
    row.peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


def phase_seconds(profile: cProfile.Profile) -> dict[str, float]:
    """Cumulative seconds of each PHASES function found in the profile (outermost call only)."""
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    out: dict[str, float] = {}
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        if name in PHASES and "/agent/" in path:
            out[name] = round(max(out.get(name, 0.0), cumulative), 2)
    return {name: out[name] for name in PHASES if name in out}


def run(sizes: list[int], words: int = 300) -> list[ScaleRow]:
    """Each size in its own process, so peak memory is that size's alone."""
    rows = []
    for n in sizes:
        code = f"import json; from agent.bench.scale import one; print(json.dumps(one({n}, {words}).as_dict()))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"bench scale at {n} articles failed: {out.stderr.strip().splitlines()[-1:]}")
        rows.append(ScaleRow(**json.loads(out.stdout.strip().splitlines()[-1])))
    return rows


def growth(rows: list[ScaleRow], stage: str) -> float | None:
    """The exponent k in time ∝ n^k between the smallest and largest size (1 linear, 2 all-pairs)."""
    a, b = rows[0], rows[-1]
    ta, tb = a.seconds.get(stage), b.seconds.get(stage)
    if not ta or not tb or a.articles == b.articles:
        return None
    return round(math.log(tb / ta) / math.log(b.articles / a.articles), 2)
