"""`bench ingest`: synthetic ~800-word articles with planted spun copies, ingested into a fresh store."""

from __future__ import annotations

import datetime as dt
import random
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.ingest import ingest_paths
from agent.store import Store

SYLLABLES = "ka lo mi ren tas vo nel dri sa um ber gal fo ti pra ses mon kul va rid ost ne ham lur pi zen".split()
FUNCTION_WORDS = "the of and to in a on for that with was said by at from as it its is were has had after".split()
BOILERPLATE = ["Advertisement", "Sign up for our morning newsletter", "Share this story"]


@dataclass
class BenchResult:
    """One benchmark run: sizes, phase seconds, throughput, and how well planted copies were found."""

    articles: int
    megabytes: float
    seconds: float
    articles_per_s: float
    mb_per_s: float
    derivative_seconds: float
    derivative_ms_per_article: float
    phase_seconds: dict[str, float]
    planted_copies: int
    copies_found: int
    false_copies: int
    failed: int

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


class Corpus:
    """A deterministic generator of synthetic news-like articles."""

    def __init__(self, seed: int = 0, vocabulary: int = 8000):
        self.rng = random.Random(seed)
        words = {self._word() for _ in range(vocabulary * 2)}
        self.words = sorted(words)[:vocabulary]
        self.rng.shuffle(self.words)
        self.weights = [1 / (rank + 10) for rank in range(len(self.words))]  # Zipf-like

    def _word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 3)))

    def sentence(self) -> str:
        """One sentence of 10-28 words mixing content and function words."""
        n = self.rng.randint(10, 28)
        content = self.rng.choices(self.words, weights=self.weights, k=n)
        words = [w if self.rng.random() < 0.65 else self.rng.choice(FUNCTION_WORDS) for w in content]
        if self.rng.random() < 0.3:
            words[self.rng.randrange(n)] = str(self.rng.randint(2, 2000))
        return " ".join(words).capitalize() + "."

    def article(self, n: int, words: int) -> tuple[str, list[str]]:
        """(header and title, body paragraphs) of article number N with about WORDS words."""
        body, count = [], 0
        while count < words:
            para = " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))
            body.append(para)
            count += len(para.split())
        day = dt.date(2024, 1, 1) + dt.timedelta(days=n % 300)
        title = " ".join(self.rng.choices(self.words, k=7)).capitalize()
        head = f"{title}\nOutlet: Outlet {n % 97}\nPublished: {day.isoformat()}"
        return head, body

    def spin(self, body: list[str], rate: float = 0.3) -> list[str]:
        """A spun copy: about RATE of the words swapped for others, sentence by sentence."""
        def swap(m: re.Match) -> str:
            return self.rng.choice(self.words) if self.rng.random() < rate else m.group()
        return [re.sub(r"(?<=\s)[a-z]+", swap, para) for para in body]


def write_corpus(folder: Path, n: int, words: int = 800, copy_rate: float = 0.02,
                 seed: int = 0) -> dict[str, str]:
    """Write N articles into FOLDER (some spun copies without an outlet); return copy file -> original file."""
    corpus = Corpus(seed)
    bodies: list[list[str]] = []
    planted: dict[str, str] = {}
    for i in range(n):
        name = f"a{i:06d}.txt"
        if bodies and corpus.rng.random() < copy_rate:
            source = corpus.rng.randrange(len(bodies))
            text = "\n\n".join(corpus.spin(bodies[source]))
            original = f"a{source:06d}.txt"
            planted[name] = planted.get(original, original)  # a copy of a copy is a copy of the first one
            bodies.append(bodies[source])
        else:
            head, body = corpus.article(i, words)
            bodies.append(body)
            extra = corpus.rng.choice(BOILERPLATE)
            text = head + "\n\n" + "\n\n".join(body[:2] + [extra] + body[2:])
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return planted


def run(n: int, words: int = 800, copy_rate: float = 0.02, seed: int = 0, workdir: Path | None = None) -> BenchResult:
    """Generate N articles, ingest them into a fresh store, and measure."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        planted = write_corpus(folder, n, words, copy_rate, seed)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        store = Store(Path(tmp) / "bench.sqlite3")
        start = time.perf_counter()
        report = ingest_paths([folder], store)
        seconds = time.perf_counter() - start
        found = _found_copies(store)
        store.close()
    hits = sum(1 for copy, original in planted.items() if found.get(copy) == original)
    det = report.seconds.get("derivatives", 0.0)
    return BenchResult(
        articles=len(report.added), megabytes=round(size, 2), seconds=round(seconds, 2),
        articles_per_s=round(len(report.added) / seconds, 1), mb_per_s=round(size / seconds, 2),
        derivative_seconds=round(det, 2), derivative_ms_per_article=round(1000 * det / max(1, n), 2),
        phase_seconds={k: round(v, 2) for k, v in report.seconds.items()}, planted_copies=len(planted),
        copies_found=hits, false_copies=len(found) - hits, failed=len(report.failed),
    )


def _found_copies(store: Store) -> dict[str, str]:
    rows = store.article_rows()
    names = {r["id"]: Path(r["path"]).name for r in rows}
    return {names[r["id"]]: names.get(r["derivative_of"], "?") for r in rows if r["derivative_of"]}
