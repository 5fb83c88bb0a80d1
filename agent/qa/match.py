"""Question ↔ sentence matching, one measure for retrieval's gate and the answer checks, and the specifics (numbers,
dates, names) an answer asserts, which code must find in the sentences it cites."""

from __future__ import annotations

import re

from agent.qa.retrieval import SentenceIndex, keys
from agent.text.names import find_names
from agent.text.norm import words
from agent.text.numbers import extract_quantities
from agent.text.timeparse import find_time_expressions

# The cosine (MiniLM) at which a question and a sentence are plainly on one subject: it counts as full coverage of
# the question's words. Paraphrased answers score 0.27-0.8, sentences of the same event on other matters 0.0-0.25.
COS_FULL = 0.6
MIN_RELEVANCE = 0.5  # half the question's rare words, or a cosine of COS_FULL / 2
# The sentence an answer cites must meet the question at least as a paraphrase does (cosine 0.27, the low end
# measured above, is 0.45 of COS_FULL); sentences of the event on other matters stay below (cosine <= 0.25).
CITED_MIN = 0.45


def coverage(question_keys: set[str], text: str, index: SentenceIndex) -> float:
    """The idf-weighted share of the question's words that TEXT contains (rare words weigh most)."""
    if not question_keys:
        return 0.0
    found = question_keys & keys(text)
    return sum(index.idf(k) for k in found) / sum(index.idf(k) for k in question_keys)


def relevance(question_keys: set[str], text: str, cosine: float, index: SentenceIndex) -> float:
    """How well TEXT meets the question: its share of the question's rare words, or its meaning, the higher."""
    return max(coverage(question_keys, text, index), min(1.0, max(cosine, 0.0) / COS_FULL))


def _numbers(text: str) -> set[float]:
    return {q.value for q in extract_quantities(text)}


def _date_words(text: str) -> list[str]:
    """The words of a text's time phrases that name a day or a number ("Tuesday", "28", "February")."""
    return [w for e in find_time_expressions(text) for w in words(e.text)
            if w[0].isdigit() or w.endswith("day") or w in _MONTHS]


def unstated(answer: str, cited: str, question: str = "") -> list[str]:
    """The numbers, dates and names ANSWER asserts that neither the cited sentences nor the question hold."""
    source = f"{cited} {question}"
    have_words, have_numbers = _with_bare_possessives(words(source)), _numbers(source)
    missing = [q.text for q in extract_quantities(answer)
               if q.value not in have_numbers and not set(words(q.text)) <= have_words]
    missing += [w for w in _date_words(answer) if w not in have_words]
    missing += [n.text for n in find_names(answer) if not set(words(n.text)) <= have_words]
    return list(dict.fromkeys(missing))


def misattributed(answer: str, cited: list[str]) -> list[str]:
    """The figures ANSWER ties to words that no cited sentence ties them to ("25 lives were lost" from "Rescuers
    saved 25 people"): the answer's clause around a figure, its counted noun aside, must share a word with the
    clause around that figure in a cited sentence."""
    wrong = []
    for q in extract_quantities(answer):
        told = _clause_keys(answer, q)
        sources = [_clause_keys(text, s) for text in cited for s in extract_quantities(text) if s.value == q.value]
        if told and sources and not any(told & source for source in sources):
            wrong.append(q.text)
    return wrong


def misdescribed(text: str, cited: list[str]) -> list[str]:
    """The descriptions TEXT gives a name in apposition that no cited sentence gives it ("Mr. LePage, a Democratic
    lawmaker, spoke…" where the source's "Democratic lawmaker" is Gattine): a described name must have at least
    one of the description's words within a few words of it in a cited sentence."""
    wrong = []
    for m in _APPOSITIVE.finditer(text):
        surname, described = words(m.group("name"))[-1], keys(m.group("what"))
        near = [_near_words(source, surname) for source in cited]
        if described and any(n is not None for n in near) and not any(n and described & n for n in near):
            wrong.append(f"{m.group('name')}, {m.group('what')}")
    return wrong


def _near_words(text: str, name_word: str) -> set[str] | None:
    """The match keys of the words within NEAR_WORDS of each mention of NAME_WORD in TEXT (None: no mention)."""
    tokens = words(text)
    at = [i for i, w in enumerate(tokens) if w == name_word]
    if not at:
        return None
    return {k for i in at for w in tokens[max(0, i - NEAR_WORDS): i + NEAR_WORDS + 1] for k in keys(w)}


def _clause_keys(text: str, q) -> set[str]:
    """The content words of the clause holding quantity Q, without the figure and the noun it counts."""
    start = max((m.end() for m in _CLAUSE.finditer(text, 0, q.start)), default=0)
    end = next((m.start() for m in _CLAUSE.finditer(text, q.end)), len(text))
    noun = keys(q.noun) if q.noun else set()
    return keys(text[start:q.start] + " " + text[q.end:end]) - noun - keys(q.text)


def _with_bare_possessives(tokens: list[str]) -> set[str]:
    """The words, and each possessive also without its 's ("Beijing's" states "Beijing")."""
    return set(tokens) | {t[:-2] for t in tokens if t.endswith("'s") and len(t) > 2}


_CLAUSE = re.compile(r"[,;:()]|\s[—–]\s")
NEAR_WORDS = 8  # a description in apposition sits this close to the name it describes ("Drew Gattine, the state …")
_APPOSITIVE = re.compile(r"(?P<name>(?:(?:Mr|Mrs|Ms|Dr)\.\s+)?(?:[A-Z][\w’'-]*\.?\s+){0,3}[A-Z][\w’'-]+),\s+"
                         r"(?:a|an|the)\s+(?P<what>[^,;:—–()]{3,80}?),")
_MONTHS = frozenset("january february march april may june july august september october november december "
                    "jan feb mar apr jun jul aug sep sept oct nov dec".split())
