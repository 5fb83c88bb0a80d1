"""Where outlets differ, and why: conflicts the comparison found inside facts, resolved by rules code can check.

A conflict between two sentences of one fact (from the model's label, confirmed or found by code) becomes a
divergence of its kind; rules decide what they know exactly: written before vs after the event, a copy
against its original, a later report that changed a schedule or figure. Quotations, named terms and name
spellings are compared across the whole corpus; omissions are facts only one outlet reports.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

from agent.analysis.annotate import Annotations, Key
from agent.analysis.judge import Relation
from agent.analysis.judge import term_changed
from agent.analysis.phrases import name_divergences, quote_detail, quote_divergences, term_detail
from agent.analysis.sides import div_id, original_index, side
from agent.text.timeparse import to_interval
from agent.types import Divergence, DivergenceSide, FactCluster

PAST = ("asserted_past", "ongoing", "attributed")
KIND_OF = {"number": "number_or_date", "date": "number_or_date", "status": "contradiction",
           "speaker": "contradiction", "quote": "quote_altered", "term": "wording_drift"}
UPDATE_CUE = re.compile(r"\b(?:earlier|later|sooner) than (?:planned|expected|scheduled|announced)|\bno longer\b|"
                        r"\binstead\b|\b(?:revised|corrected|updated|rescheduled|postponed|brought forward|"
                        r"moved up|pushed back|now)\b", re.I)


def _sides(keys: list[Key], ann: Annotations) -> list[DivergenceSide]:
    """One side per article, with that article's sentences among KEYS."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for a, i in keys:
        if i not in by_article[a]:
            by_article[a].append(i)
    return [side(ann.articles[a], sorted(idx)) for a, idx in by_article.items()]


def _names(sides: list[DivergenceSide]) -> str:
    labels = list(dict.fromkeys(s.outlet or s.article_id for s in sides))
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _published(ann: Annotations, article_id: str) -> date | None:
    return ann.articles[article_id].published


# --- written before vs after the event ------------------------------------------------------------
def event_date(past: list[Key], planned: list[Key], ann: Annotations) -> date | None:
    """When the event happened: the day the past reports give, else their publication date, else the plan's day."""
    for keys in (past, planned):
        days = Counter(to_interval(ann.notes[k].time)[0] for k in keys
                       if ann.notes[k].time and len(ann.notes[k].time) == 10)
        if days:
            return days.most_common(1)[0][0]
        if keys is past:
            published = [d for d in (_published(ann, k[0]) for k in past) if d]
            if published:
                return min(published)
    return None


def done_actions(ann: Annotations) -> set[tuple[str, str]]:
    """(article, verb) for every action an article reports as done somewhere (it did not write before that)."""
    return {(k[0], n.verb) for k, n in ann.notes.items() if n.verb and n.tense in PAST}


def timing_divergence(cluster: FactCluster, members: list[Key], ann: Annotations,
                      done: set[tuple[str, str]]) -> Divergence | None:
    """A report telling the fact as planned next to reports telling it as done: explained by when each was written.

    Planned and done must be the same action (one verb: "was set to arrive" / "arrived"), and a report that
    itself tells the action as done elsewhere was not written before the event."""
    past = [k for k in members if ann.notes[k].tense in PAST and ann.notes[k].verb]
    verbs = {ann.notes[k].verb for k in past}
    planned = [k for k in members if ann.notes[k].tense == "planned_or_expected" and ann.notes[k].verb in verbs
               and (k[0], ann.notes[k].verb) not in done]
    past = [k for k in past if ann.notes[k].verb in {ann.notes[p].verb for p in planned}]
    if not planned or not past:
        return None
    when = event_date(past, planned, ann)
    planned_sides, past_sides = _sides(planned, ann), _sides(past, ann)
    written = [_published(ann, s.article_id) for s in planned_sides]
    if when and any(written) and all(d <= when for d in written if d):
        resolution, conf = "event_happened", 0.9
        why = (f"{_names(planned_sides)} wrote before the event (published {_dates(written)}); "
               f"{_names(past_sides)} report it as done on {when.isoformat()}.")
    elif when and any(d and d > when for d in written):
        resolution, conf = "disputed", 0.5
        why = f"{_names(planned_sides)} still call it planned after {when.isoformat()}, when others report it done."
    else:
        resolution, conf = "event_happened", 0.6
        why = (f"{_names(planned_sides)} describe it as planned and {_names(past_sides)} as done; publication dates "
               f"are unknown, so the planned report is read as written earlier.")
    sides = planned_sides + past_sides
    return Divergence(id=div_id("timing_of_report", sides), kind="timing_of_report", cluster_ids=[cluster.id],
                      sides=sides, resolution=resolution, rationale=why, confidence=conf,
                      preferred_side=len(planned_sides) if resolution == "event_happened" else None,
                      set_aside=list(range(len(planned_sides))) if resolution == "event_happened" else [])


def _dates(days: list[date | None]) -> str:
    known = sorted({d.isoformat() for d in days if d})
    return ", ".join(known) if known else "date unknown"


# --- conflicts inside a fact ------------------------------------------------------------------------
def conflict_divergence(cluster: FactCluster, rel: Relation, ann: Annotations) -> Divergence | None:
    """A conflicting detail between two sentences of one fact, as a divergence with its resolution and why."""
    kind = KIND_OF.get(rel.label)
    if kind is None:
        return None
    sides = _sides([rel.pair.a], ann) + _sides([rel.pair.b], ann)
    copy = original_index(sides, ann.roots)
    resolution, preferred, why = _resolve(rel, sides, copy, ann)
    who = "code" if rel.by == "code" or rel.why else "the model"
    detail = rel.why or f"the model reads a different {rel.label}"
    rationale = f"{sides[0].outlet} and {sides[1].outlet} state this differently ({detail}; found by {who}). {why}"
    return Divergence(id=div_id(kind, sides), kind=kind, cluster_ids=[cluster.id], sides=sides,
                      detail=_detail(rel, ann), resolution=resolution, preferred_side=preferred,
                      rationale=rationale.strip(),
                      confidence=0.8 if who == "code" else 0.6, decided_by="rule" if who == "code" else "model",
                      set_aside=[1 - preferred] if preferred is not None and resolution != "minor_wording" else [])


def _detail(rel: Relation, ann: Annotations) -> str | None:
    """What changed between the two sentences, when code can name it (a swapped term, the quotations)."""
    a, b = ann.notes[rel.pair.a], ann.notes[rel.pair.b]
    if rel.label == "term":
        drift = term_changed(a, b)
        return term_detail(drift) if drift else None
    if rel.label == "quote" and a.quotes and b.quotes:
        return quote_detail(max(a.quotes, key=lambda q: len(q.text)).text, max(b.quotes, key=lambda q: len(q.text)).text)
    return None


def _resolve(rel: Relation, sides: list[DivergenceSide], copy: int | None,
             ann: Annotations) -> tuple[str, int | None, str]:
    """(resolution, preferred side, why): the original over its copy, a later change over the earlier plan."""
    if copy is not None:
        return "prefer_original", copy, f"{sides[1 - copy].outlet} copies {sides[copy].outlet}; the original stands."
    if rel.label in ("term", "quote") and _minor(rel, ann):
        return "minor_wording", None, "The wording changes; the fact is the same."
    later = _later_update(rel, sides, ann)
    if later is not None:
        earlier = sides[1 - later]
        return ("superseded", later, f"{sides[later].outlet} reported later "
                f"({_published(ann, sides[later].article_id)}) and the change supersedes {earlier.outlet}'s "
                f"earlier version ({_published(ann, earlier.article_id)}).")
    return "disputed", None, "Neither version can be preferred from the texts."


def _minor(rel: Relation, ann: Annotations) -> bool:
    """A changed term or quotation that keeps the fact: most of the words stay."""
    a, b = ann.notes[rel.pair.a], ann.notes[rel.pair.b]
    return rel.label == "term" or len(a.words & b.words) >= 0.6 * min(len(a.words), len(b.words))


def _later_update(rel: Relation, sides: list[DivergenceSide], ann: Annotations) -> int | None:
    """The side that changed the other later: a moved schedule (both planned) or a stated update."""
    if rel.label not in ("number", "date", "status"):
        return None
    days = [_published(ann, s.article_id) for s in sides]
    if not all(days) or days[0] == days[1]:
        return None
    later = 0 if days[0] > days[1] else 1
    notes = [ann.notes[rel.pair.a], ann.notes[rel.pair.b]]
    both_planned = all(n.tense == "planned_or_expected" for n in notes)
    return later if both_planned or UPDATE_CUE.search(notes[later].text) else None


# --- omissions ----------------------------------------------------------------------------------------
OMISSIONS_MAX = 6
PER_OUTLET_SENTENCES = 100  # an outlet gets one more notable omission for every this many sentences it has
LEAD_SENTENCES = 3  # an article's first sentences say what its story is
NOVEL = 0.6  # share of a sentence's (rarity-weighted) words that no other outlet uses anywhere


def newsworthiness(note) -> int:
    """How much a sentence reports an event: a dated action, figures, named actors; not talk or background."""
    score = 2 * bool(note.time) + (note.tense in ("asserted_past", "planned_or_expected"))
    score += bool(note.quantities) + bool(any(" " in e for e in note.entities))
    quoted = sum(q.end - q.start for q in note.quotes) > len(note.text) / 2
    return score - 2 * quoted - (note.modality is None)


def _story(ann: Annotations):
    """The story every outlet tells: the mean vector of the articles' first sentences."""
    leads = [ann.vector(k) for k in ann.keys if k[1] < LEAD_SENTENCES and ann.notes[k].reportable]
    mean = sum(leads) / len(leads) if leads else ann.vectors.mean(axis=0)
    return mean / (float((mean @ mean) ** 0.5) or 1.0)


def novelty(key: Key, ann: Annotations, outlets_using: Counter) -> float:
    """The rarity-weighted share of a sentence's content words that no other outlet uses anywhere."""
    words = ann.notes[key].words
    total = sum(ann.idf.get(w, 1.0) for w in words)
    return sum(ann.idf.get(w, 1.0) for w in words if outlets_using[w] < 2) / total if total else 0.0


def omissions(clusters: list[FactCluster], ann: Annotations, taken: set[Key]) -> list[Divergence]:
    """Facts only one outlet reports, the most event-like and most novel of each outlet: notable, not conflicts."""
    single = {(c.sentence_refs[0].article_id, c.sentence_refs[0].index): c for c in clusters
              if c.independent_outlets == 1}
    words_of: dict[str, set[str]] = defaultdict(set)
    for k, n in ann.notes.items():
        words_of[ann.root(k)] |= n.words
    elsewhere = Counter(w for words in words_of.values() for w in words)  # how many outlets use each word
    picked: dict[str, list[tuple[float, Key]]] = defaultdict(list)
    story = _story(ann)
    for key, cluster in single.items():
        if key in taken or ann.root(key) != key[0] or not ann.notes[key].reportable:
            continue
        relevance = max(0.0, float(ann.vector(key) @ story))
        weight = newsworthiness(ann.notes[key]) * novelty(key, ann, elsewhere) * relevance
        if newsworthiness(ann.notes[key]) >= 3 and novelty(key, ann, elsewhere) >= NOVEL:
            picked[key[0]].append((weight, key))
    out = []
    for article_id, found in picked.items():
        allowed = 1 + sum(1 for k in ann.keys if k[0] == article_id) // PER_OUTLET_SENTENCES
        for weight, key in sorted(found, key=lambda x: (-x[0], x[1][1]))[:allowed]:
            sides = _sides([key], ann)
            out.append((weight, Divergence(id=div_id("omission", sides), kind="omission",
                                           cluster_ids=[single[key].id], sides=sides, resolution="not_a_conflict",
                                           confidence=0.6, rationale=f"Only {sides[0].outlet} reports this.")))
    return [d for _, d in sorted(out, key=lambda x: -x[0])][:OMISSIONS_MAX]


# --- everything ------------------------------------------------------------------------------------------
def reconcile(clusters: list[FactCluster], relations: list[Relation], ann: Annotations) -> list[Divergence]:
    """Every divergence: timing first, then conflicts inside facts, quotes and terms, names, omissions."""
    member_of = {(r.article_id, r.index): c for c in clusters for r in c.sentence_refs}
    done = done_actions(ann)
    found: list[Divergence] = []
    for cluster in clusters:
        if len(cluster.article_ids) > 1:
            keys = [(r.article_id, r.index) for r in cluster.sentence_refs]
            timing = timing_divergence(cluster, keys, ann, done)
            found += [timing] if timing else []
    for rel in relations:
        home, other = member_of.get(rel.pair.a), member_of.get(rel.pair.b)
        if home is None or other is None or _planned_vs_done(rel):
            continue  # planned against done is the timing rule's to explain, never a contradiction
        d = conflict_divergence(home, rel, ann)  # the relation says both state one fact, whatever their clusters
        if d:
            d.cluster_ids = list(dict.fromkeys([home.id, other.id]))
            found.append(d)
    found += quote_divergences(ann)
    found += name_divergences(ann)
    taken = {(s.article_id, r.index) for d in found for s in d.sides for r in s.sentence_refs}
    found += omissions(clusters, ann, taken)
    return merge_versions(found, ann)


def _planned_vs_done(rel: Relation) -> bool:
    return rel.label == "status" and rel.why.startswith("one tells it as planned")


def _overlap(a: Divergence, b: Divergence) -> bool:
    """Two divergences of one kind about the same thing: a shared sentence (the same pair of sentences for a
    changed term or quote, which one sentence can hold several of), or (timing) the same early report."""
    if a.kind == "timing_of_report":
        return bool({a.sides[i].article_id for i in a.set_aside} & {b.sides[i].article_id for i in b.set_aside})
    keys = {(s.article_id, r.index) for s in a.sides for r in s.sentence_refs}
    shared = keys & {(s.article_id, r.index) for s in b.sides for r in s.sentence_refs}
    if a.kind == "wording_drift" and a.detail and b.detail:
        return a.detail == b.detail  # one sentence can hold several changed terms: the same change, not sentence
    if a.kind == "quote_altered" and a.detail and b.detail:
        return bool(set(a.detail.split("|")) & set(b.detail.split("|")))  # one version of the quote in common
    return bool(shared)


def _add_sides(home: Divergence, other: Divergence) -> None:
    """Other's sides into home: a new article as a new side, another sentence of a known one into its side."""
    by_article = {s.article_id: s for s in home.sides}
    for s in other.sides:
        mine = by_article.get(s.article_id)
        if mine is None:
            home.sides.append(s)
            continue
        known = {r.index for r in mine.sentence_refs}
        mine.sentence_refs += [r for r in s.sentence_refs if r.index not in known]
        mine.text = " ".join(r.text for r in mine.sentence_refs)


def merge_versions(divergences: list[Divergence], ann: Annotations) -> list[Divergence]:
    """One divergence per changed detail: same-kind divergences sharing a sentence become one, with all sides."""
    merged: list[Divergence] = []
    for d in divergences:
        home = next((m for m in merged if m.kind == d.kind and _overlap(m, d)), None)
        if home is None:
            merged.append(d)
            continue
        aside = {home.sides[i].article_id for i in home.set_aside} | {d.sides[i].article_id for i in d.set_aside}
        _add_sides(home, d)
        home.set_aside = [i for i, s in enumerate(home.sides) if s.article_id in aside]
        home.cluster_ids = list(dict.fromkeys(home.cluster_ids + d.cluster_ids))
        copy = original_index(home.sides, ann.roots)
        if copy is not None and home.resolution in ("disputed", "minor_wording"):
            home.preferred_side, home.resolution = copy, "prefer_original"
            home.set_aside = [i for i, s in enumerate(home.sides) if ann.roots.get(s.article_id) != s.article_id]
        home.id = div_id(home.kind, home.sides)
    return merged
