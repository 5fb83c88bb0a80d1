"""Cited answers over the corpus: retrieval picks the sentences, the model proposes, code checks and decides."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from agent.errors import ModelOutputError
from agent.llm import LLM
from agent.llm.parse import InvalidAnswer, validate
from agent.prompts import load_prompt
from agent.qa.retrieval import Hit, SentenceIndex, keys, open_index
from agent.store import Store
from agent.text.norm import STOPWORDS, words
from agent.qa.comparative import divergence_hits, spelling_answer
from agent.types import Citation, Comparison

K = 6  # sentences shown to the model: enough for two or three outlets, short enough for a 1.5B model on a CPU
K_COMPARE = 8
MAX_TOKENS = 120
MIN_COVERAGE = 0.5  # idf-weighted share of the question's words the evidence must contain
MIN_SUPPORT = 0.5  # share of the answer's new words the cited sentences must contain
MAX_CITATIONS = 4
NOT_SAID = "The corpus does not say."

# Words that shape a question without naming what it is about.
QUESTION_FORM = frozenset(keys("many much long kind type happen exactly outlet outlets article articles corpus "
                               "differ difference disagree compare describe whether"))
# In "how do the outlets name/spell/describe X", only X says what to look for.
COMPARE_FORM = frozenset(keys("spell spelling spelled name names named call called word words term terms say "
                              "report reported describe described"))
COMPARATIVE = re.compile(r"\b(?:outlets?|sources|newspapers|media)\b|\bwho reported\b|\bdiffer|\bdisagree|\bcompare",
                         re.IGNORECASE)
PRONOUN = re.compile(r"\b(?:he|she|they|it|him|her|his|them|their|its|that|this|there|those|these|then)\b",
                     re.IGNORECASE)
NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|"
                    r"millions?|billions?|several|few|half)\b", re.IGNORECASE)
TIME = re.compile(r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
                  r"may|june|july|august|september|october|november|december|today|yesterday|tomorrow|week|month|"
                  r"year|morning|evening|night|ago|since|until|before|after|earlier|later)\b", re.IGNORECASE)


class ModelAnswer(BaseModel):
    """What the model returns: a short answer, the numbers of the sentences it cites, and whether it found one."""

    answer: str = ""
    cite: list[int] = Field(default_factory=list)
    found: bool = True


class Turn(BaseModel):
    """One question and answer of a conversation, as kept in the history."""

    question: str
    answer: str
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)


def cite_json(c: Citation) -> dict:
    """One citation as the JSON contract spells it."""
    return {"article_id": c.article_id, "outlet": c.outlet, "index": c.index, "start": c.start, "end": c.end,
            "text": c.text}


class Answer(BaseModel):
    """A checked answer: text, the sentences that support it, whether it abstained, and the closest sentence."""

    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    closest: Citation | None = None
    query: str = ""
    notes: list[str] = Field(default_factory=list)  # what the checks removed or decided, and why
    seconds: float = 0.0

    def to_json(self) -> dict:
        """The `ask --format json` object."""
        return {"answer": self.answer, "citations": [cite_json(c) for c in self.citations],
                "abstained": self.abstained, "closest": cite_json(self.closest) if self.closest else None}


@dataclass
class Evidence:
    """The retrieved sentences for one question, and how well each covers the question's words."""

    question: str
    query: str
    context: str
    hits: list[Hit]
    coverage: list[float]  # of each hit's window: is the question discussed here at all?
    sentence_coverage: list[float]  # of the sentence alone: can this sentence answer it?
    comparative: bool
    notes: list[str] = field(default_factory=list)

    @property
    def closest(self) -> Citation | None:
        """The retrieved sentence that covers the question best."""
        if not self.hits:
            return None
        best = max(range(len(self.hits)), key=lambda i: (self.coverage[i], -i))
        return self.hits[best].ref


History = list  # of Turn, or of (question, Answer) pairs as the eval harness keeps them


# --- follow-ups and retrieval -------------------------------------------------------------
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


def coverage(question_keys: set[str], text: str, index: SentenceIndex) -> float:
    """The idf-weighted share of the question's words that TEXT contains (rare words weigh most)."""
    if not question_keys:
        return 0.0
    found = question_keys & keys(text)
    return sum(index.idf(k) for k in found) / sum(index.idf(k) for k in question_keys)


def gather(question: str, store: Store, history: History | None = None, article_ids: list[str] | None = None,
           comparison: Comparison | None = None) -> Evidence:
    """Retrieve the sentences for a question and score how well each covers it."""
    query, context = resolve_followup(question, history)
    index = open_index(store, article_ids)
    comparative = bool(COMPARATIVE.search(question))
    hits = index.search(query, K_COMPARE, per_article=2) if comparative else index.search(query, K)
    wanted = keys(question) - QUESTION_FORM - (COMPARE_FORM if comparative else frozenset())
    if comparative:  # the divergence's own sentences first, then what BM25 found
        first = divergence_hits(wanted, comparison)
        seen = {(h.ref.article_id, h.ref.index) for h in first}
        hits = (first + [h for h in hits if (h.ref.article_id, h.ref.index) not in seen])[:K_COMPARE]
    cover = [coverage(wanted, f"{h.ref.outlet or ''} {h.window}", index) for h in hits]
    alone = [coverage(wanted, f"{h.ref.outlet or ''} {h.ref.text}", index) for h in hits]
    return Evidence(question, query, context, hits, cover, alone, comparative)


# --- checks ---------------------------------------------------------------------------------
def fits_question(question: str, answer: str) -> bool:
    """Whether the answer has the shape the question asks for: a number, a time, a name."""
    q = question.strip().lower()
    if re.match(r"how (?:many|much)\b", q):
        return bool(NUMBER.search(answer))
    if q.startswith("when "):
        return bool(TIME.search(answer))
    if re.match(r"who(?:m)?\b", q):
        asked = set(words(question))
        return any(words(n) and words(n)[0] not in STOPWORDS and not set(words(n)) <= asked
                   for n in NAME.findall(answer))
    return True


def _support_text(hit: Hit) -> str:
    return f"{hit.ref.outlet or ''} {hit.ref.text}"


def _supports(hit: Hit, new: set[str]) -> float:
    return len(new & keys(_support_text(hit))) / len(new) if new else 0.0


def check(ev: Evidence, reply: ModelAnswer) -> Answer:
    """Keep only valid, supporting citations; abstain unless the answer is new, supported and on the question."""
    notes = list(ev.notes)
    numbers = list(dict.fromkeys(reply.cite))
    valid = [n for n in numbers if 1 <= n <= len(ev.hits)]
    notes += [f"dropped citation [{n}]: no such sentence" for n in numbers if n not in valid]
    new = keys(reply.answer) - keys(ev.query) - QUESTION_FORM
    kept = [n for n in valid if _supports(ev.hits[n - 1], new) > 0]
    notes += [f"dropped citation [{n}]: the sentence does not state the answer" for n in valid if n not in kept]
    kept = _rechoose(ev, new, kept, notes)
    kept = (kept + _corroborating(ev, new, kept))[:MAX_CITATIONS]
    cited_text = " ".join(_support_text(ev.hits[n - 1]) for n in kept)
    support = len(new & keys(cited_text)) / len(new) if new else 0.0
    # The sentence itself must be on the question: a neighbour's words would let an injected line pass.
    on_topic = max((ev.sentence_coverage[n - 1] for n in kept), default=0.0)
    why = _abstain_reason(ev, reply, new, support, on_topic)
    if why:
        return abstain(ev, notes + [why])
    return Answer(question=ev.question, answer=reply.answer.strip(), citations=[ev.hits[n - 1].ref for n in kept],
                  query=ev.query, notes=notes)


def _rechoose(ev: Evidence, new: set[str], kept: list[int], notes: list[str]) -> list[int]:
    """When no cited sentence is on the question, cite the retrieved ones that state the answer and are."""
    if any(ev.sentence_coverage[n - 1] >= MIN_COVERAGE for n in kept):
        return kept
    better = [n for n in range(1, len(ev.hits) + 1)
              if ev.sentence_coverage[n - 1] >= MIN_COVERAGE and _supports(ev.hits[n - 1], new) >= MIN_SUPPORT]
    if better:
        notes.append(f"citations {kept} replaced by {better}: on the question and stating the answer")
        return better
    return kept


def _corroborating(ev: Evidence, new: set[str], kept: list[int]) -> list[int]:
    """Other retrieved sentences that state the answer as well, preferring outlets not yet cited."""
    if not new:
        return []
    best = max((_supports(ev.hits[n - 1], new) for n in kept), default=MIN_SUPPORT)
    cited = {ev.hits[n - 1].ref.article_id for n in kept}
    extra = [n for n in range(1, len(ev.hits) + 1) if n not in kept and ev.sentence_coverage[n - 1] >= MIN_COVERAGE
             and _supports(ev.hits[n - 1], new) >= max(best, MIN_SUPPORT)]
    return sorted(extra, key=lambda n: ev.hits[n - 1].ref.article_id in cited)


def _abstain_reason(ev: Evidence, reply: ModelAnswer, new: set[str], support: float, on_topic: float) -> str:
    if not reply.found:
        return "the model found no answer in the sentences"
    if not new:
        return "the answer adds nothing to the question"
    if support < MIN_SUPPORT:
        return f"the cited sentences hold {support:.0%} of the answer's words (need {MIN_SUPPORT:.0%})"
    if on_topic < MIN_COVERAGE:
        return f"the cited sentences cover {on_topic:.0%} of the question (need {MIN_COVERAGE:.0%})"
    if not fits_question(ev.question, reply.answer):
        return "the answer is not the kind the question asks for"
    return ""


def abstain(ev: Evidence, notes: list[str]) -> Answer:
    """Say the corpus does not say, and name the closest thing it does say."""
    closest = ev.closest
    text = NOT_SAID
    if closest is not None:
        text += f" The closest it says: “{closest.text}” ({closest.outlet or 'unknown outlet'})."
    return Answer(question=ev.question, answer=text, abstained=True, closest=closest, query=ev.query, notes=notes)


# --- the model ------------------------------------------------------------------------------
def numbered(ev: Evidence) -> str:
    """The retrieved sentences as the model sees them: `[n] (outlet) text`."""
    return "\n".join(f"[{i}] ({h.ref.outlet or 'unknown'}) {h.ref.text}" for i, h in enumerate(ev.hits, start=1))


def _values(ev: Evidence) -> dict[str, str]:
    return {"context": ev.context, "question": ev.question, "sentences": numbered(ev)}


def _gate(ev: Evidence) -> str:
    """Why the model need not be asked at all: nothing retrieved covers the question."""
    if not ev.hits:
        return "nothing in the corpus matches the question"
    if max(ev.coverage) < MIN_COVERAGE:
        return f"no retrieved sentence covers the question (best {max(ev.coverage):.0%})"
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


def answer(question: str, store: Store, llm: LLM, history: History | None = None, *,
           article_ids: list[str] | None = None, comparison: Comparison | None = None) -> Answer:
    """Answer QUESTION from the stored articles (or only ARTICLE_IDS), with checked citations, or abstain."""
    start = time.perf_counter()
    ev = gather(question, store, history, article_ids, comparison)
    why = _gate(ev)
    if (direct := by_code(question, store, article_ids)) is not None:
        result = direct
    elif why:
        result = abstain(ev, [why])
    else:
        prompt = load_prompt("answer_question")
        reply = _ask_model(lambda: llm.structured(prompt, _values(ev), ModelAnswer, purpose="qa",
                                                  max_tokens=MAX_TOKENS))
        result = check(ev, reply)
    result.seconds = time.perf_counter() - start
    return result


def _ask_model(call) -> ModelAnswer:
    """The model's reply; an answer it could not put in the format counts as not found."""
    try:
        return call()
    except ModelOutputError:  # invalid after re-asks, or cut off at max_tokens
        return ModelAnswer(answer="", cite=[], found=False)


def stream_answer(question: str, store: Store, llm: LLM, history: History | None = None, *,
                  article_ids: list[str] | None = None, comparison: Comparison | None = None
                  ) -> Iterator[str | Answer]:
    """Yield the model's answer text as it is generated, then the checked Answer last."""
    start = time.perf_counter()
    ev = gather(question, store, history, article_ids, comparison)
    why = _gate(ev)
    if (direct := by_code(question, store, article_ids)) is not None:
        result = direct
        yield direct.answer
    elif why:
        result = abstain(ev, [why])
    else:
        prompt = load_prompt("answer_question")
        field_reader, raw = AnswerField(), []
        for piece in llm.stream_text(prompt.render(**_values(ev)), purpose="qa", prompt_hash=prompt.hash,
                                     max_tokens=MAX_TOKENS):
            raw.append(piece)
            shown = field_reader.feed(piece)
            if shown:
                yield shown
        try:
            reply = validate("".join(raw), ModelAnswer)
        except InvalidAnswer:  # streamed without a grammar: fall back to the constrained call
            reply = _ask_model(lambda: llm.structured(prompt, _values(ev), ModelAnswer, purpose="qa",
                                                      max_tokens=MAX_TOKENS))
        result = check(ev, reply)
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
