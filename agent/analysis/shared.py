"""Does a sentence state the fact the model says two sentences share? Code's check of the model's answer.

The model writes the shared fact; a sentence states it when it holds most of the fact's rare words with some
closeness in meaning (of the whole sentence or of its closest clause), or a closeness that shows a paraphrase. A
fact copied from one sentence, "none", "both", a bare name or who someone is (said in passing) joins nothing.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np

from agent.analysis.annotate import Annotations, Key
from agent.text.norm import content_words
from agent.text.quotes import clauses

# What is left of "Fox News and HuffPost reported the same …" once the outlets are gone.
_ECHO = re.compile(r"^(?:(?:both|and|two|outlets?|sentences?)\b[\s,]*)*(?:(?:reported|reports?|say|says|said|states?|"
                   r"stated|wrote|writes?)\s+)?(?:that\s+)?(?:the\s+same\s+)?", re.IGNORECASE)
_FINITE = re.compile(r"\b(?:will|would|did|does|has|have|had|was|were|is|are|not|never|\w+n[’']t|\w{3,}ed)\b", re.I)
_COPULA = re.compile(r"\b(?:is|are|was|were)\s+(?:the|a|an)\b", re.IGNORECASE)
_IDENTITY = re.compile(r"^[^,;]{0,60}?\b(?:is|are|was|were)\s+(?:the|a|an)\b(?:(?!\b(?:who|that|which|and|but)\b).)*$",
                       re.IGNORECASE)
Verdict = Literal["same", "different"]  # what the model's answer amounts to; code finds which detail conflicts
SHARED_MIN_WORDS = 3  # content words a shared fact needs to state anything ("none", "both", a bare name do not)
SHARED_SUPPORT = 0.5  # share of the fact's content words a sentence must hold, with SHARED_MEANING of closeness
SHARED_MEANING = 0.5
SHARED_PARAPHRASE = 0.75  # or a closeness in meaning that alone shows the sentence states it in other words


def verify_shared(ann: Annotations, facts: dict[tuple[Key, Key], str]) -> dict[tuple[Key, Key], Verdict]:
    """"same" where the model's shared fact is a statement that each of the two sentences holds: most of its words
    with some closeness in meaning, or a closeness in meaning that shows a paraphrase; else "different"."""
    labels = [a.label for a in ann.articles.values()]
    facts = {pair: without_outlets(f, labels) for pair, f in facts.items()}
    readings = {pair: [r for r in (f, main_clause(f)) if r and states_something(r)
                       and not _only_an_appositive(ann, r, pair)] for pair, f in facts.items()}
    texts = sorted({r for rs in readings.values() for r in rs})
    vectors = dict(zip(texts, np.asarray(ann.embed(texts)))) if ann.embed and texts else {}
    parts = clause_vectors(ann, {k for pair, rs in readings.items() if rs for k in pair})
    out: dict[tuple[Key, Key], Verdict] = {}
    for (a, b), rs in readings.items():
        ok = any(all(_states(ann, k, r, vectors.get(r), parts.get(k)) for k in (a, b)) for r in rs)
        out[(a, b)] = "same" if ok else "different"
    return out


def states_something(fact: str) -> bool:
    """Whether a shared fact is a statement: three content words, or two with a verb ("LePage will not resign");
    not "none", "both", a bare name or a noun phrase ("Maine governor")."""
    n = len(content_words(fact))
    return n >= SHARED_MIN_WORDS or (n == SHARED_MIN_WORDS - 1 and bool(_FINITE.search(fact)))


def _only_an_appositive(ann: Annotations, fact: str, pair: tuple[Key, Key]) -> bool:
    """A fact that only says who someone is ("Paul LePage is the governor of Maine"), where a sentence says so only
    in passing ("Gov. Paul LePage opened the door…"): background both name, not the fact either reports."""
    return bool(_IDENTITY.match(fact)) and not all(_COPULA.search(ann.notes[k].text) for k in pair)


def main_clause(fact: str) -> str | None:
    """The fact's first clause when it has more ("China issued a proposal on Friday" of "…on Friday that outlined
    broad principles…"): a weak model copies one sentence's details after the shared statement."""
    head = clauses(fact)[0].strip(" ,.")
    return head if head != fact.strip(" ,.") else None


def clause_vectors(ann: Annotations, keys: set[Key]) -> dict[Key, np.ndarray]:
    """The embeddings of each sentence's clauses that state something: a fact told in one clause of a long
    sentence is close to that clause, while the whole sentence's meaning is diluted by its other clauses."""
    pieces = {k: [c for c in clauses(ann.notes[k].text) if len(content_words(c)) >= SHARED_MIN_WORDS]
              for k in sorted(keys)} if ann.embed else {}
    flat = [c for cs in pieces.values() for c in cs]
    if not flat:
        return {}
    vectors, start = np.asarray(ann.embed(flat)), 0
    out = {}
    for k, cs in pieces.items():
        out[k], start = vectors[start:start + len(cs)], start + len(cs)
    return out


def without_outlets(fact: str, labels: list[str]) -> str:
    """The fact without the outlets the model was shown and echoes ("Fox News and HuffPost reported the same final
    tally of 97-1": the outlets are not part of the fact, and no sentence holds their names)."""
    for label in sorted(labels, key=len, reverse=True):
        fact = re.sub(rf"(?<!\w){re.escape(label)}(?!\w)", " ", fact, flags=re.IGNORECASE)
    fact = _ECHO.sub("", " ".join(fact.split()))
    return fact.strip(" ,.")


def rare_word_support(ann: Annotations, fact: str, key: Key) -> float:
    """Share of the fact's content words that sentence KEY holds, each weighted by its rarity in the corpus: the
    story's own words ("Belarus", "Ukraine") everywhere say little about which fact."""
    wanted = content_words(fact)
    top = max(ann.idf.values(), default=1.0)
    weight = {w: ann.idf.get(w, top) for w in wanted}
    total = sum(weight.values())
    return sum(v for w, v in weight.items() if w in ann.notes[key].words) / total if total else 0.0


def _states(ann: Annotations, key: Key, fact: str, vector, parts=None) -> bool:
    """Whether sentence KEY states FACT: its words and meaning (of the sentence or of one of its clauses PARTS), or
    the whole sentence's meaning alone (words only without vectors)."""
    support = rare_word_support(ann, fact, key)
    if vector is None:
        return support >= SHARED_SUPPORT
    closeness = float(vector @ ann.vector(key))
    # A clause's closeness counts only beside the words: a short clause is close to many short statements.
    local = max([closeness] + ([float(np.max(parts @ vector))] if parts is not None and len(parts) else []))
    return (support >= SHARED_SUPPORT and local >= SHARED_MEANING) or closeness >= SHARED_PARAPHRASE
