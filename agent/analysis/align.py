"""Sentences of different outlets that state one fact, grouped into clusters with independent-outlet counts."""

from __future__ import annotations

import hashlib
from collections import Counter

from agent.analysis.annotate import Annotations, Key
from agent.analysis.judge import Relation
from agent.types import Article, Claim, FactCluster

SAME_ARTICLE_MIN = 0.70  # two sentences of one article share a cluster only when one restates the other
LINK_MIN = 0.45  # mean cosine two groups must keep to merge (stops a chain of pairs drifting off the fact)
LINKED = 1.0  # a pair scoring this (cosine + 2 x Jaccard) counts as linked even when no relation was decided
LINKED_SHARE = 0.5  # share of cross-outlet pairs of two groups that must be linked for them to merge
LONG = 45  # words: a representative longer than this reads poorly in a brief
RANK = {"asserted_past": 0, "ongoing": 1, "attributed": 2, "denied": 3, "hedged": 4, None: 2,
        "planned_or_expected": 5}


class _Groups:
    """Union of sentences into facts, merging only groups that stay close (average link) and tidy per article."""

    def __init__(self, ann: Annotations, keys: list[Key], joined: set[tuple[Key, Key]]):
        self.ann, self.joined = ann, joined
        self.of = {k: k for k in keys}
        self.members = {k: [k] for k in keys}

    def find(self, k: Key) -> Key:
        while self.of[k] != k:
            self.of[k] = self.of[self.of[k]]
            k = self.of[k]
        return k

    def mergeable(self, x: Key, y: Key) -> bool:
        """Two groups state one fact: close on average, mostly linked pair by pair, one article's restatements only."""
        pairs = [(a, b) for a in self.members[x] for b in self.members[y]]
        cos = {p: self.ann.cosine(*p) for p in pairs}
        decided = all((a, b) in self.joined or (b, a) in self.joined for a, b in pairs)
        if sum(cos.values()) / len(cos) < LINK_MIN and not decided:
            return False
        if any(cos[(a, b)] < SAME_ARTICLE_MIN for a, b in pairs if a[0] == b[0]):
            return False
        # Between independent voices only: a copy and its original linking to a sentence must not count twice.
        # Two voices are linked when any of their sentence pairs is (an original's, or its copy's).
        cross: dict[tuple[str, str], bool] = {}
        for a, b in pairs:
            voices = (self.ann.root(a), self.ann.root(b))
            if voices[0] != voices[1]:
                cross[voices] = cross.get(voices, False) or self.linked(a, b, cos[(a, b)])
        return not cross or sum(cross.values()) >= LINKED_SHARE * len(cross)

    def linked(self, a: Key, b: Key, cos: float) -> bool:
        """A decided relation joins the two sentences, or they are close in meaning and words."""
        if (a, b) in self.joined or (b, a) in self.joined:
            return True
        return cos + 2 * self.ann.overlap(a, b) >= LINKED

    def union(self, a: Key, b: Key) -> None:
        x, y = self.find(a), self.find(b)
        if x == y or not self.mergeable(x, y):
            return
        self.of[y] = x
        self.members[x] += self.members.pop(y)


def group_sentences(ann: Annotations, relations: list[Relation]) -> list[list[Key]]:
    """Every reportable sentence in exactly one group; related pairs merged strongest first."""
    keys = [k for k in ann.keys if ann.notes[k].reportable]
    joining = [r for r in relations if r.joins]
    groups = _Groups(ann, keys, {(r.pair.a, r.pair.b) for r in joining})
    for rel in sorted(joining, key=lambda r: (not one_action(ann, r), -r.pair.score)):
        if rel.pair.a in groups.of and rel.pair.b in groups.of:
            groups.union(rel.pair.a, rel.pair.b)
    return [sorted(m) for m in groups.members.values()]


def one_action(ann: Annotations, rel: Relation) -> bool:
    """The pair tells one action (one main verb) two ways, planned and done or dated apart: it groups first, so the
    report of a plan meets the report of that very action, not a closer sentence of the same article about another."""
    a, b = ann.notes[rel.pair.a], ann.notes[rel.pair.b]
    return rel.label in ("status", "date") and a.verb is not None and a.verb == b.verb


def independent_count(article_ids: list[str], ann: Annotations) -> int:
    """Outlets that back a fact independently: derivative copies and a second article of one outlet add nothing."""
    return len({ann.outlet((a, 0)) for a in article_ids})


def representative(members: list[Key], ann: Annotations) -> Key:
    """The sentence that best states a fact now: from an original, told as done rather than planned, central."""
    def centrality(k: Key) -> float:
        return sum(ann.cosine(k, o) for o in members if o != k) / max(1, len(members) - 1)

    def rank(k: Key) -> tuple:
        note = ann.notes[k]
        length = len(note.text.split())
        return (ann.root(k) != k[0], RANK.get(note.tense, 2), length > LONG, -round(centrality(k), 2), length)

    return min(members, key=rank)


def told(members: list[Key], ann: Annotations) -> dict[str, str]:
    """How each article tells the fact: denied or hedged when it does, else as planned or done (first sentence)."""
    out: dict[str, str] = {}
    for key in members:
        note = ann.notes[key]
        mode = note.modality if note.modality in ("denied", "hedged") else note.tense or "asserted_past"
        if key[0] not in out or mode in ("denied", "hedged"):
            out[key[0]] = mode
    return out


def build_cluster(members: list[Key], ann: Annotations, claims_by_key: dict[Key, list[Claim]]) -> FactCluster:
    """One fact cluster: its representative sentence first, then every member sentence."""
    rep = representative(members, ann)
    ordered = [rep] + [k for k in members if k != rep]
    article_ids = list(dict.fromkeys(k[0] for k in ordered))
    articles: dict[str, Article] = ann.articles
    notes = [ann.notes[k] for k in ordered]
    times = Counter(n.time for n in notes if n.time and n.tense != "planned_or_expected")
    digest = hashlib.sha1("|".join(f"{a}:{i}" for a, i in sorted(members)).encode()).hexdigest()[:8]
    return FactCluster(
        id=f"F-{digest}", text=ann.notes[rep].text,
        claim_ids=[c.id for k in ordered for c in claims_by_key.get(k, [])],
        article_ids=article_ids, outlets=list(dict.fromkeys(articles[a].label for a in article_ids)),
        independent_outlets=independent_count(article_ids, ann),
        sentence_refs=[articles[a].ref(i) for a, i in ordered],
        modality=ann.notes[rep].tense or ann.notes[rep].modality or "asserted_past",
        article_modality=told(ordered, ann),
        time=times.most_common(1)[0][0] if times else ann.notes[rep].time)


def facts_from_groups(groups: list[list[Key]], ann: Annotations, claims: list[Claim]) -> list[FactCluster]:
    """Fact clusters for grouped sentences, with the claims extracted from them; best backed first, then by place."""
    claims_by_key: dict[Key, list[Claim]] = {}
    for c in claims:
        claims_by_key.setdefault((c.article_id, c.sentence_ids[0]), []).append(c)
    clusters = [build_cluster(m, ann, claims_by_key) for m in groups]
    order = {a: n for n, a in enumerate(ann.articles)}
    return sorted(clusters, key=lambda f: (-f.independent_outlets, -len(f.article_ids),
                                           min(order[r.article_id] * 10_000 + r.index for r in f.sentence_refs)))


def align(ann: Annotations, relations: list[Relation], claims: list[Claim] | None = None) -> list[FactCluster]:
    """Every reportable sentence in exactly one fact cluster."""
    return facts_from_groups(group_sentences(ann, relations), ann, claims or [])
