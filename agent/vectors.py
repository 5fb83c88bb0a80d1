"""Nearest neighbours among unit vectors (shared by alignment and events): exact up to EXACT_MAX rows, beyond it
an inverted-file index, so that the cost grows as n^1.5, never as every pair.

Exact top-k runs by matrix products a block of rows at a time (memory BLOCK x N floats). Past EXACT_MAX rows,
k-means centroids (about sqrt(n) of them, trained on a sample) split the base into lists; each query is compared
only with the members of the PROBE lists nearest its own list's centroid. Approximate: a neighbour in a far list
is missed, which costs a candidate pair, never a wrong one (every pair is still judged on its own).
"""

from __future__ import annotations

import numpy as np

BLOCK = 1024
EXACT_MAX = 20_000  # rows: below this, exact search costs seconds (a day's folder; one event has hundreds)
PROBE = 8  # lists searched per query list
TRAIN_ROWS = 40  # sample rows per centroid for k-means
ROUNDS = 6


def nearest(queries: np.ndarray, base: np.ndarray, k: int = 10, block: int = BLOCK,
            query_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per query row, the indexes in BASE of its K most similar rows (its own QUERY_ROWS row left out), best first;
    -1 pads a row the inverted index found fewer for."""
    if base.shape[0] > EXACT_MAX and queries.shape[0] > EXACT_MAX // 10:
        return _inverted(queries, base, k, query_rows)
    return _exact(queries, base, np.arange(base.shape[0]), k, block, query_rows)


def _exact(queries: np.ndarray, base: np.ndarray, base_ids: np.ndarray, k: int, block: int = BLOCK,
           query_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-K of QUERIES among BASE, as ids from BASE_IDS (fewer columns when BASE is small)."""
    k = max(0, min(k, base.shape[0] - (1 if query_rows is not None else 0)))
    idx = np.zeros((queries.shape[0], k), dtype=np.int64)
    sims = np.zeros((queries.shape[0], k), dtype=np.float32)
    if k == 0:
        return idx, sims
    position = {int(b): i for i, b in enumerate(base_ids)} if query_rows is not None else {}
    for start in range(0, queries.shape[0], block):
        part = queries[start:start + block] @ base.T
        for r, q in enumerate([] if query_rows is None else query_rows[start:start + block]):
            if int(q) in position:  # a query is not its own neighbour
                part[r, position[int(q)]] = -np.inf
        top = np.argpartition(-part, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(part, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        idx[start:start + block] = base_ids[np.take_along_axis(top, order, axis=1)]
        sims[start:start + block] = np.take_along_axis(top_sims, order, axis=1)
    return idx, sims


def centroids(base: np.ndarray, lists: int, seed: int = 0) -> np.ndarray:
    """LISTS unit centroids by spherical k-means on a sample of BASE (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    sample = base[rng.choice(base.shape[0], size=min(base.shape[0], lists * TRAIN_ROWS), replace=False)]
    cents = sample[rng.choice(sample.shape[0], size=lists, replace=False)].copy()
    for _ in range(ROUNDS):
        owner = np.argmax(sample @ cents.T, axis=1)
        for c in range(lists):
            members = sample[owner == c]
            if len(members):
                mean = members.sum(axis=0)
                cents[c] = mean / (np.linalg.norm(mean) or 1.0)
    return cents


def _inverted(queries: np.ndarray, base: np.ndarray, k: int, query_rows: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Approximate top-K: each query list searched against its PROBE nearest lists of BASE."""
    lists = max(1, int(np.sqrt(base.shape[0])))
    cents = centroids(base, lists)
    owner = np.concatenate([np.argmax(base[s:s + BLOCK * 8] @ cents.T, axis=1)
                            for s in range(0, base.shape[0], BLOCK * 8)])
    members = [np.flatnonzero(owner == c) for c in range(lists)]
    q_owner = np.concatenate([np.argmax(queries[s:s + BLOCK * 8] @ cents.T, axis=1)
                              for s in range(0, queries.shape[0], BLOCK * 8)])
    probes = np.argsort(-(cents @ cents.T), axis=1)[:, :PROBE]
    idx = np.full((queries.shape[0], k), -1, dtype=np.int64)
    sims = np.full((queries.shape[0], k), -np.inf, dtype=np.float32)
    for c in range(lists):
        rows = np.flatnonzero(q_owner == c)
        if not len(rows):
            continue
        pool = np.concatenate([members[p] for p in probes[c]])
        found, found_sims = _exact(queries[rows], base[pool], pool, k,
                                   query_rows=None if query_rows is None else query_rows[rows])
        idx[rows, :found.shape[1]], sims[rows, :found.shape[1]] = found, found_sims
    return idx, sims
