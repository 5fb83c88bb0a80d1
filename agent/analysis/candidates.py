"""Which sentences of different outlets might state the same fact: nearest neighbours by meaning and by words.

Candidates come from each sentence's few nearest neighbours in other articles (by embedding), from sentences
sharing several rare words, and from rare anchors (a number as written, a quotation) — never from scoring
every pair. A pair's score is the embedding cosine plus twice the content-word Jaccard: measured on the eval
gold, that ranks same-fact pairs better than either alone (`newsagent bench embed`). Code then says what it
can compute about a pair: a clash of numbers or dates, planned vs done.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from dataclasses import dataclass, replace

import numpy as np

from agent.analysis.annotate import Annotations, Key, Note
from agent.vectors import nearest
from agent.text.harm import CASUALTY_WORDS, casualties, clash_of, harm_clash
from agent.text.norm import STOPWORDS, verb_key, words
from agent.text.numbers import same_quantity, words_to_number
from agent.text.quotes import quote_relation
from agent.text.timeparse import TimeValue, compatible

NEIGHBOURS = 4  # nearest sentences kept per sentence and other article
FLOOR = 0.35  # below this cosine, two sentences are not candidates unless an anchor joins them
SMALL_CORPUS = 12  # articles: up to this many, every other article's best matches are candidates
BEST_FLOOR = 0.15  # ... or unless each is the other's closest sentence in that article (a paraphrase)
ANCHOR_FLOOR = 0.15
RARE = 6  # an anchor shared by more sentences than this says nothing about which fact
RARE_WORD = 12  # a word in more sentences than this is too common to propose a pair
SHARED_WORDS = 3  # rare content words two sentences must share to be proposed by words alone
WORD_WEIGHT = 2.0
BLOCK = 2048  # rows of the similarity matrix computed at once (bounded memory on big corpora)
PAST = frozenset({"asserted_past", "ongoing", "attributed"})
STORY_DAYS = 7  # a casualty count dated further before its article's publication is an earlier event


@dataclass(frozen=True, slots=True)
class Pair:
    """Two sentences of different articles that may state the same fact, with what code knows of them."""

    a: Key
    b: Key
    cosine: float
    anchors: frozenset[str] = frozenset()
    overlap: float = 0.0  # content words shared, weighted by rarity (Annotations.overlap)

    @property
    def score(self) -> float:
        """Meaning and shared words together (as Annotations.score)."""
        return self.cosine + WORD_WEIGHT * self.overlap

    def other(self, key: Key) -> Key:
        """The pair's other sentence."""
        return self.b if key == self.a else self.a


def _usable(ann: Annotations) -> list[Key]:
    return [k for k in ann.keys if ann.notes[k].reportable]


def neighbour_pairs(ann: Annotations, k: int = NEIGHBOURS, floor: float = FLOOR) -> dict[tuple[Key, Key], float]:
    """Each sentence's nearest sentences in other articles: the K best of each other article when the corpus is
    one event's few articles, the K x SMALL_CORPUS best overall when it is larger (pairs grow with sentences)."""
    keys = _usable(ann)
    if len(keys) < 2:
        return {}
    vecs = np.stack([ann.vector(x) for x in keys])
    if len({x[0] for x in keys}) > SMALL_CORPUS:
        return _global_pairs(keys, vecs, k * SMALL_CORPUS, floor)
    article = np.array([hash(x[0]) for x in keys])
    found: dict[tuple[Key, Key], float] = {}
    for start in range(0, len(keys), BLOCK):
        sims = vecs[start:start + BLOCK] @ vecs.T
        for r in range(sims.shape[0]):
            i = start + r
            row = np.where(article == article[i], -1.0, sims[r])
            for j in _top_per_article(row, keys, k, floor):
                pair = (keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i])
                found[pair] = float(row[j])
    return found


def _global_pairs(keys: list[Key], vecs: np.ndarray, k: int, floor: float) -> dict[tuple[Key, Key], float]:
    """Each sentence's K nearest sentences of other articles, overall (agent.vectors.nearest)."""
    idx, sims = nearest(vecs, vecs, k, query_rows=np.arange(len(keys)))
    found: dict[tuple[Key, Key], float] = {}
    for i, (row, row_sims) in enumerate(zip(idx, sims)):
        for j, sim in zip(row[row >= 0], row_sims[row >= 0]):
            x, y = keys[i], keys[int(j)]
            if sim >= floor and x[0] != y[0]:
                found[(x, y) if x < y else (y, x)] = float(sim)
    return found


def _top_per_article(row: np.ndarray, keys: list[Key], k: int, floor: float) -> list[int]:
    """Indices of the K best entries of ROW per other article above FLOOR, and each article's best above BEST_FLOOR."""
    order = np.argsort(-row)
    taken: dict[str, int] = defaultdict(int)
    out = []
    for j in order:
        if row[j] < BEST_FLOOR:
            break
        if taken[keys[j][0]] < k and (row[j] >= floor or not taken[keys[j][0]]):
            taken[keys[j][0]] += 1
            out.append(int(j))
    return out


def anchor_pairs(ann: Annotations) -> dict[tuple[Key, Key], frozenset[str]]:
    """Sentences of different articles that share a rare number as written or a quotation."""
    holders: dict[str, list[Key]] = defaultdict(list)
    for key in _usable(ann):
        note = ann.notes[key]
        for n in note.numbers:
            if len(n.strip("0123456789")) or len(n) >= 2:
                holders[f"#{n}"].append(key)
        for q in note.quotes:
            if len(q.text.split()) >= 3:
                holders[f"q:{' '.join(q.text.lower().split()[:3])}"].append(key)
    out: dict[tuple[Key, Key], set[str]] = defaultdict(set)
    for anchor, keys in holders.items():
        if len(keys) > RARE:
            continue
        for i, x in enumerate(keys):
            for y in keys[i + 1:]:
                if x[0] != y[0]:
                    out[(x, y) if x < y else (y, x)].add(anchor)
    return {p: frozenset(v) for p, v in out.items()}


def word_pairs(ann: Annotations) -> set[tuple[Key, Key]]:
    """Sentences of different articles sharing several rare content words (an inverted index, not all pairs)."""
    holders: dict[str, list[Key]] = defaultdict(list)
    for key in _usable(ann):
        for w in ann.notes[key].words:
            holders[w].append(key)
    shared: Counter = Counter()
    for keys in holders.values():
        if len(keys) > RARE_WORD:
            continue
        for i, x in enumerate(keys):
            for y in keys[i + 1:]:
                if x[0] != y[0]:
                    shared[(x, y) if x < y else (y, x)] += 1
    return {p for p, n in shared.items() if n >= SHARED_WORDS}


def harm_pairs(ann: Annotations) -> set[tuple[Key, Key]]:
    """Sentences of different articles where one says no one was hurt and the other counts people hurt: they share
    few words and little meaning ("No one was injured, the chief said" / "Two workers were taken to hospital")."""
    said = {k: c for k in _usable(ann) if CASUALTY_WORDS.search(ann.notes[k].text)
            and ((c := casualties(ann.notes[k].text)).denied or c.counted)}
    denying = [k for k, c in said.items() if c.denied]
    counting = [k for k, c in said.items() if c.counted]
    return {(x, y) if x < y else (y, x) for x in denying for y in counting
            if x[0] != y[0] and clash_of(said[x], said[y]) and all(_of_the_story(ann, k) for k in (x, y))}


def casualty_clash(ann: Annotations, a: Key, b: Key) -> str | None:
    """No one hurt in one sentence, people hurt in the other, both of the story's own days (not an earlier
    disaster the story recalls: "two were killed in a similar fire in 2019")."""
    if not all(_of_the_story(ann, k) for k in (a, b)):
        return None
    return harm_clash(ann.notes[a].text, ann.notes[b].text)


def _of_the_story(ann: Annotations, key: Key) -> bool:
    """The sentence's own event is undated, or dated within the week before its article's publication."""
    when, published = ann.notes[key].time, ann.articles[key[0]].published
    if when is None or published is None:
        return True
    week = f"{(published - timedelta(days=STORY_DAYS)).isoformat()}/{(published + timedelta(days=1)).isoformat()}"
    return compatible(TimeValue("", when, "day"), TimeValue("", week, "day")) is not False


def candidate_pairs(ann: Annotations) -> list[Pair]:
    """Neighbours by meaning, by words, anchored pairs and casualty clashes; best score first."""
    near, anchored, worded, harmed = neighbour_pairs(ann), anchor_pairs(ann), word_pairs(ann), harm_pairs(ann)
    pairs = []
    for key in set(near) | set(anchored) | worded | harmed:
        cos = near.get(key, ann.cosine(*key))
        pair = Pair(key[0], key[1], round(cos, 4), anchored.get(key, frozenset()), round(ann.overlap(*key), 4))
        if key in near or key in worded or key in harmed or cos >= ANCHOR_FLOOR:
            pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


# --- what code can compute about a pair ---------------------------------------------------------
def _predicate(text: str, q) -> str | None:
    """The word a figure is counted by when it has no noun ("nine are still missing" -> missing), in its clause."""
    clause = re.split(r"[,;:.()]", text[q.end:], maxsplit=1)[0]
    rest = [w for w in words(clause) if w.isalpha() and w not in STOPWORDS and w not in _FILLER and w != q.noun]
    return verb_key(rest[0]) if rest and words_to_number(rest[0]) is None else None


_FILLER = frozenset("still now also reportedly already yet believed thought feared".split())


def number_clash(a: Note, b: Note) -> str | None:
    """Figures of one thing that differ, read both ways (each sentence's figure missing from the other)."""
    there, back = _one_way_clash(a, b), _one_way_clash(b, a)
    return there if there and back else None


def _one_way_clash(a: Note, b: Note) -> str | None:
    """Two counts or amounts of one thing that differ ("at least 14 people" vs "17 people"), as a phrase.

    Only figures of the same counted noun or unit are compared; "at least"/"more than" are read as the figure
    itself, because two outlets giving different tolls is a divergence however each hedges it."""
    for x in a.quantities:
        if any(same_quantity(_plain(x), _plain(y)) for y in b.quantities):
            continue  # the other sentence gives this figure too, for whatever it counts
        verdicts = [(same_quantity(_plain(x), _plain(y)), y) for y in b.quantities if _comparable(a, x, b, y)]
        if verdicts and all(v is False for v, _ in verdicts):
            return f"{x.text!r} vs {verdicts[0][1].text!r}"
    return None


def counted_clash(a: Note, b: Note) -> str | None:
    """Figures of one counted noun that differ ("More than 150 migrants" vs "about 200 migrants"): the noun named
    in both, not a year or an age; None when the sentences agree or count different things."""
    clash = number_clash(a, b)
    if clash is None:
        return None
    nouns = [(x.noun, y.noun) for x in a.quantities for y in b.quantities if x.noun and y.noun and x.value != y.value
             and not {x.noun, y.noun} & _NOT_COUNTS and verb_key(x.noun) == verb_key(y.noun)]
    return clash if nouns else None


_NOT_COUNTS = frozenset("year years year-old years-old old percent".split())


def _plain(q):
    return replace(q, qualifier=None) if q.qualifier in ("more", "less") else q


def _comparable(a: Note, x, b: Note, y) -> bool:
    """The same thing counted: the same unit, the same noun, or the same word counting it ("missing")."""
    if x.unit or y.unit:
        return x.unit == y.unit
    if x.noun and y.noun and x.noun.rstrip("s") == y.noun.rstrip("s"):
        return True
    px, py = _predicate(a.text, x), _predicate(b.text, y)
    return bool(px) and px == py


def date_clash(a: Note, b: Note) -> str | None:
    """One action dated differently ("broke out late on Sunday" vs "broke out early on Monday"), when both
    sentences tell it the same way (done, or planned); only the dates of the same verb are compared."""
    if _tense(a) != _tense(b):
        return None
    for verb, x in a.dated:
        theirs = [y for v, y in b.dated if v == verb]
        if theirs and all(compatible(TimeValue("", x, "day"), TimeValue("", y, "day")) is False for y in theirs):
            return f"“{_surface(a.text, verb)}”: {x} vs {theirs[0]}"
    return None


def _surface(text: str, verb: str) -> str:
    """The verb as the sentence writes it ("leaving"), not its key ("leav"), for the reader."""
    return next((w for w in words(text) if verb_key(w) == verb), verb)


def _tense(note: Note) -> str:
    return "planned" if note.tense == "planned_or_expected" else "past"


def planned_vs_done(a: Note, b: Note) -> bool:
    """One sentence tells the action as planned or expected, the other as done."""
    tenses = {a.tense, b.tense}
    return "planned_or_expected" in tenses and bool(tenses & PAST)


def denied_vs_asserted(a: Note, b: Note) -> bool:
    """One sentence denies or negates what the other asserts."""
    neg_a = a.modality == "denied" or a.negated
    neg_b = b.modality == "denied" or b.negated
    return neg_a != neg_b


def quote_pair(a: Note, b: Note) -> str | None:
    """How the two sentences' quotations relate ("same", "fragment", "altered"), when both quote."""
    best = None
    for x in a.quotes:
        for y in b.quotes:
            rel = quote_relation(x.text, y.text)
            if rel != "unrelated" and (best is None or rel == "altered"):
                best = rel
    return best
