"""Candidate pairs: each new article's nearest stored articles by lead vector, a block of rows at a time.

Exact top-k by matrix products in blocks: memory stays at BLOCK x N floats, and at 10,000 articles it takes
seconds (measured in `newsagent bench events`), so an approximate index would add a dependency for nothing.
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 12  # more than the outlets that cover one event in a day's folder
BLOCK = 1024


def nearest(queries: np.ndarray, base: np.ndarray, k: int = NEIGHBOURS, block: int = BLOCK,
            query_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per query row, the indexes in BASE of its K most similar rows (its own QUERY_ROWS row left out), best first."""
    n = base.shape[0]
    k = max(0, min(k, n - (1 if query_rows is not None else 0)))
    idx = np.zeros((queries.shape[0], k), dtype=np.int64)
    sims = np.zeros((queries.shape[0], k), dtype=np.float32)
    if k == 0:
        return idx, sims
    for start in range(0, queries.shape[0], block):
        part = queries[start:start + block] @ base.T
        if query_rows is not None:
            part[np.arange(part.shape[0]), query_rows[start:start + block]] = -np.inf
        top = np.argpartition(-part, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(part, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        idx[start:start + block] = np.take_along_axis(top, order, axis=1)
        sims[start:start + block] = np.take_along_axis(top_sims, order, axis=1)
    return idx, sims


def candidate_pairs(new_ids: list[str], all_ids: list[str], vectors: np.ndarray,
                    k: int = NEIGHBOURS) -> set[tuple[str, str]]:
    """Pairs (sorted ids) of each new article with its K nearest articles among ALL_IDS (rows of VECTORS)."""
    if not new_ids or len(all_ids) < 2:
        return set()
    row = {a: i for i, a in enumerate(all_ids)}
    rows = np.array([row[a] for a in new_ids])
    idx, _ = nearest(vectors[rows], vectors, k, query_rows=rows)
    pairs = set()
    for a, near in zip(new_ids, idx):
        for j in near:
            b = all_ids[int(j)]
            pairs.add((a, b) if a < b else (b, a))
    return pairs
