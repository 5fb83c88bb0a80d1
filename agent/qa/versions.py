"""Answers where the outlets disagree: each version with its outlet, the standing one first, and the comparison's
why; a version the comparison set aside is told only as what it was, never as current."""

from __future__ import annotations

import re

from agent.brief.versions import CONFLICT_KINDS, Key, contradicts_resolution, divergences_of, key, set_aside
from agent.qa.checks import Answer, abstain
from agent.qa.evidence import COMPARE_FORM, Evidence
from agent.qa.match import MIN_RELEVANCE, unstated
from agent.qa.retrieval import keys
from agent.text.harm import casualties, harm_asked, harm_clash
from agent.types import Citation, Comparison, Divergence, DivergenceSide, FactCluster

MAX_VERSIONS = 4
WORDING_KINDS = frozenset({"wording_drift", "name_variant"})
WHY_CHARS = 300  # the comparison's rationale, cut at a sentence end: the why, not its full working
# What a set-aside version was, by the resolution that set it aside.
STATUS = {"event_happened": "written before the event happened", "superseded": "an earlier version, later changed",
          "prefer_original": "a copy that changed the original's words"}
SAME_FACT = 0.5  # MiniLM cosine of two outlets' sentences on one fact (0.65-0.8 measured, even when they conflict)


def states_in_two_outlets(ev: Evidence, result: Answer) -> bool:
    """Whether another outlet states the fact a cited sentence states (a sentence that meets the question and is
    close in meaning to it, or one counting people hurt where the cited one says no one was): only then can the
    outlets disagree on the answer, and the comparison knows."""
    rows = ev.index.vectors.get(ev.embedder)
    if result.abstained or rows is None:
        return False
    others = [h.ref for h, r in zip(ev.hits, ev.sentence_relevance) if r >= MIN_RELEVANCE] + result.citations
    at = ev.index.rows
    if any(o.article_id != c.article_id and float(rows[at[key(c)]] @ rows[at[key(o)]]) >= SAME_FACT
           for c in result.citations if key(c) in at for o in others if key(o) in at):
        return True
    return any(o.article_id != c.article_id and harm_clash(c.text, o.text) is not None
               for c in result.citations for o in (h.ref for h in ev.hits))


def with_versions(ev: Evidence, result: Answer, comparison: Comparison | None) -> Answer:
    """The answer; or, when it rests on a fact the outlets state differently, each version of that fact."""
    if comparison is None:
        return result
    aside = set_aside(comparison)
    cited = {key(c) for c in result.citations}
    found = _divergence(ev, result, comparison, cited, aside)
    if found is not None:
        return versions_answer(ev, *found)
    facts = _facts(comparison, cited)
    if why := contradicts_resolution(result.answer, facts, comparison) if cited else "":
        # The answer states what a resolution superseded, from a sentence outside its divergence: tell its versions.
        settled = [d for f in facts for d in divergences_of(f, comparison) if d.set_aside and len(d.sides) > 1]
        if settled:
            return versions_answer(ev, settled[0], list(range(len(settled[0].sides))))
    if cited & aside or why:  # the model stated a superseded version and no divergence can tell both: drop it
        return abstain(ev, result.notes + [why or "it cites only a version the comparison set aside"])
    return result


def _divergence(ev: Evidence, result: Answer, comparison: Comparison, cited: set[Key], aside: set[Key]
                ) -> tuple[Divergence, list[int]] | None:
    """The conflict the answer rests on and the sides to tell; None when there is none."""
    candidates = set() if result.abstained else set(cited)
    if ev.comparative:  # a question about how they differ may rest on any retrieved sentence that meets it
        candidates |= {key(h.ref) for h, r in zip(ev.hits, ev.sentence_relevance) if r >= MIN_RELEVANCE}
    options = [(d, sides) for d in comparison.divergences
               if (sides := _sides_to_tell(ev, result, d, candidates, cited & aside))]
    forced = [o for o in options if cited & aside & _keys(o[0])]
    if forced:
        return forced[0]
    harm = harm_asked(ev.question)  # "the number of dead": the conflict over a toll, not over the missing
    return max(options, key=lambda o: (_counts_harm(o[0], harm), max(_meets(ev, o[0].sides[i]) for i in o[1])),
               default=None)


def _counts_harm(d: Divergence, harm: frozenset[str]) -> bool:
    """Whether the figures the conflict is about count the kind of harm the question asks about (a sentence giving
    the dead and the missing is a side of both conflicts: its figure in the why says which)."""
    return bool(harm) and any(kind in harm and figure in d.rationale for s in d.sides for r in s.sentence_refs
                              for kind, figure in casualties(r.text).counted)


def _sides_to_tell(ev: Evidence, result: Answer, d: Divergence, candidates: set[Key], cited_aside: set[Key]
                   ) -> list[int]:
    """The sides of D to tell in the answer; none when D is not a conflict the answer rests on."""
    if d.kind not in CONFLICT_KINDS | _asked_wording(ev) or not candidates & _keys(d) or len(d.sides) < 2:
        return []
    if cited_aside & _keys(d):  # the answer cites a version this conflict set aside: tell every version
        return list(range(len(d.sides)))
    sides = [i for i, s in enumerate(d.sides)
             if _meets(ev, s) >= MIN_RELEVANCE or candidates & {key(r) for r in s.sentence_refs}]
    if not sides:
        return []
    # The first two sides are the sentences the conflict was found between (merged sides follow): telling only
    # sides of one version would say "the outlets differ" over sentences that agree.
    sides = sorted(set(sides) | {0, 1})
    if len({d.sides[i].outlet for i in sides}) < 2 or _agree(ev, result, d, sides) or _untouched(ev, result, d):
        return []
    return sides


def _asked_wording(ev: Evidence) -> frozenset[str]:
    """Divergences of wording alone answer a question about how the outlets name, call or word something."""
    return WORDING_KINDS if ev.comparative and keys(ev.question) & COMPARE_FORM else frozenset()


def _keys(d: Divergence) -> set[Key]:
    return {key(r) for s in d.sides for r in s.sentence_refs}


def _meets(ev: Evidence, side: DivergenceSide) -> float:
    return max((ev.meets(_cite(side, r)) for r in side.sentence_refs), default=0.0)


def _agree(ev: Evidence, result: Answer, d: Divergence, sides: list[int]) -> bool:
    """A number or date conflict the answer does not touch: every side states what the answer asserts."""
    if d.kind != "number_or_date" or result.abstained or ev.comparative:
        return False
    return all(not unstated(result.answer, d.sides[i].text, ev.query) for i in sides)


def _untouched(ev: Evidence, result: Answer, d: Divergence) -> bool:
    """The answer's own figures, dates and names appear in no version of the conflict: it answers something else
    ("12 years" beside a signing told as planned and as done)."""
    if result.abstained or ev.comparative:
        return False
    said = _without_credits(result)
    specifics = unstated(said, "", ev.query)
    return bool(specifics) and all(unstated(said, s.text, ev.query) == specifics for s in d.sides)


def _without_credits(result: Answer) -> str:
    """The answer without the "(Outlet)" credits a yes/no answer gives its sentences: they are not its specifics."""
    outlets = sorted({c.outlet for c in result.citations if c.outlet}, key=len, reverse=True)
    if not outlets:
        return result.answer
    return re.sub(r"\((?:" + "|".join(map(re.escape, outlets)) + r")\)", " ", result.answer)


def _cite(side: DivergenceSide, ref) -> Citation:
    return Citation(**ref.model_dump(), outlet=side.outlet)


def _facts(comparison: Comparison, cited: set[Key]) -> list[FactCluster]:
    return [f for f in comparison.facts + comparison.single_source if cited & {key(r) for r in f.sentence_refs}]


def versions_answer(ev: Evidence, d: Divergence, sides: list[int]) -> Answer:
    """Each version with its outlet and sentence, the standing one first, then why they differ."""
    standing = [d.preferred_side] if d.preferred_side in sides else []
    order = standing + [i for i in sides if i not in standing and i not in d.set_aside] + \
        [i for i in sides if i in d.set_aside and i not in standing]
    parts, cites = ["The outlets differ."], []
    for i in order[:MAX_VERSIONS]:
        side = d.sides[i]
        ref = max((_cite(side, r) for r in side.sentence_refs), key=ev.meets)
        status = STATUS.get(d.resolution, "set aside") if i in d.set_aside else ""
        parts.append(f"{side.outlet or 'An unnamed outlet'}{f' ({status})' if status else ''}: “{ref.text}”")
        cites.append(ref)
    parts.append(_why(d))
    return Answer(question=ev.question, answer=" ".join(p for p in parts if p), citations=cites, query=ev.query,
                  notes=ev.notes + [f"the outlets differ ({d.kind}, {d.resolution}): versions from divergence {d.id}"])


def _why(d: Divergence) -> str:
    """The comparison's rationale, cut to whole sentences within WHY_CHARS."""
    text, out = d.rationale.strip(), ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if out and len(out) + len(sentence) > WHY_CHARS:
            break
        out = f"{out} {sentence}".strip()
    return f"Why: {out}" if out else ""
