"""Candidate pairs: each new article's nearest stored articles by lead vector (agent.vectors.nearest)."""

from __future__ import annotations

import numpy as np

from agent.vectors import nearest

NEIGHBOURS = 12  # more than the outlets that cover one event in a day's folder


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
        for j in near[near >= 0]:
            b = all_ids[int(j)]
            pairs.add((a, b) if a < b else (b, a))
    return pairs
