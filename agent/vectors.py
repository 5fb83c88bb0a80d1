"""Nearest neighbours among unit vectors, exactly, a block of rows at a time (shared by alignment and events).

Exact top-k by matrix products in blocks: memory stays at BLOCK x N floats, and at 10,000 articles it takes
seconds (measured in `newsagent bench events`), so an approximate index would add a dependency for nothing.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1024


def nearest(queries: np.ndarray, base: np.ndarray, k: int = 10, block: int = BLOCK,
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
