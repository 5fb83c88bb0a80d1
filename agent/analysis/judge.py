"""Do two outlets' sentences state the same fact? Near-copies by code; the uncertain band asked of the model.

The model is asked, one pair per call and grammar-constrained, to write the fact both sentences state, or "none".
Code verifies that fact against each sentence (its words and its meaning) before it joins the pair, so a
stronger model that names shared facts better finds more agreement, and a weak one that copies a sentence or
says "none" finds less (measured here: asked "same or different", the 1.5B said "different" even to
near-identical sentences). Two control pairs whose answer code knows go with every run; a model that fails
either is not trusted and code decides instead. On the pairs the comparison joins, code finds what conflicts
(figures, dates, planned vs done, a denial, a quotation's words, a term). `mode="rules"` decides the band
without the model: the model-free baseline the evals compare against.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from agent.analysis.annotate import Annotations, Key
from agent.analysis.candidates import (Pair, casualty_clash, counted_clash, date_clash, number_clash,
                                       planned_vs_done, quote_pair)
from agent.analysis.shared import Verdict, verify_shared
from agent.errors import ModelOutputError
from agent.prompts import load_prompt
from agent.text.norm import verb_key, words
from agent.text.quotes import phrase_drift

_NEGATION = re.compile(r"(?:\bnot|\bnever|n[’']t|\bno longer|\b(?:refus|declin|reject)\w*(?:\s+to)?|\bden(?:y|ie[sd])\w*)"
                       r"\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.IGNORECASE)
_DENIAL = re.compile(r"\b(?:den(?:y|ies|ied|ial)|disput(?:e|es|ed)|rejected)\b", re.IGNORECASE)
_YEAR = re.compile(r"#(?:19|20)\d\d")
Label = Literal["same", "number", "date", "status", "quote", "speaker", "term", "different"]
CONFLICTS = frozenset({"number", "date", "status", "quote", "speaker", "term"})
Mode = Literal["model", "rules"]

# Pair scores (cosine + 2 x Jaccard), calibrated on the eval gold with MiniLM (`bench embed`): at 1.0, 95% of
# pairs are the same fact (labelled negatives); at 0.7, 60%; below, few.
SAME_AUTO = 1.0  # outlets' sentences state one fact without asking (code still checks the details)
# ... and are close in meaning too: a score made of shared names and titles ("Senate Democratic Leader Harry Reid
# said …" / "Senator Harry Reid of Nevada, the Democratic leader, is …", cosine 0.46) is for the model to judge.
SURE_MIN_COSINE = 0.55
ASK_MIN = 0.7  # below this, a pair is only considered when an anchor (number, quote) joins it
ANCHORED_MIN = 0.3
MUTUAL_BOOST = 0.3  # a mutual best match ranks as if it scored this much more
RULES_SAME = 1.0  # the model-free decision for the band: only what code is sure of
NO_EVIDENCE = 0.30  # a "same" below this cosine needs a shared name, number or quote
PLANNED_DONE_MIN = 0.55  # cosine at which one action of one thing, planned in one and done in the other, is one fact
COUNTED_APART_MIN = 0.5  # cosine at which two sentences counting one named thing differently tell one fact
DATED_APART_MIN = 0.6  # cosine at which two sentences dating one action of the same people apart tell one fact
SAME_STATEMENT = 0.85  # sentences this close that quote different words report one statement, altered
ASK_PER_ARTICLE = 4  # model questions per article: the comparison's budget grows with the corpus, not its square
SHOWN_WORDS = 40  # a longer sentence is shown to the model cut to its first words (the prompt is the cost)
SHARED_CHARS = 160  # the shared fact the model writes: a short statement, not a copied sentence
SHARED_TOKENS = 48


@dataclass(frozen=True, slots=True)
class Relation:
    """The decided relation of a candidate pair: its label, who decided, and code's note when it overrode."""

    pair: Pair
    label: Label
    by: Literal["code", "model", "rules"]
    model_label: Verdict | None = None
    why: str = ""

    @property
    def joins(self) -> bool:
        """Whether the two sentences state one fact (same, or same with a conflicting detail)."""
        return self.label != "different"


class SharedFact(BaseModel):
    """The model's answer for one pair: the fact both sentences state, or "none"."""

    shared: str = Field(max_length=SHARED_CHARS)


def shown(ann: Annotations, key: Key) -> str:
    """A sentence as the model sees it: outlet, date, text (long ones cut to their first words)."""
    article = ann.articles[key[0]]
    when = article.published.isoformat() if article.published else "date unknown"
    words = ann.notes[key].text.split()
    text = " ".join(words[:SHOWN_WORDS]) + (" …" if len(words) > SHOWN_WORDS else "")
    return f"({article.label}, {when}): {text}"


def controls(ann: Annotations, pairs: list[Pair]) -> tuple[Pair, Pair] | None:
    """Two pairs whose answer code knows: a near-identical one ("same") and an unrelated one ("different")."""
    same = next((p for p in pairs if sure(p, SAME_AUTO + 0.5) and ann.root(p.a) != ann.root(p.b)), None)
    keys = [k for k in ann.keys if ann.notes[k].reportable][:200]  # bounded search: any one unrelated pair will do
    far = next((Pair(a, b, round(ann.cosine(a, b), 4)) for a in keys for b in keys[::-1]
                if a[0] != b[0] and ann.cosine(a, b) < 0.1 and not ann.notes[a].words & ann.notes[b].words), None)
    return (same, far) if same and far else None


def ask(ann: Annotations, pairs: list[Pair], llm, checks: tuple[Pair, Pair] | None = None
        ) -> tuple[dict[tuple[Key, Key], Verdict], int]:
    """The model's trusted verdicts for PAIRS ("same": a shared fact code verified in both), and how many of the
    two controls it failed.

    A model that joins the unrelated control joins anything: none of its "same" verdicts is trusted. One that
    fails the near-identical control gives "different" no weight (the band is different facts by default
    anyway), so only its "same" verdicts count."""
    prompt = load_prompt("compare_pairs")
    asked = list(checks or ()) + pairs
    requests = [(prompt, {"a": shown(ann, p.a), "b": shown(ann, p.b)}) for p in asked]
    answers = llm.structured_batch(requests, SharedFact, purpose="compare", max_tokens=SHARED_TOKENS)
    facts = {(p.a, p.b): a.shared for p, a in zip(asked, answers) if not isinstance(a, ModelOutputError)}
    said = verify_shared(ann, facts)
    if not checks:
        return {(p.a, p.b): said[(p.a, p.b)] for p in pairs if (p.a, p.b) in said}, 0
    yes_bias = said.get((checks[1].a, checks[1].b)) != "different"
    no_bias = said.get((checks[0].a, checks[0].b)) != "same"
    trusted = {(p.a, p.b): v for p in pairs if (v := said.get((p.a, p.b))) and
               ((v == "same" and not yes_bias) or (v == "different" and not no_bias))}
    return trusted, yes_bias + no_bias


def check(ann: Annotations, pair: Pair, label: Label | Verdict) -> tuple[Label, str]:
    """The label after code's own reading of the two sentences (figures, dates, modality, quotations).

    A conflict stands only where code can see it: different figures or dates, planned against done, a denial
    against an assertion, altered words inside quotation marks, a changed term. A conflict the model reads but
    code cannot see is kept as the same fact, without a divergence (a stronger model still decides same/different).
    """
    a, b = ann.notes[pair.a], ann.notes[pair.b]
    if label == "different":
        return label, ""
    if harmed := casualty_clash(ann, pair.a, pair.b):
        return "status", harmed
    if label == "same" and pair.cosine < NO_EVIDENCE and not (pair.anchors or a.entities & b.entities):
        return "different", "no shared name, number or quotation and little shared meaning"
    if _long_quotes(a) and _long_quotes(b) and quote_pair(a, b) is None:
        if pair.cosine < SAME_STATEMENT:
            return "different", "two different quotations are two statements"
        return "quote", "the same statement, quoted in different words"
    if planned_vs_done(a, b):
        return "status", "one tells it as planned or expected, the other as done"
    found = _code_conflict(a, b)
    return found if found else _confirm(label, a, b)


def _code_conflict(a, b) -> tuple[Label, str] | None:
    """A conflicting detail code can see in two sentences of one fact, or None."""
    if negates(a, b) or negates(b, a):  # "refused to resign on Thursday" / "resigned on Thursday": not a date
        return "status", "one says it did not happen"
    clash = number_clash(a, b)
    if clash:
        return "number", f"the figures differ: {clash}"
    clash = date_clash(a, b)
    if clash:
        return "date", f"the dates differ: {clash}"
    if drift := term_changed(a, b):
        return "term", f"a named term differs: “{drift.a}” / “{drift.b}”"
    if credited := other_speakers(a, b):
        return "speaker", f"the same words are credited to {credited[0]} and to {credited[1]}"
    return None


def other_speakers(a, b) -> tuple[str, str] | None:
    """The two people one quotation is credited to, when the outlets name two different people for it ("…,” said
    Pete Flores" / "…,” Commissioner Kevin McAleenan said"); None when they name one, or not both by name."""
    x, y = a.attributed_to, b.attributed_to
    if not (x and y and quote_pair(a, b) and _full_name(x) and _full_name(y)):
        return None
    return None if set(words(x)) & set(words(y)) else (x, y)


def _full_name(who: str) -> bool:
    """A person's or body's name of two or more capitalised words ("Kevin McAleenan"), not a role ("a spokesman")."""
    parts = who.split()
    return len(parts) >= 2 and all(p[:1].isupper() for p in parts)


def negates(a, b) -> bool:
    """A negates or denies the action B asserts ("refused to resign" / "resigned"; "was not contained" /
    "was contained", but not "is contained, but not yet extinguished", nor a B that reports the denial too)."""
    if (b.modality == "denied" or b.negated or _DENIAL.search(b.text)) or not b.verb or b.verb not in a.words:
        return False  # B that reports the denial beside the claim ("…, something Gattine has denied") agrees
    return a.modality == "denied" or (a.negated and b.verb in negated_verbs(a.text))


def negated_verbs(text: str) -> set[str]:
    """The keys of the words a negation governs: the next few after "not", "never", "n't", "refused to"."""
    return {verb_key(w) for m in _NEGATION.finditer(text) for w in words(m.group(1))}


def _long_quotes(note) -> bool:
    return any(len(q.text.split()) >= 4 for q in note.quotes)


def _confirm(label, a, b) -> tuple[Label, str]:
    """A conflict the model read, kept only where code sees which detail conflicts; else the same fact."""
    if label == "same":
        return label, ""
    if quote_pair(a, b) == "altered":
        return "quote", "the words inside the quotation marks differ"
    if a.attributed_to and b.attributed_to and a.attributed_to != b.attributed_to:
        return "speaker", f"credited to {a.attributed_to} and to {b.attributed_to}"
    return "same", "the model reads a conflict code cannot place, so only the shared fact is kept"


def term_changed(a, b):
    """The drift when the two sentences name something with a swapped word (a Pact that was an Accord), or None."""
    only_a, only_b = a.entities - b.entities, b.entities - a.entities
    return next((d for x in only_a for y in only_b if (d := phrase_drift(x, y)) is not None), None)


def _best_matches(pairs: list[Pair]) -> tuple[set[tuple[Key, Key]], set[tuple[Key, Key]]]:
    """Pairs in which one sentence is the other's closest match in that other article, and those where each is."""
    best: dict[tuple[Key, str], float] = defaultdict(float)
    for p in pairs:
        best[(p.a, p.b[0])] = max(best[(p.a, p.b[0])], p.score)
        best[(p.b, p.a[0])] = max(best[(p.b, p.a[0])], p.score)
    one = {(p.a, p.b) for p in pairs if p.score >= best[(p.a, p.b[0])] or p.score >= best[(p.b, p.a[0])]}
    both = {(p.a, p.b) for p in pairs if p.score >= best[(p.a, p.b[0])] and p.score >= best[(p.b, p.a[0])]}
    return one, both


def _band(pairs: list[Pair]) -> list[Pair]:
    """The uncertain pairs worth a question: anchored ones, best matches in the band, and mutual best matches
    far below it (the only way a paraphrase sharing no word can be found); the likeliest first."""
    best, mutual = _best_matches(pairs)
    band = [p for p in pairs if not sure(p) and (p.a, p.b) in best
            and (p.score >= ASK_MIN or (p.anchors and p.score >= ANCHORED_MIN) or (p.a, p.b) in mutual)]
    return sorted(band, key=lambda p: (not _strong(p), -(p.score + MUTUAL_BOOST * ((p.a, p.b) in mutual))))


def sure(pair: Pair, line: float = SAME_AUTO) -> bool:
    """Code is sure the two sentences state one fact: close in meaning and words, not in names alone."""
    return pair.score >= line and pair.cosine >= SURE_MIN_COSINE


def _strong(pair: Pair) -> bool:
    """The pair shares a quotation or a figure; a bare year (shared by many facts of one story) is no such sign."""
    return any(not _YEAR.fullmatch(a) for a in pair.anchors)


def _rules_label(ann: Annotations, pair: Pair) -> Label:
    """The model-free decision: close enough in meaning and words, or one action of the same people dated two ways
    (check() then finds the date conflict: "will be leaving on January 1" / "will leave at the end of February")."""
    return "same" if sure(pair, RULES_SAME) or one_action_told_apart(ann, pair) else "different"


def one_action_told_apart(ann: Annotations, pair: Pair) -> bool:
    """Code's evidence that two outlets tell one action two ways: dated apart, planned in one and done in the
    other, or no one hurt in one and people hurt in the other. It outranks the model's "different": it is the
    divergence to report."""
    return (one_action_dated_apart(ann, pair) or one_action_planned_and_done(ann, pair)
            or one_count_told_apart(ann, pair) or casualty_clash(ann, pair.a, pair.b) is not None)


def one_action_planned_and_done(ann: Annotations, pair: Pair) -> bool:
    """Close in meaning, naming the same thing, one main verb told as planned in one and as done in the other
    ("plans to invoke the Fifth Amendment" / "then invoked her Fifth Amendment right"): the timing rule's pair."""
    a, b = ann.notes[pair.a], ann.notes[pair.b]
    return (ann.root(pair.a) != ann.root(pair.b) and pair.cosine >= PLANNED_DONE_MIN and a.verb is not None
            and a.verb == b.verb and bool(a.entities & b.entities) and planned_vs_done(a, b))


def one_action_dated_apart(ann: Annotations, pair: Pair) -> bool:
    """Close in meaning, naming the same people, and dating the same action differently."""
    a, b = ann.notes[pair.a], ann.notes[pair.b]
    independent = ann.root(pair.a) != ann.root(pair.b)  # a copy re-dates what it copies against its own date
    return (independent and pair.cosine >= DATED_APART_MIN and bool(a.entities & b.entities)
            and date_clash(a, b) is not None)


def one_count_told_apart(ann: Annotations, pair: Pair) -> bool:
    """Close in meaning, naming the same place or people, and counting the same thing differently ("More than 150
    migrants, part of a caravan…" / "about 200 migrants from Central America prepared to walk…")."""
    a, b = ann.notes[pair.a], ann.notes[pair.b]
    return (ann.root(pair.a) != ann.root(pair.b) and pair.cosine >= COUNTED_APART_MIN and bool(a.entities & b.entities)
            and counted_clash(a, b) is not None)


def to_ask(ann: Annotations, band: list[Pair], settled: list[Relation]) -> list[Pair]:
    """The band pairs the model is asked about: those code has not joined already, within the per-article budget."""
    return _unsettled(band, settled)[:ASK_PER_ARTICLE * len(ann.articles)]


def _unsettled(band: list[Pair], settled: list[Relation]) -> list[Pair]:
    """Band pairs whose sentences code has not already joined into one fact (through near-identical pairs)."""
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        while parent.get(k, k) != k:
            k = parent[k]
        return k

    for rel in settled:
        if rel.joins:
            parent[find(rel.pair.a)] = find(rel.pair.b)
    return [p for p in band if find(p.a) != find(p.b)]


def relate(ann: Annotations, pairs: list[Pair], llm=None, mode: Mode = "model") -> tuple[list[Relation], dict]:
    """A decided relation for every pair code accepts or the band holds (the rest are different facts), and what
    the model was asked: pairs, and calls discarded because the model failed a control pair."""
    out = []
    for p in pairs:
        if sure(p):
            label, why = check(ann, p, "same")
            out.append(Relation(p, label, "code", None, why or "near-identical in meaning"))
    band = _band(pairs)
    wanted = to_ask(ann, band, out)
    checks = controls(ann, pairs)
    asked, failed = ask(ann, wanted, llm, checks) if mode == "model" and llm is not None else ({}, 0)
    for p in band:
        said = asked.get((p.a, p.b))
        # Code's own evidence of one action dated two ways outranks a "different": it is the conflict to report.
        label, why = check(ann, p, "same" if one_action_told_apart(ann, p) else said or _rules_label(ann, p))
        out.append(Relation(p, label, "model" if said else "rules", said, why))
    in_band = {(p.a, p.b) for p in band}
    for p in pairs:  # one action told two ways, though neither sentence is the other's best match
        if not sure(p) and (p.a, p.b) not in in_band and one_action_told_apart(ann, p):
            label, why = check(ann, p, "same")
            out.append(Relation(p, label, "code", None, why))
    used = mode == "model" and llm is not None
    return out, {"pairs_asked": len(wanted) if used else 0, "failed_controls": failed,
                 "controls": 2 * int(checks is not None and used), "model_decided": len(asked)}
