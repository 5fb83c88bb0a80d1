"""Do two outlets' sentences state the same fact? Near-copies by code; the uncertain band asked of the model.

The model sees pairs (grammar-constrained, several per call) and labels each: same, different, or the same
fact with one detail in conflict (number, date, status, quote, speaker, term). Code then checks every label
against what it can compute itself (figures, dates, planned vs done, quotations) and overrides it there.
`mode="rules"` decides the band without the model: the model-free baseline the evals compare against.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, create_model

from agent.analysis.annotate import Annotations, Key
from agent.analysis.candidates import (Pair, date_clash, denied_vs_asserted, number_clash, planned_vs_done, quote_pair)
from agent.errors import ModelOutputError
from agent.prompts import load_prompt
from agent.text.quotes import phrase_drift

Label = Literal["same", "number", "date", "status", "quote", "speaker", "term", "different"]
CONFLICTS = frozenset({"number", "date", "status", "quote", "speaker", "term"})
Mode = Literal["model", "rules"]

# Pair scores (cosine + 2 x Jaccard), calibrated on the eval gold with MiniLM (`bench embed`): at 1.0, 95% of
# pairs are the same fact (labelled negatives); at 0.7, 60%; below, few.
SAME_AUTO = 1.0  # outlets' sentences state one fact without asking (code still checks the details)
ASK_MIN = 0.7  # below this, a pair is only considered when an anchor (number, quote) joins it
ANCHORED_MIN = 0.3
RULES_SAME = 1.0  # the model-free decision for the band: only what code is sure of
NO_EVIDENCE = 0.30  # a "same" below this cosine needs a shared name, number or quote
PER_CALL = 8
ASK_PER_ARTICLE = 4  # model questions per article: the comparison's budget grows with the corpus, not its square
SHOWN_WORDS = 40  # a longer sentence is shown to the model cut to its first words (the prompt is the cost)


@dataclass(frozen=True, slots=True)
class Relation:
    """The decided relation of a candidate pair: its label, who decided, and code's note when it overrode."""

    pair: Pair
    label: Label
    by: Literal["code", "model", "rules"]
    model_label: Label | None = None
    why: str = ""

    @property
    def joins(self) -> bool:
        """Whether the two sentences state one fact (same, or same with a conflicting detail)."""
        return self.label != "different"


def labels_schema(n: int) -> type[BaseModel]:
    """One required label per pair P1..Pn, so the model can neither skip a pair nor invent one."""
    return create_model("PairLabels", **{f"P{i}": (Label, ...) for i in range(1, n + 1)})  # type: ignore


def shown(ann: Annotations, key: Key) -> str:
    """A sentence as the model sees it: outlet, date, text (long ones cut to their first words)."""
    article = ann.articles[key[0]]
    when = article.published.isoformat() if article.published else "date unknown"
    words = ann.notes[key].text.split()
    text = " ".join(words[:SHOWN_WORDS]) + (" …" if len(words) > SHOWN_WORDS else "")
    return f"({article.label}, {when}): {text}"


def ask(ann: Annotations, pairs: list[Pair], llm) -> dict[tuple[Key, Key], Label]:
    """The model's labels for PAIRS, PER_CALL pairs per call; a call whose answer stays unusable gives none."""
    prompt, requests, groups = load_prompt("compare_pairs"), [], []
    for start in range(0, len(pairs), PER_CALL):
        group = pairs[start:start + PER_CALL]
        listing = "\n".join(f"[P{i}]\nA {shown(ann, p.a)}\nB {shown(ann, p.b)}" for i, p in enumerate(group, 1))
        keys = ", ".join(f"P{i}" for i in range(1, len(group) + 1))
        requests.append((prompt, {"pairs": listing, "keys": keys}, labels_schema(len(group))))
        groups.append(group)
    answers = [_answer(llm, r) for r in requests]
    out: dict[tuple[Key, Key], Label] = {}
    for group, answer in zip(groups, answers):
        if isinstance(answer, ModelOutputError):
            continue
        for i, p in enumerate(group, 1):
            out[(p.a, p.b)] = getattr(answer, f"P{i}")
    return out


def _answer(llm, request):
    """One call's validated labels, or the error that made them unusable."""
    prompt, values, schema = request
    try:
        return llm.structured(prompt, values, schema, purpose="compare", max_tokens=8 * PER_CALL + 24)
    except ModelOutputError as exc:
        return exc


def check(ann: Annotations, pair: Pair, label: Label) -> tuple[Label, str]:
    """The label after code's own reading of the two sentences (figures, dates, modality, quotations).

    A conflict stands only where code can see it: different figures or dates, planned against done, a denial
    against an assertion, altered words inside quotation marks, a changed term. A conflict the model reads but
    code cannot see is kept as the same fact, without a divergence (a stronger model still decides same/different).
    """
    a, b = ann.notes[pair.a], ann.notes[pair.b]
    if label == "different":
        return label, ""
    if label == "same" and pair.cosine < NO_EVIDENCE and not (pair.anchors or a.entities & b.entities):
        return "different", "no shared name, number or quotation and little shared meaning"
    if _long_quotes(a) and _long_quotes(b) and quote_pair(a, b) is None:
        return "different", "two different quotations are two statements"
    if planned_vs_done(a, b):
        return "status", "one tells it as planned or expected, the other as done"
    clash = number_clash(a, b)
    if clash:
        return "number", f"the figures differ: {clash}"
    clash = date_clash(a, b)
    if clash:
        return "date", f"the dates differ: {clash}"
    return _confirm(label, a, b)


def _long_quotes(note) -> bool:
    return any(len(q.text.split()) >= 4 for q in note.quotes)


def _confirm(label: Label, a, b) -> tuple[Label, str]:
    """A conflict the model read, kept only where code sees it too; else the same fact."""
    if label == "same":
        return label, ""
    if label == "status" and denied_vs_asserted(a, b):
        return "status", "one denies or negates what the other asserts"
    if label in ("quote", "term"):
        rel = quote_pair(a, b)
        if rel == "altered":
            return "quote", "the words inside the quotation marks differ"
        if label == "term" and term_changed(a, b):
            return "term", "a named term differs"
    if label == "speaker" and a.attributed_to and b.attributed_to and a.attributed_to != b.attributed_to:
        return "speaker", f"credited to {a.attributed_to} and to {b.attributed_to}"
    return "same", f"the model read a different {label}; code cannot see it, so only the fact is kept"


def term_changed(a, b) -> bool:
    """The two sentences name something with one swapped word (a partnership that became a cooperation)."""
    only_a, only_b = a.entities - b.entities, b.entities - a.entities
    return any(phrase_drift(x, y) is not None for x in only_a for y in only_b)


def _best_matches(pairs: list[Pair]) -> set[tuple[Key, Key]]:
    """Pairs in which one sentence is the other's closest match in that other article."""
    best: dict[tuple[Key, str], float] = defaultdict(float)
    for p in pairs:
        best[(p.a, p.b[0])] = max(best[(p.a, p.b[0])], p.score)
        best[(p.b, p.a[0])] = max(best[(p.b, p.a[0])], p.score)
    return {(p.a, p.b) for p in pairs if p.score >= best[(p.a, p.b[0])] or p.score >= best[(p.b, p.a[0])]}


def _band(pairs: list[Pair]) -> list[Pair]:
    """The uncertain pairs worth a decision: best matches in the band, and anchored pairs; likeliest first."""
    best = _best_matches(pairs)
    band = [p for p in pairs if p.score < SAME_AUTO and (p.a, p.b) in best
            and (p.score >= ASK_MIN or (p.anchors and p.score >= ANCHORED_MIN))]
    return sorted(band, key=lambda p: (not p.anchors, -p.score))


def _rules_label(ann: Annotations, pair: Pair) -> Label:
    """The model-free decision: close enough in meaning and words."""
    return "same" if pair.score >= RULES_SAME else "different"


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


def relate(ann: Annotations, pairs: list[Pair], llm=None, mode: Mode = "model") -> list[Relation]:
    """A decided relation for every pair that code accepts or the band holds (the rest are different facts)."""
    out = []
    for p in pairs:
        if p.score >= SAME_AUTO:
            label, why = check(ann, p, "same")
            out.append(Relation(p, label, "code", None, why or "near-identical in meaning"))
    band = _band(pairs)
    budget = ASK_PER_ARTICLE * len(ann.articles)
    wanted = _unsettled(band, out)[:budget]
    asked = ask(ann, wanted, llm) if mode == "model" and llm is not None else {}
    for p in band:
        said = asked.get((p.a, p.b))
        label, why = check(ann, p, said or _rules_label(ann, p))
        out.append(Relation(p, label, "model" if said else "rules", said, why))
    return out
