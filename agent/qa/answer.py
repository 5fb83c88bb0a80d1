"""Cited answers over the corpus: retrieval picks the sentences by words and meaning, the model proposes, code
checks and decides, and where the outlets disagree the answer gives each version."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Literal

from agent.errors import ModelOutputError
from agent.llm import LLM
from agent.llm.parse import InvalidAnswer, validate
from agent.prompts import load_prompt
from agent.qa.checks import Answer, ModelAnswer, abstain, check, fits_question  # noqa: F401 (re-exported)
from agent.qa.comparative import load_comparison, spelling_answer
from agent.qa.evidence import COMPARATIVE, Evidence, History, Turn, gather, resolve_followup  # noqa: F401
from agent.qa.match import MIN_RELEVANCE
from agent.qa.versions import states_in_two_outlets, with_versions
from agent.store import Store
from agent.text.safety import looks_like_injection
from agent.types import Comparison

MAX_TOKENS = 120
AUTO = "auto"  # load the comparison when the question or the evidence needs it (cached for the process)
ComparisonArg = Comparison | None | Literal["auto"]


# --- the model ------------------------------------------------------------------------------
def numbered(ev: Evidence) -> str:
    """The retrieved sentences as the model sees them: `[n] (outlet) text`."""
    return "\n".join(f"[{i}] ({h.ref.outlet or 'unknown'}) {h.ref.text}" for i, h in enumerate(ev.hits, start=1))


def _values(ev: Evidence) -> dict[str, str]:
    return {"context": ev.context, "question": ev.question, "sentences": numbered(ev)}


def _gate(ev: Evidence) -> str:
    """Why the model need not be asked at all: nothing retrieved meets the question, in words or in meaning."""
    if not ev.hits:
        return "nothing in the corpus matches the question"
    if looks_like_injection(ev.question):
        return "the question holds instructions to the model; ask it without them"
    if max(ev.relevance) < MIN_RELEVANCE:
        return f"no retrieved sentence meets the question (best {max(ev.relevance):.0%})"
    return ""


def by_code(question: str, store: Store, article_ids: list[str] | None) -> Answer | None:
    """Questions code answers alone: how the outlets spell a name."""
    if not COMPARATIVE.search(question):
        return None
    articles = store.articles_by_ids(article_ids) if article_ids is not None else store.list_articles()
    found = spelling_answer(question, articles)
    if not found or len({c.article_id for c in found[1]}) < 2:
        return None
    return Answer(question=question, answer=found[0], citations=found[1], query=question,
                  notes=["answered from the corpus alias table"])


def _ask_model(call) -> ModelAnswer:
    """The model's reply; an answer it could not put in the format counts as not found."""
    try:
        return call()
    except ModelOutputError:  # invalid after re-asks, or cut off at max_tokens
        return ModelAnswer(answer="", cite=[], found=False)


# --- one question, end to end ------------------------------------------------------------------
def _embedder(llm: LLM):
    """The sentence embedder the comparison uses for this model (the fake one for the fake model)."""
    from agent.analysis.run import embedder_for

    return embedder_for(llm)


def _prepare(question: str, store: Store, llm: LLM, history: History | None, article_ids: list[str] | None,
             comparison: ComparisonArg, embedder) -> tuple[Evidence, ComparisonArg]:
    """The evidence; a comparative question loads the comparison first (its divergence sentences lead)."""
    if comparison == AUTO and COMPARATIVE.search(question):
        comparison = load_comparison(store, llm, article_ids)
    embedder = embedder if embedder is not None else _embedder(llm)
    ev = gather(question, store, history, article_ids, None if comparison == AUTO else comparison, embedder)
    return ev, comparison


def _finish(ev: Evidence, result: Answer, store: Store, llm: LLM, article_ids: list[str] | None,
            comparison: ComparisonArg) -> Answer:
    """The checked answer, told as versions where the comparison found the outlets disagree on it."""
    if comparison == AUTO:
        comparison = load_comparison(store, llm, article_ids) if states_in_two_outlets(ev, result) else None
    return with_versions(ev, result, comparison)


def answer(question: str, store: Store, llm: LLM, history: History | None = None, *,
           article_ids: list[str] | None = None, comparison: ComparisonArg = AUTO, embedder=None) -> Answer:
    """Answer QUESTION from the stored articles (or only ARTICLE_IDS), with checked citations, or abstain.

    COMPARISON: the outlets' comparison, None for none, or "auto" to load it when the answer needs it.
    """
    start = time.perf_counter()
    if (direct := by_code(question, store, article_ids)) is not None:
        direct.seconds = time.perf_counter() - start
        return direct
    ev, comparison = _prepare(question, store, llm, history, article_ids, comparison, embedder)
    if why := _gate(ev):
        result = abstain(ev, [why])
    else:
        prompt = load_prompt("answer_question")
        reply = _ask_model(lambda: llm.structured(prompt, _values(ev), ModelAnswer, purpose="qa",
                                                  max_tokens=MAX_TOKENS))
        result = _finish(ev, check(ev, reply), store, llm, article_ids, comparison)
    result.seconds = time.perf_counter() - start
    return result


def stream_answer(question: str, store: Store, llm: LLM, history: History | None = None, *,
                  article_ids: list[str] | None = None, comparison: ComparisonArg = AUTO, embedder=None
                  ) -> Iterator[str | Answer]:
    """Yield the model's answer text as it is generated, then the checked Answer last."""
    start = time.perf_counter()
    if (direct := by_code(question, store, article_ids)) is not None:
        yield direct.answer
        direct.seconds = time.perf_counter() - start
        yield direct
        return
    ev, comparison = _prepare(question, store, llm, history, article_ids, comparison, embedder)
    if why := _gate(ev):
        result = abstain(ev, [why])
    else:
        prompt = load_prompt("answer_question")
        field_reader, raw = AnswerField(), []
        for piece in llm.stream_text(prompt.render(**_values(ev)), purpose="qa", prompt_hash=prompt.hash,
                                     max_tokens=MAX_TOKENS):
            raw.append(piece)
            if shown := field_reader.feed(piece):
                yield shown
        try:
            reply = validate("".join(raw), ModelAnswer)
        except InvalidAnswer:  # streamed without a grammar: fall back to the constrained call
            reply = _ask_model(lambda: llm.structured(prompt, _values(ev), ModelAnswer, purpose="qa",
                                                      max_tokens=MAX_TOKENS))
        result = _finish(ev, check(ev, reply), store, llm, article_ids, comparison)
    result.seconds = time.perf_counter() - start
    yield result


class AnswerField:
    """Pull the value of `"answer"` out of JSON as it streams in, one piece at a time."""

    OPEN = re.compile(r'"answer"\s*:\s*"')
    ESCAPES = {"n": " ", "t": " ", '"': '"', "\\": "\\", "/": "/"}

    def __init__(self):
        self.buffer, self.pos, self.state = "", 0, "before"

    def feed(self, piece: str) -> str:
        """The new characters of the answer value in PIECE (empty before it starts and after it ends)."""
        self.buffer += piece
        if self.state == "before":
            m = self.OPEN.search(self.buffer)
            if not m:
                return ""
            self.state, self.pos = "inside", m.end()
        out = []
        while self.state == "inside" and self.pos < len(self.buffer):
            c = self.buffer[self.pos]
            if c == "\\":
                if self.pos + 1 >= len(self.buffer):
                    break  # the escaped character has not arrived yet
                out.append(self.ESCAPES.get(self.buffer[self.pos + 1], ""))
                self.pos += 2
                continue
            if c == '"':
                self.state = "after"
                break
            out.append(c)
            self.pos += 1
        return "".join(out)
