"""What code checks in a proposed answer: valid citations that state it, on the question, with every number, date
and name it asserts found in them; otherwise an abstention that names the closest sentence."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.qa.evidence import QUESTION_FORM, Evidence, detail_asked
from agent.qa.match import CITED_MIN, COS_FULL, MIN_RELEVANCE, misattributed, misdescribed, unstated
from agent.qa.retrieval import DENSE_FLOOR, DETAIL_FINDERS, Hit, keys
from agent.text.norm import STOPWORDS, words
from agent.types import Citation

MIN_SUPPORT = 0.5  # share of the answer's new words the cited sentences must contain
MAX_CITATIONS = 4
YES_NO = re.compile(r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could)\b", re.IGNORECASE)
YES_NO_RELEVANCE = 0.75  # a bare yes or no is shown only beside sentences plainly on the question
NOT_SAID = "The corpus does not say."
# A short answer of just the kind of detail the question's form asks for ("In what year…" → "1987"), held by
# the cited sentence, meets the question by its form; the cited sentence need only be one that retrieval finds
# by meaning (the dense floor, as a share of the cosine that counts as full relevance).
TYPED_MIN = DENSE_FLOOR / COS_FULL
TYPED_WORDS = 4

NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|"
                    r"millions?|billions?|several|few|half)\b", re.IGNORECASE)
# "the two neighbors", "the three countries": a number word after "the" points back to things already named; it
# counts nothing the question asks ("How many troops…?" is not answered by "the two neighbors held drills").
_ANAPHORIC_NUMBER = re.compile(r"\bthe\s+(?:two|three|four|five|six|seven|eight|nine|ten|both)\b", re.IGNORECASE)
# An answer that says the thing asked was not made known ("whose name was not released") tells the reader the corpus
# lacks it: shown as an abstention, with that sentence as the closest thing the corpus says.
NOT_MADE_KNOWN = re.compile(r"\b(?:not|never)\s+(?:yet\s+|been\s+|yet\s+been\s+)?(?:released|disclosed|named|identified|"
                            r"known|determined|revealed|made public|given|confirmed)\b|\b(?:unknown|undisclosed|unnamed|"
                            r"unidentified)\b|\bdeclined to (?:name|say|give|disclose|identify)\b", re.IGNORECASE)
UNKNOWN_SUBJECT_WORDS = 4  # what was not made known is named just before: "whose name was not released"
TIME = re.compile(r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
                  r"may|june|july|august|september|october|november|december|today|yesterday|tomorrow|week|month|"
                  r"year|morning|evening|night|ago|since|until|before|after|earlier|later)\b", re.IGNORECASE)


class ModelAnswer(BaseModel):
    """What the model returns: a short answer, the numbers of the sentences it cites, and whether it found one."""

    answer: str = ""
    cite: list[int] = Field(default_factory=list)
    found: bool = True


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


def fits_question(question: str, answer: str) -> bool:
    """Whether the answer has the shape the question asks for: a number, a time, a name."""
    q = question.strip().lower()
    if re.match(r"how (?:many|much)\b", q):
        return bool(NUMBER.search(_ANAPHORIC_NUMBER.sub(" ", answer)))
    if q.startswith("when "):
        return bool(TIME.search(answer))
    if re.match(r"(?:who(?:m)?|which)\b", q):
        if re.match(r"which (?:year|month|day|date|decade|century)\b", q):
            return bool(TIME.search(answer))
        return _names_something_new(question, answer)
    return True


def typed_answer(ev: Evidence, answer: str) -> bool:
    """The answer is a bare detail of the kind the question asks for (a time, a figure), nothing more."""
    kinds = detail_asked(ev.question)
    return bool(kinds) and len(answer.split()) <= TYPED_WORDS and all(
        DETAIL_FINDERS[k](answer) for k in kinds if k in DETAIL_FINDERS)


def _names_something_new(question: str, answer: str) -> bool:
    """Whether the answer holds a name with a word the question lacks ("The" and other small words aside)."""
    asked = set(words(question))
    return any({w for w in words(n) if w not in STOPWORDS} - asked for n in NAME.findall(answer))


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
    # The sentence itself must meet the question: a neighbour's words would let an injected line pass.
    on_topic = max((ev.sentence_relevance[n - 1] for n in kept), default=0.0)
    why = (_abstain_reason(ev, reply, new, support, on_topic) or _unstated_reason(reply.answer, cited_text, ev)
           or _misattributed_reason(reply.answer, [ev.hits[n - 1].ref.text for n in kept]))
    if not why and (unknown := _not_made_known(ev, reply.answer, kept)):
        return abstain(ev, notes + ["the cited sentence says the answer was not made known"], closest=unknown)
    if why:
        return _yes_or_no(ev, reply, notes) or abstain(ev, notes + [why])
    return Answer(question=ev.question, answer=reply.answer.strip(), citations=[ev.hits[n - 1].ref for n in kept],
                  query=ev.query, notes=notes)


def _yes_or_no(ev: Evidence, reply: ModelAnswer, notes: list[str]) -> Answer | None:
    """A yes/no question the model answered with a bare yes or no: told with the cited sentences that decide it,
    each squarely on the question, so the reader sees what the verdict rests on (None when there are none)."""
    verdict = re.match(r"\s*(yes|no)\b", reply.answer, re.IGNORECASE)
    if not (reply.found and verdict and YES_NO.match(ev.question.strip())):
        return None
    on = [n for n in dict.fromkeys(reply.cite)
          if 1 <= n <= len(ev.hits) and ev.sentence_relevance[n - 1] >= YES_NO_RELEVANCE][:2]
    if not on:
        return None
    refs = [ev.hits[n - 1].ref for n in on]
    told = " ".join(f"“{r.text}” ({r.outlet or 'unknown outlet'})" for r in refs)
    return Answer(question=ev.question, answer=f"{verdict.group(1).capitalize()}: {told}", citations=refs,
                  query=ev.query, notes=notes + ["a yes/no answer, told with the sentences it rests on"])


def _rechoose(ev: Evidence, new: set[str], kept: list[int], notes: list[str]) -> list[int]:
    """When no cited sentence meets the question, cite the retrieved ones that state the answer and do."""
    if any(ev.sentence_relevance[n - 1] >= MIN_RELEVANCE for n in kept):
        return kept
    better = [n for n in range(1, len(ev.hits) + 1)
              if ev.sentence_relevance[n - 1] >= MIN_RELEVANCE and _supports(ev.hits[n - 1], new) >= MIN_SUPPORT]
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
    extra = [n for n in range(1, len(ev.hits) + 1)
             if n not in kept and ev.sentence_relevance[n - 1] >= MIN_RELEVANCE
             and _supports(ev.hits[n - 1], new) >= max(best, MIN_SUPPORT)]
    return sorted(extra, key=lambda n: ev.hits[n - 1].ref.article_id in cited)


def _abstain_reason(ev: Evidence, reply: ModelAnswer, new: set[str], support: float, on_topic: float) -> str:
    if not reply.found:
        return "the model found no answer in the sentences"
    if not new:
        return "the answer adds nothing to the question"
    if support < MIN_SUPPORT:
        return f"the cited sentences hold {support:.0%} of the answer's words (need {MIN_SUPPORT:.0%})"
    if on_topic < CITED_MIN and not (on_topic >= TYPED_MIN and typed_answer(ev, reply.answer)):
        return f"the cited sentences meet {on_topic:.0%} of the question (need {CITED_MIN:.0%})"
    if not fits_question(ev.question, reply.answer):
        return "the answer is not the kind the question asks for"
    return ""


def _unstated_reason(answer: str, cited: str, ev: Evidence) -> str:
    missing = unstated(answer, cited, ev.query)
    return f"the cited sentences do not state {', '.join(repr(m) for m in missing)}" if missing else ""


def _not_made_known(ev: Evidence, answer: str, kept: list[int]) -> Citation | None:
    """The cited sentence that, like the answer, says the very thing asked was not made known (None if none does):
    "whose name was not released" answers "what is his name?" with nothing, and "how old is he?" not at all."""
    if not any(_asked_about(ev, answer[: m.start()]) for m in NOT_MADE_KNOWN.finditer(answer)):
        return None
    return next((ev.hits[n - 1].ref for n in kept if NOT_MADE_KNOWN.search(ev.hits[n - 1].ref.text)), None)


def _asked_about(ev: Evidence, before: str) -> bool:
    """Whether the few words before a "not made known" name what the question asks for."""
    return bool(keys(" ".join(before.split()[-UNKNOWN_SUBJECT_WORDS:])) & (keys(ev.question) - QUESTION_FORM))


def _misattributed_reason(answer: str, cited: list[str]) -> str:
    wrong = misattributed(answer, cited) + misdescribed(answer, cited)
    return f"the cited sentences give {', '.join(repr(w) for w in wrong)} for something else" if wrong else ""


def abstain(ev: Evidence, notes: list[str], closest: Citation | None = None) -> Answer:
    """Say the corpus does not say, and name the closest thing it does say (CLOSEST, or the best retrieved)."""
    closest = closest or ev.closest
    text = NOT_SAID
    if closest is not None:
        text += f" The closest it says: “{closest.text}” ({closest.outlet or 'unknown outlet'})."
    return Answer(question=ev.question, answer=text, abstained=True, closest=closest, query=ev.query, notes=notes)
