"""The evidence for one question: follow-ups resolved against the conversation, sentences retrieved by words and by
meaning, and how well each meets the question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field

from agent.llm.embed import Embedder, embed_cached
from agent.qa.comparative import divergence_hits
from agent.qa.match import relevance
from agent.qa.retrieval import Hit, SentenceIndex, keys, open_index
from agent.store import Store
from agent.types import Citation, Comparison

K = 6  # sentences shown to the model: enough for two or three outlets, short enough for a 1.5B model on a CPU
K_COMPARE = 8

# Words that shape a question without naming what it is about.
QUESTION_FORM = frozenset(keys("many much long kind type happen exactly outlet outlets article articles corpus "
                               "differ difference disagree compare describe whether"))
# In "how do the outlets name/spell/describe X", only X says what to look for.
COMPARE_FORM = frozenset(keys("spell spelling spelled name names named call called word words term terms say "
                              "report reported describe described"))
COMPARATIVE = re.compile(r"\b(?:outlets?|sources|newspapers|media)\b|\bwho reported\b|\bdiffer|\bdisagree|\bcompare",
                         re.IGNORECASE)
DETAIL_FORMS = ((re.compile(r"\bwhen\b|\b(?:what|which) (?:day|date|time|year|month)\b", re.IGNORECASE), "date"),
                (re.compile(r"\bhow (?:many|much|long|far|old|big|large|high|deep|fast|cold|hot|warm|strong|"
                            r"powerful|heavy|tall|wide|severe)\b", re.IGNORECASE), "number"),
                (re.compile(r"\bwhat did\b.{1,80}?\b(?:say|tell|declare|announce|add|write)\b|"
                            r"\bwhat (?:was|were)\b.{1,80}?\b(?:words|quote|remarks?|statement)\b", re.IGNORECASE), "quote"))
PRONOUN = re.compile(r"\b(?:he|she|they|it|him|her|his|them|their|its|that|this|there|those|these|then)\b",
                     re.IGNORECASE)
NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
# The frame of a comparative question ("how do the outlets differ on ..."): it says nothing of what is asked, and
# in a sentence embedding it drowns the rest (cosine with the answering sentence 0.19 with it, 0.33 without).
FRAME = frozenset("outlet outlets source sources newspaper newspapers media report reports reported reporting differ "
                  "differs difference different disagree disagrees agree agrees compare compared according".split())


class Turn(BaseModel):
    """One question and answer of a conversation, as kept in the history."""

    question: str
    answer: str
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)


History = list  # of Turn, or of (question, Answer) pairs as the eval harness keeps them


@dataclass
class Evidence:
    """The retrieved sentences for one question, and how well each meets the question."""

    question: str
    query: str
    context: str
    hits: list[Hit]
    relevance: list[float]  # of each hit's window: is the question discussed here at all?
    sentence_relevance: list[float]  # of the sentence alone: can this sentence answer it?
    comparative: bool
    index: SentenceIndex
    wanted: set[str] = field(default_factory=set)  # the question's words that say what it is about
    vector: np.ndarray | None = None  # the query's embedding (None without an embedder)
    embedder: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def closest(self) -> Citation | None:
        """The retrieved sentence that meets the question best."""
        if not self.hits:
            return None
        best = max(range(len(self.hits)), key=lambda i: (self.sentence_relevance[i], self.relevance[i], -i))
        return self.hits[best].ref

    def cosine(self, article_id: str, index: int) -> float:
        """The query's cosine with one indexed sentence (0 without vectors or for a sentence left out)."""
        rows, row = self.index.vectors.get(self.embedder), self.index.rows.get((article_id, index))
        if self.vector is None or rows is None or row is None:
            return 0.0
        return float(rows[row] @ self.vector)

    def meets(self, ref: Citation) -> float:
        """The relevance of any indexed sentence to the question."""
        return relevance(self.wanted, f"{ref.outlet or ''} {ref.text}", self.cosine(ref.article_id, ref.index),
                         self.index)


def as_turn(item: object) -> Turn:
    """One history entry as a Turn: a Turn, a dict, or a (question, Answer) pair."""
    if isinstance(item, Turn):
        return item
    if isinstance(item, dict):
        return Turn.model_validate(item)
    question, result = item  # type: ignore[misc]
    return Turn(question=question, answer=getattr(result, "answer", "") or "",
                abstained=bool(getattr(result, "abstained", False)), citations=getattr(result, "citations", []))


def resolve_followup(question: str, history: History | None) -> tuple[str, str]:
    """The retrieval query and the context line: a question leaning on the last turn borrows its names and words."""
    if not history:
        return question, "(none)"
    last = as_turn(history[-1])
    context = f"Q: {last.question} A: {last.answer}"
    if not (PRONOUN.search(question) or len(keys(question) - QUESTION_FORM) <= 1):
        return question, context
    said = "" if last.abstained else last.answer
    borrowed = NAME.findall(said) + NAME.findall(last.question[1:]) + [last.question]
    return f"{question} {' '.join(borrowed)}", context


def detail_asked(question: str) -> set[str]:
    """The kind of detail the question's form asks for ("when": a date; "how many": a number; "what did X say": a
    quotation), as the words a divergence's kind is named with, so "how do they differ on when she goes" meets a
    date conflict."""
    return {kind for form, kind in DETAIL_FORMS if form.search(question)}


def focus(question: str) -> str:
    """A comparative question without its frame: what it is about."""
    return " ".join(t for t in question.split() if t.strip("?,.!;:").lower() not in FRAME)


def gather(question: str, store: Store, history: History | None = None, article_ids: list[str] | None = None,
           comparison: Comparison | None = None, embedder: Embedder | None = None) -> Evidence:
    """Retrieve the sentences for a question, by its words and (with an EMBEDDER) its meaning, and score them."""
    query, context = resolve_followup(question, history)
    index = open_index(store, article_ids)
    vector, name = None, ""
    comparative = bool(COMPARATIVE.search(question))
    if embedder is not None:
        index.attach(embedder, store)
        vector, name = embed_cached(embedder, [focus(query) if comparative else query], store)[0], embedder.name
    k, per_article = (K_COMPARE, 2) if comparative else (K, None)
    hits = index.search(query, k, per_article=per_article, vector=vector, embedder=name,
                        detail=frozenset(detail_asked(question)))
    wanted = keys(question) - QUESTION_FORM - (COMPARE_FORM if comparative else frozenset())
    ev = Evidence(question, query, context, hits, [], [], comparative, index, wanted, vector, name)
    first, matched = divergence_hits(comparison, wanted, ev.meets, detail_asked(question)) if comparative else ([], 0.0)
    if first:  # the divergence's own sentences first, then what retrieval found
        seen = {(h.ref.article_id, h.ref.index) for h in first}
        ev.hits = (first + [h for h in hits if (h.ref.article_id, h.ref.index) not in seen])[:K_COMPARE]
    for h in ev.hits:
        cosine, floor = ev.cosine(h.ref.article_id, h.ref.index), matched if h in first else 0.0
        ev.relevance.append(max(floor, relevance(wanted, f"{h.ref.outlet or ''} {h.window}", cosine, index)))
        ev.sentence_relevance.append(max(floor, relevance(wanted, f"{h.ref.outlet or ''} {h.ref.text}", cosine,
                                                          index)))
    return ev
