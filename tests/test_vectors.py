"""Nearest neighbours: exact for small bases, an inverted-file index past EXACT_MAX that finds nearly the same."""

import numpy as np

from agent import vectors


def _clustered(n: int, d: int = 32, topics: int = 120, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, d))
    x = centres[rng.integers(0, topics, n)] + 0.6 * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_exact_search_leaves_each_query_out_and_orders_best_first():
    x = _clustered(300)
    idx, sims = vectors.nearest(x, x, 5, query_rows=np.arange(300))
    assert idx.shape == (300, 5) and not (idx == np.arange(300)[:, None]).any()
    assert (np.diff(sims, axis=1) <= 1e-6).all()
    brute = np.argsort(-np.where(np.eye(300, dtype=bool), -np.inf, x @ x.T), axis=1)[:, :5]
    assert (idx == brute).mean() > 0.99


def test_the_inverted_index_finds_nearly_what_exact_search_finds(monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_MAX", 1000)
    x = _clustered(6000)
    rows = np.arange(0, 6000, 3)
    approx, _ = vectors.nearest(x[rows], x, 10, query_rows=rows)
    exact, _ = vectors._exact(x[rows], x, np.arange(6000), 10, query_rows=rows)
    recall = np.mean([len(set(a[a >= 0]) & set(b)) / 10 for a, b in zip(approx, exact)])
    assert recall > 0.9
    assert not (approx == rows[:, None]).any()  # a query is never its own neighbour
