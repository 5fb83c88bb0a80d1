"""Sentence retrieval: BM25 over sentences and sentence windows, and sentence embeddings, fused by rank; the BM25
index is kept in the workspace, the vectors in the embedding cache."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from agent import config
from agent.llm.embed import Embedder, embed_cached
from agent.text.safety import detector_key, looks_like_injection, unreportable  # noqa: F401 (re-exported)
from agent.store import Store
from agent.text.norm import STOPWORDS, stem, verb_key, words
from agent.text.numbers import extract_quantities
from agent.text.quotes import find_quotes
from agent.text.timeparse import find_time_expressions
from agent.types import Article, Citation

INDEX_VERSION = 2  # 2: sentences the safety verdict refuses (with their paragraph) are left out
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
WINDOW = 1  # neighbours on each side: a sentence's pronouns are often resolved by the one before it
# Below this cosine a sentence is not retrieved by meaning: unrelated sentences of one event score 0.0-0.25 with
# MiniLM, a paraphrase of the question's answer 0.27 and up (measured on the eval questions).
DENSE_FLOOR = 0.2
DENSE_WEIGHT = 2.0  # the two BM25 rankings are one lexical signal seen twice; meaning weighs as much as both
DETAIL_WEIGHT = 1.0  # the sentences holding the kind of detail the question asks for, nearest in meaning first

def terms(text: str) -> list[str]:
    """The BM25 tokens of a text: stems of its content words, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def keys(text: str) -> set[str]:
    """Match keys of a text's content words: stems plus verb lemmas, so "met" meets "meet"."""
    ws = [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return {stem(w) for w in ws} | {verb_key(w) for w in ws if w.isalpha()}


def corpus_key(article_ids: list[str]) -> str:
    """A short hash naming one set of articles (and the index format)."""
    payload = json.dumps([INDEX_VERSION, detector_key(), sorted(article_ids)])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    """One retrieved sentence, its window (the sentence with its neighbours), fused and best BM25 scores, and the
    cosine of the sentence with the query (0 without vectors)."""

    ref: Citation
    window: str
    score: float
    bm25: float
    cosine: float = 0.0


def window_text(article: Article, index: int, banned: frozenset[int] | dict = frozenset()) -> str:
    """A sentence with its neighbours (never a banned one: they are not evidence)."""
    lo, hi = max(0, index - WINDOW), min(len(article.sentences), index + WINDOW + 1)
    return " ".join(s.text for s in article.sentences[lo:hi] if s.index not in banned)


def _fit(docs: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25()
    model.index([d or [""] for d in docs], show_progress=False)
    return model


class SentenceIndex:
    """BM25 over every sentence and over each sentence's window, and sentence vectors once attached; search fuses
    the rankings."""

    def __init__(self, refs: list[Citation], contexts: list[str], sentences: bm25s.BM25, windows: bm25s.BM25,
                 df: dict[str, int]):
        self.refs, self.contexts, self.df = refs, contexts, df
        self.sentences, self.windows = sentences, windows
        self.vectors: dict[str, np.ndarray] = {}  # embedder name -> one unit row per ref
        self.rows = {(r.article_id, r.index): i for i, r in enumerate(refs)}
        self._holds: dict[str, np.ndarray] = {}  # detail kind -> which sentences hold one

    def attach(self, embedder: Embedder, store: Store) -> np.ndarray:
        """The sentence vectors of EMBEDDER (from the store's embedding cache; unseen sentences embedded once)."""
        if embedder.name not in self.vectors:
            self.vectors[embedder.name] = embed_cached(embedder, [r.text for r in self.refs], store)
        return self.vectors[embedder.name]

    def idf(self, key: str) -> float:
        """How rare a match key is among the sentences (unseen keys are the rarest)."""
        n = len(self.refs)
        return math.log((n + 1) / (self.df.get(key, 0) + 0.5))

    @classmethod
    def build(cls, articles: list[Article]) -> "SentenceIndex":
        """Index the sentences of ARTICLES (sentences that talk to the model or about the output are left out)."""
        refs, contexts, sent_docs, window_docs, df = [], [], [], [], Counter()
        for a in sorted(articles, key=lambda a: a.id):
            banned = unreportable(a)
            for s in a.sentences:
                if s.index in banned:
                    continue
                refs.append(a.cite(s.index))
                sent_docs.append(terms(s.text))
                df.update(keys(s.text))
                contexts.append(window_text(a, s.index, banned))
                window_docs.append(terms(contexts[-1]))
        return cls(refs, contexts, _fit(sent_docs), _fit(window_docs), dict(df))

    def save(self, folder: Path) -> None:
        """Write the index files into FOLDER."""
        folder.mkdir(parents=True, exist_ok=True)
        self.sentences.save(str(folder / "sentences"), show_progress=False)
        self.windows.save(str(folder / "windows"), show_progress=False)
        with open(folder / "refs.jsonl", "w", encoding="utf-8") as f:
            for ref, context in zip(self.refs, self.contexts):
                f.write(json.dumps({"ref": ref.model_dump(), "window": context}, ensure_ascii=False) + "\n")
        (folder / "df.json").write_text(json.dumps(self.df, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "SentenceIndex":
        """Read an index written by `save`."""
        with open(folder / "refs.jsonl", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        refs = [Citation.model_validate(r["ref"]) for r in rows]
        load = lambda name: bm25s.BM25.load(str(folder / name), show_progress=False)  # noqa: E731
        df = json.loads((folder / "df.json").read_text(encoding="utf-8"))
        return cls(refs, [r["window"] for r in rows], load("sentences"), load("windows"), df)

    def _scores(self, model: bm25s.BM25, query: list[str]) -> np.ndarray:
        known = [t for t in query if t in model.vocab_dict]
        if not known or not self.refs:
            return np.zeros(len(self.refs), dtype=np.float32)
        return np.asarray(model.get_scores(known), dtype=np.float32)[: len(self.refs)]

    def holds(self, kind: str) -> np.ndarray:
        """Which sentences hold a detail of KIND ("date": a time phrase, "number": a figure)."""
        if kind not in self._holds:
            self._holds[kind] = np.array([bool(DETAIL_FINDERS[kind](r.text)) for r in self.refs], dtype=bool)
        return self._holds[kind]

    def search(self, query: str, k: int = 8, *, per_article: int | None = None,
               vector: np.ndarray | None = None, embedder: str = "", detail: frozenset[str] = frozenset()
               ) -> list[Hit]:
        """The K best sentences for QUERY, best first, at most PER_ARTICLE from one article when given.

        With the query's VECTOR (and the EMBEDDER whose sentence vectors are attached) the sentences nearest in
        meaning join the BM25 rankings, so a question in other words than the article's still finds them. With
        the DETAIL kinds the question asks for ("what year": a date), the sentences holding one rank once more.
        """
        q = terms(query)
        by_sentence, by_window = self._scores(self.sentences, q), self._scores(self.windows, q)
        cosines = self._cosines(vector, embedder)
        rankings = [(by_sentence, 0.0, 1.0), (by_window, 0.0, 1.0), (cosines, DENSE_FLOOR, DENSE_WEIGHT)]
        for kind in sorted(detail & set(DETAIL_FINDERS)):
            near = cosines if vector is not None else by_sentence
            rankings.append((np.where(self.holds(kind), near, 0.0), DENSE_FLOOR if vector is not None else 0.0,
                             DETAIL_WEIGHT))
        fused = np.zeros(len(self.refs), dtype=np.float64)
        for scores, floor, weight in rankings:
            order = np.argsort(-scores, kind="stable")
            ranks = np.empty(len(order), dtype=np.int64)
            ranks[order] = np.arange(len(order))
            fused += np.where(scores > floor, weight / (RRF_K + 1 + ranks), 0.0)
        hits, taken = [], Counter()
        for i in np.argsort(-fused, kind="stable"):
            if fused[i] <= 0 or len(hits) >= k:
                break
            article = self.refs[i].article_id
            if per_article is None or taken[article] < per_article:
                taken[article] += 1
                best = float(max(by_sentence[i], by_window[i]))
                hits.append(Hit(self.refs[i], self.contexts[i], float(fused[i]), best, float(cosines[i])))
        return hits

    def _cosines(self, vector: np.ndarray | None, embedder: str) -> np.ndarray:
        rows = self.vectors.get(embedder)
        if vector is None or rows is None or not len(rows):
            return np.zeros(len(self.refs), dtype=np.float32)
        return rows @ np.asarray(vector, dtype=np.float32)


DETAIL_FINDERS = {"date": find_time_expressions, "number": extract_quantities, "quote": find_quotes}


def index_root() -> Path:
    """Where sentence indexes live in the workspace."""
    return config.home_dir() / "index"


KEEP_INDEXES = 4  # other article sets (eval cases, --corpus runs) keep their index for a while


def _build_and_save(articles: list[Article], folder: Path) -> SentenceIndex:
    index = SentenceIndex.build(articles)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    index.save(tmp)
    try:
        os.replace(tmp, folder)  # atomic: a reader never sees half an index
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process won the race; its index is the same
    others = sorted((p for p in folder.parent.iterdir() if p != folder and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_INDEXES - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    return index


_loaded: dict[str, SentenceIndex] = {}


def open_index(store: Store, article_ids: list[str] | None = None) -> SentenceIndex:
    """The index of ARTICLE_IDS (default: every stored article): loaded if built before, else built and saved."""
    ids = article_ids if article_ids is not None else [row["id"] for row in store.article_rows()]
    folder = index_root() / corpus_key(ids)
    if str(folder) in _loaded and folder.is_dir():
        return _loaded[str(folder)]
    if (folder / "df.json").is_file():
        index = SentenceIndex.load(folder)
    else:
        articles = store.articles_by_ids(list(ids)) if article_ids is not None else store.list_articles()
        index = _build_and_save(articles, folder)
    _loaded[str(folder)] = index
    return index
