"""Which version of a fact stands: the comparison's resolutions, read by every part of the brief and by QA."""

from __future__ import annotations

from agent.text import modality as modality_cues
from agent.text.harm import harm_clash
from agent.text.norm import words
from agent.types import Comparison, Divergence, FactCluster, SentenceRef

Key = tuple[str, int]
CONFLICT_KINDS = frozenset({"timing_of_report", "number_or_date", "contradiction", "quote_altered"})


def key(ref: SentenceRef) -> Key:
    """A sentence reference as (article id, index)."""
    return ref.article_id, ref.index


def set_aside(comparison: Comparison) -> set[Key]:
    """Sentences whose version a resolution superseded: the plan before the event, an earlier schedule, a copy."""
    return {key(r) for d in comparison.divergences for i in d.set_aside for r in d.sides[i].sentence_refs}


def disputed(comparison: Comparison) -> set[str]:
    """Facts in which the outlets disagree and nothing settles which version stands."""
    return {c for d in comparison.divergences if d.resolution == "disputed" and d.kind in CONFLICT_KINDS
            for c in d.cluster_ids}


def current_refs(fact: FactCluster, aside: set[Key]) -> list[SentenceRef]:
    """The fact's sentences that state its standing version (all of them when none was set aside)."""
    return [r for r in fact.sentence_refs if key(r) not in aside] or []


def statement_ref(fact: FactCluster, aside: set[Key]) -> SentenceRef | None:
    """The sentence that states the fact as it stands now (None when every version was set aside)."""
    refs = current_refs(fact, aside)
    return next((r for r in refs if reads_whole(r.text)), refs[0] if refs else None)


def reads_whole(text: str) -> bool:
    """Whether a sentence stands alone: every quotation it opens it closes (a sentence cut from a quotation of
    several sentences, “I have not done anything wrong., reads broken out of it)."""
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


def divergences_of(fact: FactCluster, comparison: Comparison) -> list[Divergence]:
    """The divergences found inside one fact."""
    return [d for d in comparison.divergences if fact.id in d.cluster_ids]


def contradicts_resolution(text: str, facts: list[FactCluster], comparison: Comparison) -> str:
    """Why a written sentence states a superseded version of one of FACTS, or "" when it does not."""
    said = set(words(text))
    planned = modality_cues.classify(text).modality == "planned_or_expected"
    for fact in facts:
        for d in divergences_of(fact, comparison):
            if not d.set_aside:
                continue
            if d.kind == "timing_of_report" and planned:
                return "tells as planned what the comparison found happened"
            kept = set().union(*(set(words(s.text)) for i, s in enumerate(d.sides) if i not in d.set_aside))
            old = set().union(*(set(words(d.sides[i].text)) for i in d.set_aside))
            stale = {w for w in (old - kept) & said if any(c.isdigit() for c in w) or w in _MONTHS_DAYS}
            if stale:
                return f"states the superseded {', '.join(sorted(stale))}"
    return ""


def takes_a_side(text: str, comparison: Comparison) -> str:
    """Why TEXT (a headline) states one version of a conflict the comparison left disputed, or a version it set
    aside, as if settled; "" when it does neither."""
    said = set(words(text))
    for d in comparison.divergences:
        if d.kind not in ("number_or_date", "contradiction") or len(d.sides) < 2:
            continue
        for i, side in enumerate(d.sides):
            others = [s.text for j, s in enumerate(d.sides) if j != i]
            if any(harm_clash(text, other) for other in others) and not harm_clash(text, side.text):
                return f"states {side.outlet}'s version of a {d.kind.replace('_', ' ')}"
            own = {w for w in set(words(side.text)) & said if any(c.isdigit() for c in w) or w in _MONTHS_DAYS}
            if own and any(own - set(words(other)) for other in others):  # a detail another version lacks
                return f"states {side.outlet}'s {', '.join(sorted(own))}"
    return contradicts_resolution(text, comparison.facts + comparison.single_source, comparison)


_MONTHS_DAYS = frozenset("january february march april may june july august september october november december "
                         "monday tuesday wednesday thursday friday saturday sunday".split())
