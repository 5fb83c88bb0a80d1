"""Average-linkage grouping along candidate edges, with stored events held fixed.

Two groups join when the mean score over all their article pairs reaches the threshold, best pair of groups
first. Averaging over every pair (not the single best link) keeps a chain of look-alike stories from fusing
two events. Stored events never join each other: a new article joins at most one of them, so event ids stay
stable and nothing is re-clustered. The sum of scores between two groups is kept and added up on a join,
so each article pair is scored once.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

PairTotal = Callable[[str, str], float]


@dataclass
class _Group:
    members: list[str]
    fixed: bool
    version: int = 0
    neighbours: set[int] = field(default_factory=set)


class _Linker:
    """The groups, their neighbours, and the summed scores between neighbouring groups."""

    def __init__(self, groups: list[_Group], total: PairTotal):
        self.groups, self.total = groups, total
        self.sums: dict[tuple[int, int], float] = {}
        self.heap: list[tuple[float, int, int, int, int]] = []

    def sum(self, g: int, h: int) -> float:
        """The summed pair scores between groups G and H (computed once, then kept up to date)."""
        key = (g, h) if g < h else (h, g)
        if key not in self.sums:
            self.sums[key] = sum(self.total(x, y) for x in self.groups[g].members for y in self.groups[h].members)
        return self.sums[key]

    def push(self, g: int, h: int) -> None:
        """Queue the pair of groups G, H at their mean score (never two fixed groups)."""
        a, b = self.groups[g], self.groups[h]
        if a.fixed and b.fixed:
            return
        mean = self.sum(g, h) / (len(a.members) * len(b.members))
        heapq.heappush(self.heap, (-mean, g, h, a.version, b.version))

    def join(self, g: int, h: int) -> None:
        """Move group H (never a fixed one) into group G, adding up the sums with their neighbours."""
        a, b = self.groups[g], self.groups[h]
        around = (a.neighbours | b.neighbours) - {g, h}
        merged = {n: self.sum(g, n) + self.sum(h, n) for n in around}
        for n in around:
            self.sums.pop((min(h, n), max(h, n)), None)
            self.groups[n].neighbours.discard(h)
            self.groups[n].neighbours.add(g)
        a.members += b.members
        b.members, b.neighbours = [], set()
        a.neighbours = {n for n in around if not (a.fixed and self.groups[n].fixed)}
        self.sums.update({(min(g, n), max(g, n)): s for n, s in merged.items()})
        a.version += 1
        b.version += 1
        for n in a.neighbours:
            self.push(g, n)


def link(fixed: list[list[str]], loose: list[str], edges: set[tuple[str, str]], total: PairTotal,
         threshold: float) -> list[list[str]]:
    """FIXED groups (stored events, first, in order) and LOOSE articles joined along EDGES at a mean TOTAL >= THRESHOLD."""
    groups = [_Group(list(m), True) for m in fixed] + [_Group([a], False) for a in loose]
    where = {a: g for g, grp in enumerate(groups) for a in grp.members}
    for a, b in edges:
        ga, gb = where.get(a), where.get(b)
        if ga is not None and gb is not None and ga != gb and not (groups[ga].fixed and groups[gb].fixed):
            groups[ga].neighbours.add(gb)
            groups[gb].neighbours.add(ga)
    linker = _Linker(groups, total)
    for g, grp in enumerate(groups):
        for h in grp.neighbours:
            if g < h:
                linker.push(g, h)
    while linker.heap:
        score, g, h, vg, vh = heapq.heappop(linker.heap)
        if groups[g].version != vg or groups[h].version != vh or not groups[g].members or not groups[h].members:
            continue
        if -score < threshold:
            break
        if groups[h].fixed:  # a stored event keeps its place in the result
            g, h = h, g
        linker.join(g, h)
    return [grp.members for grp in groups[:len(fixed)]] + [grp.members for grp in groups[len(fixed):] if grp.members]
