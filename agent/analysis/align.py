"""Claims from different articles that state the same fact, grouped into clusters with independent-outlet counts."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from agent.text.quotes import quote_relation
from agent.text.norm import content_words, jaccard, verb_key, words
from agent.types import Article, Claim, FactCluster

SAME_FACT = 0.34  # combined similarity at which two claims state the same fact
SAME_ARTICLE = 0.6  # stricter bar to put two claims of one article into one cluster
_AUX = frozenset("is are was were be been being has have had will would shall should can could may might must "
                 "to set due expected scheduled planned plans plan not also reportedly".split())


@dataclass(frozen=True)
class ClaimView:
    """What alignment compares of a claim: its words, its cited sentences' words, its verb and names."""

    claim: Claim
    claim_words: frozenset[str]
    sentence_words: frozenset[str]
    verb: str
    entities: frozenset[str]


def head_verb(predicate: str) -> str:
    """The alignment key of a predicate's main verb ("was set to arrive in" -> "arriv")."""
    content = [w for w in words(predicate) if w not in _AUX and w.isalpha()]
    return verb_key(content[0]) if content else ""


def view(claim: Claim, article: Article) -> ClaimView:
    """The comparable parts of one claim."""
    sentence = " ".join(article.sentences[i].text for i in claim.sentence_ids)
    return ClaimView(claim, frozenset(content_words(claim.text)), frozenset(content_words(sentence)),
                     head_verb(claim.predicate), frozenset(e.lower() for e in claim.entities))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard, or the overlap coefficient when both are long enough: a short claim inside a long one still matches."""
    if min(len(a), len(b)) >= 5:
        return (jaccard(set(a), set(b)) + len(a & b) / min(len(a), len(b))) / 2
    return jaccard(set(a), set(b))


def similarity(a: ClaimView, b: ClaimView) -> float:
    """How likely two claims state the same fact: claim words, sentence words, same verb, shared names."""
    qa, qb = a.claim.quote, b.claim.quote
    if qa and qb and quote_relation(qa, qb) == "unrelated":
        return 0.0  # two different quotations are two statements, however alike their sentences
    score = 0.55 * overlap(a.claim_words, b.claim_words)
    score += 0.45 * jaccard(set(a.sentence_words), set(b.sentence_words))
    if a.verb and a.verb == b.verb:
        score += 0.1
    if a.entities and b.entities:
        score += 0.1 * jaccard(set(a.entities), set(b.entities))
    return score


def candidate_pairs(views: list[ClaimView]) -> set[tuple[int, int]]:
    """Pairs that share at least two claim words (blocking keeps this far below all pairs)."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        for w in v.claim_words:
            index[w].append(i)
    shared: Counter = Counter()
    for members in index.values():
        if len(members) > 200:  # a word in most claims says nothing about which fact
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                shared[(members[x], members[y])] += 1
    return {pair for pair, n in shared.items() if n >= 2}


def roots(articles: list[Article]) -> dict[str, str]:
    """Each article's original: itself, or the article it was derived from (followed to the end)."""
    parent = {a.id: a.derivative_of for a in articles}
    out = {}
    for a in articles:
        node, seen = a.id, set()
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        out[a.id] = node
    return out


def independent_count(article_ids: list[str], articles: dict[str, Article], root_of: dict[str, str]) -> int:
    """Outlets that back a fact independently: derivative copies and a second article of one outlet add nothing."""
    voices = set()
    for aid in article_ids:
        root = root_of.get(aid, aid)
        outlet = articles[root].outlet if root in articles else None
        voices.add(outlet.lower() if outlet else root)
    return len(voices)


def group(views: list[ClaimView], pairs: set[tuple[int, int]], threshold: float = SAME_FACT) -> list[list[int]]:
    """Single-link grouping over scored pairs, strongest first; one article's claims join only when very close."""
    scored = sorted(((similarity(views[i], views[j]), i, j) for i, j in pairs), reverse=True)
    cluster_of = list(range(len(views)))
    members = {i: {i} for i in range(len(views))}
    for score, i, j in scored:
        if score < threshold:
            break
        ci, cj = cluster_of[i], cluster_of[j]
        if ci == cj:
            continue
        arts_i = {views[k].claim.article_id for k in members[ci]}
        arts_j = {views[k].claim.article_id for k in members[cj]}
        if arts_i & arts_j and score < SAME_ARTICLE:
            continue
        for k in members[cj]:
            cluster_of[k] = ci
        members[ci] |= members.pop(cj)
    return [sorted(m) for m in members.values()]


def representative(claims: list[Claim], root_of: dict[str, str]) -> Claim:
    """The claim that best states a cluster: from an original, asserted rather than planned, most specific."""
    rank = {"asserted_past": 0, "ongoing": 1, "attributed": 2, "denied": 3, "hedged": 4, "planned_or_expected": 5}
    return min(claims, key=lambda c: (root_of.get(c.article_id, c.article_id) != c.article_id,
                                      rank.get(c.modality, 9), -len(c.entities), len(c.text)))


def statement(claim: Claim) -> str:
    """A claim as one plain statement; a statement's own words are quoted when the clause leaves them out."""
    if claim.quote and claim.quote.strip(" ,.") not in claim.text and claim.modality in ("attributed", "denied"):
        verb = claim.predicate.split()[0] if claim.predicate else "said"
        return f"{claim.subject} {verb}: “{claim.quote.strip(' ,')}”"
    return claim.text


def build_cluster(claims: list[Claim], articles: dict[str, Article], root_of: dict[str, str]) -> FactCluster:
    """One fact cluster from its claims."""
    rep = representative(claims, root_of)
    article_ids = list(dict.fromkeys(c.article_id for c in claims))
    outlets = list(dict.fromkeys(articles[a].label for a in article_ids))
    refs = [articles[c.article_id].ref(i) for c in claims for i in c.sentence_ids]
    times = Counter(c.time for c in claims if c.time and c.modality != "planned_or_expected")
    digest = hashlib.sha1("|".join(sorted(c.id for c in claims)).encode()).hexdigest()[:8]
    return FactCluster(id=f"F-{digest}", text=statement(rep), claim_ids=[c.id for c in claims], article_ids=article_ids,
                       outlets=outlets, independent_outlets=independent_count(article_ids, articles, root_of),
                       sentence_refs=refs, modality=rep.modality,
                       time=times.most_common(1)[0][0] if times else rep.time)


def align(claims: list[Claim], articles: list[Article], threshold: float = SAME_FACT) -> list[FactCluster]:
    """Every claim in exactly one cluster; clusters ordered by independent support, then first mention."""
    by_id = {a.id: a for a in articles}
    root_of = roots(articles)
    views = [view(c, by_id[c.article_id]) for c in claims]
    groups = group(views, candidate_pairs(views), threshold)
    clusters = [build_cluster([claims[i] for i in g], by_id, root_of) for g in groups]
    order = {a.id: n for n, a in enumerate(articles)}
    return sorted(clusters, key=lambda f: (-f.independent_outlets, -len(f.article_ids),
                                           min(order[r.article_id] * 10_000 + r.index for r in f.sentence_refs)))
