"""`bench embed`: per embedder, load time, sentences/s, and how well cosine finds the gold's same-fact pairs.

Gold: in each case, quotes of one key fact from different articles are positive pairs; every other pair of
sentences from two articles is a negative (pairs between an article and its derivative copy are left out).
With `labeled` negatives only pairs of two gold-quoted sentences count: the gold lists few facts, so many
"other" pairs restate one fact (the same quote in two outlets) and are negatives only for want of a label.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from agent.evals.cases import case_dirs, load_case, resolve_refs
from agent.store import Store
from agent.text.norm import content_words, jaccard

SAMPLE_CASE = "lukashenko-china-2023"
LEXICAL = "lexical"  # content-word Jaccard, the measure the comparison uses today
HYBRID = "hybrid"  # minilm cosine + 2 x lexical Jaccard (the weight that did best on the gold here)
PROBES = (
    ("97-1 vote / final tally", "This followed a 97-1 vote hours earlier in the Senate", "The final tally was 97-1"),
    ("Mattis Jan 1 / end of Feb", "Mattis will be leaving the administration on January 1, weeks earlier than planned",
     "Mattis will leave at the end of February"),
    ("unrelated news", "The ferry Aqsunqar capsized in a storm on Lake Ulken-Kol on Friday evening.",
     "China claims to be a neutral party to the Ukraine conflict."),
)


@dataclass
class CaseSentences:
    """Every sentence of one case's articles, with its article and the gold key facts it states."""

    case: str
    texts: list[str]
    articles: list[str]
    facts: list[frozenset[str]]
    copies: set[frozenset[str]]  # {copy id, original id}


@dataclass
class EmbedBench:
    """One embedder's figures; pair metrics are pooled over every case."""

    name: str
    dim: int | None
    load_seconds: float
    sentences: int
    sentences_per_s: float
    positives: int
    negatives: int
    threshold: float
    precision: float
    recall: float
    f1: float
    auc: float
    recall_at_k: float
    k: int
    threshold_at_recall: float
    precision_at_recall: float
    probes: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def gold_sentences(dirs: list[Path] | None = None) -> list[CaseSentences]:
    """Ingest each case into a temporary store and mark each sentence with the key facts its quotes state."""
    from agent.ingest import ingest_paths

    out = []
    for case_dir in dirs or case_dirs():
        case = load_case(case_dir)
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.sqlite3")
            report = ingest_paths([case.articles_dir], store)
            store.close()
        by_file = {Path(a.path).name: a for a in report.added + report.existing}
        gold = resolve_refs(case, by_file)
        facts: dict[tuple[str, int], set[str]] = {}
        for fact in gold.facts:
            for ref in fact.support:
                for index in ref.indices:
                    facts.setdefault((ref.article_id, index), set()).add(fact.id)
        sents = [s for a in by_file.values() for s in a.sentences]
        out.append(CaseSentences(case.name, [s.text for s in sents], [s.article_id for s in sents],
                                 [frozenset(facts.get((s.article_id, s.index), ())) for s in sents],
                                 {frozenset(pair) for pair in gold.derivatives.items()}))
    return out


class Lexical:
    """Content-word Jaccard as a pairwise similarity (not an embedding)."""

    name, dim = LEXICAL, None

    def features(self, texts: list[str]) -> list[set[str]]:
        """The stemmed content words of each text."""
        return [content_words(t) for t in texts]

    def similarity(self, texts: list[str]) -> np.ndarray:
        """The (n, n) Jaccard matrix."""
        sets = self.features(texts)
        return np.array([[jaccard(a, b) for b in sets] for a in sets], dtype=np.float32)


class Hybrid(Lexical):
    """MiniLM cosine plus twice the content-word Jaccard: meaning, with shared words weighing in."""

    name, dim = HYBRID, None

    def __init__(self, embedder):
        self.embedder = embedder

    def features(self, texts: list[str]) -> list[set[str]]:
        """Both representations (the embedding is the slow one)."""
        self.embedder.embed(texts)
        return super().features(texts)

    def similarity(self, texts: list[str]) -> np.ndarray:
        """The (n, n) matrix of cosine + 2 x Jaccard."""
        vectors = self.embedder.embed(texts)
        return vectors @ vectors.T + 2 * super().similarity(texts)


def _similarity(contender, texts: list[str]) -> np.ndarray:
    if isinstance(contender, Lexical):
        return contender.similarity(texts)
    vectors = contender.embed(texts)
    return vectors @ vectors.T


def pair_scores(contender, cases: list[CaseSentences], k: int = 3,
                labeled: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Scores and labels of the cross-article pairs, and the share of positives found among the k nearest."""
    scores, labels, hits, tries = [], [], 0, 0
    for c in cases:
        sim = _similarity(contender, c.texts)
        arts = np.array(c.articles)
        for i in range(len(c.texts)):
            for j in range(i + 1, len(c.texts)):
                if arts[i] == arts[j] or frozenset((arts[i], arts[j])) in c.copies:
                    continue
                if labeled and not (c.facts[i] and c.facts[j]):
                    continue
                positive = bool(c.facts[i] & c.facts[j])
                scores.append(sim[i, j])
                labels.append(positive)
                if positive:  # both directions: is each among the other's k nearest in its article?
                    for a, b in ((i, j), (j, i)):
                        rivals = np.flatnonzero(arts == arts[b])
                        hits += int(np.sum(sim[a, rivals] > sim[a, b]) < k)
                        tries += 1
    return np.array(scores, dtype=np.float64), np.array(labels, dtype=bool), hits / max(tries, 1)


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, float]:
    """(threshold, precision, recall, F1) at the cut `score >= threshold` with the highest F1."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    cut = np.r_[np.flatnonzero(s[1:] < s[:-1]), len(s) - 1]  # only between distinct scores
    precision, recall = tp[cut] / (cut + 1), tp[cut] / max(y.sum(), 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    best = int(np.argmax(f1))
    return float(s[cut[best]]), float(precision[best]), float(recall[best]), float(f1[best])


def at_recall(scores: np.ndarray, labels: np.ndarray, wanted: float) -> tuple[float, float]:
    """(threshold, precision) of the highest threshold whose recall reaches WANTED."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    first = int(np.argmax(tp >= wanted * max(y.sum(), 1)))
    last = first + int(np.sum(s[first + 1:] == s[first]))  # ties with the cut are accepted too
    return float(s[last]), float(tp[last] / (last + 1))


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Chance that a positive pair outscores a negative one (ties count half)."""
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]  # average 1-based rank of tied scores
    pos = labels.sum()
    neg = len(labels) - pos
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / max(pos * neg, 1))


def _speed(contender, texts: list[str], runs: int = 2) -> float:
    """Sentences per second, best of RUNS (the first run also pays page faults and cold caches)."""
    best = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        contender.features(texts) if isinstance(contender, Lexical) else contender.embed(texts)
        best = max(best, len(texts) / max(time.perf_counter() - start, 1e-9))
    return best


def _open(name: str):
    if name == LEXICAL:
        return Lexical()
    from agent.llm.embed import open_embedder

    return Hybrid(open_embedder("minilm")) if name == HYBRID else open_embedder(name)


def measure(contender, cases: list[CaseSentences], load_seconds: float, k: int = 3, labeled: bool = False,
            recall_target: float = 0.8) -> EmbedBench:
    """All figures for one loaded contender (an embedder, or the lexical measure)."""
    sample = next((c for c in cases if c.case == SAMPLE_CASE), cases[0]).texts
    speed = _speed(contender, sample)
    scores, labels, recall_k = pair_scores(contender, cases, k, labeled)
    threshold, precision, recall, f1 = best_threshold(scores, labels)
    thr_r, prec_r = at_recall(scores, labels, recall_target)
    probes = {label: float(_similarity(contender, [a, b])[0, 1]) for label, a, b in PROBES}
    return EmbedBench(contender.name, contender.dim, load_seconds, len(sample), speed, int(labels.sum()),
                      int((~labels).sum()), threshold, precision, recall, f1, auc(scores, labels), recall_k, k,
                      thr_r, prec_r, probes)


def run(names: list[str], extra: list | None = None, dirs: list[Path] | None = None, k: int = 3,
        labeled: bool = False) -> list[EmbedBench]:
    """Bench each named contender (`minilm`, `fake`, `lexical`, `hybrid`) and EXTRA (embedder, load s) pairs."""
    cases = gold_sentences(dirs)
    results = []
    for name in names:
        start = time.perf_counter()
        contender = _open(name)
        results.append(measure(contender, cases, time.perf_counter() - start, k, labeled))
    for contender, load_seconds in extra or []:
        results.append(measure(contender, cases, load_seconds, k, labeled))
    return results


def print_tables(results: list[EmbedBench], console=None, labeled: bool = False) -> None:
    """The bench table, then the probe cosines."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=180)
    k = results[0].k if results else 3
    negatives = "quoted sentences of other facts" if labeled else "all other sentence pairs"
    table = Table("embedder", "dim", "load s", "sentences", "sent/s", "pairs +/-", "best thr", "P", "R", "F1",
                  "AUC", f"R@{k}", "thr @R≥.8", "P @R≥.8",
                  title=f"bench embed (pairs pooled over evals/cases; negatives: {negatives})")
    for r in results:
        table.add_row(r.name, str(r.dim or "-"), f"{r.load_seconds:.2f}", str(r.sentences), f"{r.sentences_per_s:.0f}",
                      f"{r.positives}/{r.negatives}", f"{r.threshold:.3f}", f"{r.precision:.2f}", f"{r.recall:.2f}",
                      f"{r.f1:.2f}", f"{r.auc:.3f}", f"{r.recall_at_k:.2f}", f"{r.threshold_at_recall:.3f}",
                      f"{r.precision_at_recall:.2f}")
    console.print(table)
    probes = Table("probe pair", *[r.name for r in results], title="similarity of probe pairs")
    for label, _, _ in PROBES:
        probes.add_row(label, *[f"{r.probes[label]:.3f}" for r in results])
    console.print(probes)
