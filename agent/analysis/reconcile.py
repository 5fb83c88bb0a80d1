"""Where outlets differ, and why: deterministic rules over clusters, quotes and names; the model is never needed."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

from agent.analysis.align import roots
from agent.text.entities import AliasGroup, AliasTable
from agent.text.numbers import extract_quantities, same_quantity
from agent.text.quotes import find_quotes, phrase_drift, quote_relation
from agent.text.norm import STOPWORDS, content_words
from agent.text.timeparse import TimeValue, compatible, to_interval
from agent.types import Article, Claim, Divergence, DivergenceSide, FactCluster

PAST = ("asserted_past", "ongoing", "attributed")
SHORT_PHRASE = 6
OMISSIONS_MAX = 10  # the most specific single-outlet facts; the rest stay in `single_source`
OMISSION_MIN_SPECIFICITY = 3


def specificity(text: str) -> int:
    """How much a statement pins down: capitalised names after the first word, and numbers (twice)."""
    words = text.split()
    return sum(1 for w in words[1:] if w[:1].isupper()) + sum(2 for w in words if any(c.isdigit() for c in w))  # words: a quoted phrase this short that changes one word is wording drift, not a new quote


def div_id(kind: str, sides: list[DivergenceSide]) -> str:
    """A stable id for a divergence."""
    key = kind + "|" + "|".join(f"{s.article_id}:{[r.index for r in s.sentence_refs]}" for s in sides)
    return f"D-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def side(article: Article, claims: list[Claim], indexes: list[int] | None = None) -> DivergenceSide:
    """One version: the article, its claims and the sentences as written."""
    idx = indexes if indexes is not None else sorted({i for c in claims for i in c.sentence_ids})
    refs = [article.ref(i) for i in idx]
    return DivergenceSide(article_id=article.id, outlet=article.label, claim_ids=[c.id for c in claims],
                          sentence_refs=refs, text=" ".join(r.text for r in refs))


def original_index(sides: list[DivergenceSide], root_of: dict[str, str]) -> int | None:
    """The side that is the original when another side is a derivative copy of it."""
    for i, s in enumerate(sides):
        copies = [o for o in sides if o is not s and root_of.get(o.article_id) == s.article_id != o.article_id]
        if copies:
            return i
    return None


# --- timing of report ----------------------------------------------------------------------------
def event_date(past: list[Claim], planned: list[Claim], articles: dict[str, Article]) -> date | None:
    """When the event happened: the day the past-tense reports give, else their date, else the day it was planned."""
    for claims in (past, planned):
        days = Counter(to_interval(c.time)[0] for c in claims if c.time and "/" not in c.time and len(c.time) == 10)
        if days:
            return days.most_common(1)[0][0]
        if claims is past:
            published = [articles[c.article_id].published for c in past if articles[c.article_id].published]
            if published:
                return min(published)
    return None


def timing_divergence(cluster: FactCluster, claims: list[Claim], articles: dict[str, Article]) -> Divergence | None:
    """A planned report next to past-tense reports of the same fact: explained by when each was written."""
    planned = [c for c in claims if c.modality == "planned_or_expected"]
    past = [c for c in claims if c.modality in PAST]
    if not planned or not past or {c.article_id for c in planned} <= {c.article_id for c in past}:
        return None
    when = event_date(past, planned, articles)
    planned_dates = [articles[c.article_id].published for c in planned]
    sides = _sides_by_article(planned, articles) + _sides_by_article(past, articles)
    n_planned = len({c.article_id for c in planned})
    if when and any(planned_dates) and all(d <= when for d in planned_dates if d):
        resolution, conf = "event_happened", 0.9
        why = (f"{_names(planned, articles)} wrote before the event (published {_dates(planned_dates)}); "
               f"{_names(past, articles)} report it as done on {when.isoformat()}.")
    elif when and any(d and d > when for d in planned_dates):
        resolution, conf = "disputed", 0.5
        why = f"{_names(planned, articles)} still call it planned after {when.isoformat()}, when others report it done."
    else:
        resolution, conf = "event_happened", 0.6
        why = (f"{_names(planned, articles)} describe it as planned and {_names(past, articles)} as done; "
               f"publication dates are unknown, so the planned report is read as written earlier.")
    return Divergence(id=div_id("timing_of_report", sides), kind="timing_of_report", cluster_ids=[cluster.id],
                      sides=sides, resolution=resolution, preferred_side=n_planned if resolution == "event_happened"
                      else None, rationale=why, confidence=conf)


# --- contradictions and numbers inside a cluster ---------------------------------------------------------
def contradiction(cluster: FactCluster, claims: list[Claim], articles: dict[str, Article]) -> Divergence | None:
    """One outlet reports a denial (or the negation) of what another asserts."""
    denied = [c for c in claims if c.modality == "denied" or _negated(c)]
    asserted = [c for c in claims if c.modality in PAST and not _negated(c)]
    if not denied or not asserted or {c.article_id for c in denied} == {c.article_id for c in asserted}:
        return None
    sides = _sides_by_article(asserted, articles) + _sides_by_article(denied, articles)
    why = f"{_names(asserted, articles)} state it; {_names(denied, articles)} report it denied or not so."
    return Divergence(id=div_id("contradiction", sides), kind="contradiction", cluster_ids=[cluster.id], sides=sides,
                      resolution="disputed", rationale=why, confidence=0.6)


def _negated(claim: Claim) -> bool:
    return bool({"not", "never", "no", "n't"} & set(claim.predicate.lower().replace("n't", " n't").split()))


def number_divergence(cluster: FactCluster, claims: list[Claim], articles: dict[str, Article],
                      root_of: dict[str, str]) -> Divergence | None:
    """Two outlets give different values (counts, amounts, dates) for the same fact."""
    for a in claims:
        for b in claims:
            if a.article_id >= b.article_id:
                continue
            clash = _value_clash(a, b, articles)
            if clash:
                sides = [side(articles[a.article_id], [a]), side(articles[b.article_id], [b])]
                pref = original_index(sides, root_of)
                return Divergence(id=div_id("number_or_date", sides), kind="number_or_date",
                                  cluster_ids=[cluster.id], sides=sides,
                                  resolution="prefer_original" if pref is not None else "disputed",
                                  preferred_side=pref, rationale=clash, confidence=0.7)
    return None


def _value_clash(a: Claim, b: Claim, articles: dict[str, Article]) -> str | None:
    """Why two claims' numbers or dates cannot both hold, or None."""
    qa = extract_quantities(" ".join(articles[a.article_id].sentences[i].text for i in a.sentence_ids))
    qb = extract_quantities(" ".join(articles[b.article_id].sentences[i].text for i in b.sentence_ids))
    for x in qa:
        verdicts = [same_quantity(x, y) for y in qb]
        if False in verdicts and True not in verdicts:
            other = qb[verdicts.index(False)]
            return f"{articles[a.article_id].label} gives {x.text!r} where {articles[b.article_id].label} gives {other.text!r}."
    if a.time and b.time and a.modality in PAST and b.modality in PAST:
        if compatible(TimeValue("", a.time, "day"), TimeValue("", b.time, "day")) is False:
            return (f"{articles[a.article_id].label} dates it {a.time} ({a.time_text}); "
                    f"{articles[b.article_id].label} {b.time} ({b.time_text}).")
    return None


def _sides_by_article(claims: list[Claim], articles: dict[str, Article]) -> list[DivergenceSide]:
    by_article: dict[str, list[Claim]] = {}
    for c in claims:
        by_article.setdefault(c.article_id, []).append(c)
    return [side(articles[aid], cs) for aid, cs in by_article.items()]


def _names(claims: list[Claim], articles: dict[str, Article]) -> str:
    labels = list(dict.fromkeys(articles[c.article_id].label for c in claims))
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _dates(days: list[date | None]) -> str:
    known = sorted({d.isoformat() for d in days if d})
    return ", ".join(known) if known else "date unknown"


# --- quotes and named phrases across articles ------------------------------------------------------------
def quoted_spans(articles: list[Article]) -> list[tuple[Article, int, str]]:
    """Every quotation of two or more words, with its article and sentence, plus the word that follows it."""
    out = []
    for a in articles:
        for s in a.sentences:
            for q in find_quotes(s.text):
                n = len(q.text.split())
                if n >= 2 or "-" in q.text:
                    out.append((a, s.index, q.text))
                    tail = s.text[q.end:].lstrip(" ”\"'’").split(" ")[:1]
                    # A scare-quoted word and the noun it qualifies ("no-limits" partnership) is one named term.
                    if n <= 2 and q.text.rstrip()[-1:] not in ",.;:!?" and tail and tail[0].isalpha():
                        out.append((a, s.index, f"{q.text} {tail[0]}"))
    return out


def quote_divergences(articles: list[Article], root_of: dict[str, str]) -> list[Divergence]:
    """Quotes and named phrases that one outlet words differently from another."""
    spans = quoted_spans(articles)
    words = [content_words(t) for _, _, t in spans]
    found: dict[tuple, Divergence] = {}
    for i, (a, ai, qa) in enumerate(spans):
        for j in range(i + 1, len(spans)):
            b, bi, qb = spans[j]
            if a.id == b.id or len(words[i] & words[j]) < 1:
                continue
            d = _quote_pair(a, ai, qa, b, bi, qb, root_of)
            if d is not None:
                found.setdefault((d.kind, frozenset({(a.id, ai), (b.id, bi)})), d)
    return merge_versions(list(found.values()), root_of)


def merge_versions(divergences: list[Divergence], root_of: dict[str, str]) -> list[Divergence]:
    """One divergence per changed phrase: pairs that share a sentence and a kind become one, with all sides."""
    merged: list[Divergence] = []
    for d in divergences:
        keys = {(s.article_id, s.sentence_refs[0].index) for s in d.sides}
        home = next((m for m in merged if m.kind == d.kind and keys & {(s.article_id, s.sentence_refs[0].index)
                                                                       for s in m.sides}), None)
        if home is None:
            merged.append(d)
            continue
        have = {(s.article_id, s.sentence_refs[0].index) for s in home.sides}
        home.sides += [s for s in d.sides if (s.article_id, s.sentence_refs[0].index) not in have]
        pref = original_index(home.sides, root_of)
        if pref is not None:
            home.preferred_side, home.resolution = pref, "prefer_original"
        home.id = div_id(home.kind, home.sides)
    return merged


def _quote_pair(a: Article, ai: int, qa: str, b: Article, bi: int, qb: str,
                root_of: dict[str, str]) -> Divergence | None:
    """The divergence between two quoted strings, if they are versions of one another."""
    drift = phrase_drift(qa, qb)
    if drift is not None and all(x in STOPWORDS and y in STOPWORDS for x, y in drift.swaps):
        drift = None  # "guidance from" vs "guidance had": the words after a quote, not a changed term
    short = max(len(qa.split()), len(qb.split())) <= SHORT_PHRASE
    if drift is not None and short:
        kind, swaps = "wording_drift", ", ".join(f"{x!r} -> {y!r}" for x, y in drift.swaps)
    elif quote_relation(qa, qb) == "altered" and not short:
        kind, swaps = "quote_altered", ""
    else:
        return None
    sides = [side(a, [], [ai]), side(b, [], [bi])]
    pref = original_index(sides, root_of)
    if kind == "wording_drift":
        resolution = "prefer_original" if pref is not None else "minor_wording"
        why = f"{a.label} writes “{qa}”, {b.label} “{qb}” ({swaps})."
    else:
        resolution = "prefer_original" if pref is not None else "disputed"
        why = f"{a.label} and {b.label} quote the same words differently: “{qa}” vs “{qb}”."
    if pref is not None:
        why += f" {sides[1 - pref].outlet} copies {sides[pref].outlet}'s story, so the original wording stands."
    return Divergence(id=div_id(kind, sides), kind=kind, sides=sides, resolution=resolution, preferred_side=pref,
                      rationale=why, confidence=0.8 if pref is not None else 0.6)


# --- names ---------------------------------------------------------------------------------------------
def name_divergences(articles: list[Article], aliases: AliasTable) -> list[Divergence]:
    """One entity spelled differently by different outlets (Kiev/Kyiv, Aleksandr/Alexander)."""
    by_id = {a.id: a for a in articles}
    out = []
    for group in aliases.variant_groups():
        sides = []
        for spelling, article_ids in _spellings(group):
            hit = _first_sentence_with(spelling, [by_id[x] for x in article_ids if x in by_id])
            if hit:
                sides.append(side(hit[0], [], [hit[1]]))
        if len(sides) >= 2:
            spellings = " / ".join(s for s, _ in _spellings(group))
            out.append(Divergence(id=div_id("name_variant", sides), kind="name_variant", sides=sides,
                                  resolution="same_entity", rationale=f"One name, spelled {spellings}.",
                                  confidence=0.8))
    return out


def _spellings(group: AliasGroup) -> list[tuple[str, list[str]]]:
    """(spelling, article ids) pairs of an alias group."""
    return [(k, sorted(v)) for k, v in group.variants.items()]


def _first_sentence_with(text: str, articles: list[Article]) -> tuple[Article, int] | None:
    for a in articles:
        for s in a.sentences:
            if text in s.text:
                return a, s.index
    return None


# --- everything ---------------------------------------------------------------------------------------
def reconcile(clusters: list[FactCluster], claims: list[Claim], articles: list[Article],
              aliases: AliasTable | None = None) -> list[Divergence]:
    """Every divergence the rules find, timing and contradictions first."""
    by_id = {a.id: a for a in articles}
    by_claim = {c.id: c for c in claims}
    root_of = roots(articles)
    found: list[Divergence] = []
    for cluster in clusters:
        members = [by_claim[i] for i in cluster.claim_ids]
        if len(cluster.article_ids) < 2:
            continue
        for rule in (timing_divergence, contradiction):
            d = rule(cluster, members, by_id)
            if d:
                found.append(d)
        d = number_divergence(cluster, members, by_id, root_of)
        if d:
            found.append(d)
    found += quote_divergences(articles, root_of)
    found += name_divergences(articles, aliases or AliasTable.from_texts({a.id: a.text for a in articles}))
    found += omissions(clusters, by_claim, by_id, root_of)
    return found


def omissions(clusters: list[FactCluster], by_claim: dict[str, Claim], articles: dict[str, Article],
              root_of: dict[str, str]) -> list[Divergence]:
    """Facts only one independent outlet reports: not a conflict, but the reader should know."""
    out = []
    singles = [c for c in clusters if c.independent_outlets == 1 and any(root_of[a] == a for a in c.article_ids)]
    for cluster in sorted(singles, key=lambda c: -specificity(c.text))[:OMISSIONS_MAX]:
        if specificity(cluster.text) < OMISSION_MIN_SPECIFICITY:
            break
        origin = next(a for a in cluster.article_ids if root_of[a] == a)
        members = [by_claim[i] for i in cluster.claim_ids if by_claim[i].article_id == origin]
        sides = [side(articles[origin], members)]
        out.append(Divergence(id=div_id("omission", sides), kind="omission", cluster_ids=[cluster.id], sides=sides,
                              resolution="not_a_conflict", rationale=f"Only {articles[origin].label} reports this.",
                              confidence=0.9))
    return out
