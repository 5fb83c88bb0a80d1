"""The source sentences a fact is stated with: the sentence, and the neighbours it cannot be read without."""

from __future__ import annotations

import re

from agent.brief.versions import reads_whole
from agent.text.norm import support_score
from agent.text.quotes import find_quotes
from agent.types import Article

QUOTE_RUN = 3  # sentences before or after one that a quotation may run on for
# A sentence whose subject points back ("She then invoked…", "This stance left him…") reads out of its article only
# with the sentence before, which names who or what. A connective alone ("And just last week…") does not need it.
OPENS_ON_REFERENCE = re.compile(r"(?:She|He|They|It|His|Her|Their|Its|This|These|Those)\b")
# Boundaries between two clauses of which the first stands alone: "Beijing issued a proposal …, but has also said …".
_CLAUSE_BREAK = re.compile(r"(?:;\s+(?:however,\s+)?|,\s+(?:but|while|whereas)\s+|\s+[—–]\s+but\s+)")
HEAD_MIN_WORDS = 6
TAIL_UNTOLD = 0.25  # share of the later clause's words that another outlet's sentence may hold and not tell it
_SAID_BY_PRONOUN = re.compile(r"[”\"],?\s+(?:he|she|they|we|I)\s+(?:said|says|added|told|replied|wrote|asked)\b")


def statement_run(article: Article, index: int, aside: set) -> list[int]:
    """The sentences that state the fact of sentence INDEX readably, in order: back to the speaker of the quotation
    it continues, or the sentence its pronoun points back to (with that one's quotation); the sentence; and on to
    the sentence that closes the quotation."""
    start = quotation_start(article, index)
    if start == index and index > 0 and (article.id, index - 1) not in aside and \
            OPENS_ON_REFERENCE.match(article.sentences[index].text.lstrip("“\"'‘ ")):
        start = quotation_start(article, index - 1)
    return closed_run(article, list(range(start, index + 1)))


def closed_run(article: Article, run: list[int]) -> list[int]:
    """RUN, with the sentences after it up to the one closing the quotation it leaves open (verbatim, each cited:
    “I have not done anything wrong. … ” reads whole); RUN alone when none closes it."""
    more, text = list(run), " ".join(article.sentences[i].text for i in run)
    while not reads_whole(text) and len(more) - len(run) < QUOTE_RUN and more[-1] + 1 < len(article.sentences):
        more.append(more[-1] + 1)
        text += " " + article.sentences[more[-1]].text
    return more if reads_whole(text) else run


def shared_part(text: str, others: list[str]) -> str:
    """TEXT cut at its first clause break when the other outlets' sentences OTHERS tell the first clause and none
    tells the rest: an agreed fact states what the outlets agree on, not one outlet's added clause."""
    m = _CLAUSE_BREAK.search(text)
    if (not others or not m or text.count(";") > 1  # semicolons separating the items of a list, not clauses
            or not reads_whole(text[:m.start()]) or len(text[:m.start()].split()) < HEAD_MIN_WORDS):
        return text
    head, tail = text[:m.start()], text[m.end():]
    told = [(support_score(head, o), support_score(tail, o)) for o in others]
    if all(h > t for h, t in told) and max(t for _, t in told) < TAIL_UNTOLD:
        return head.rstrip(" ,") + "."
    return text


def quotation_start(article: Article, index: int) -> int:
    """The sentence opening the quotation INDEX continues (or INDEX when it opens on one), or the attributed
    quotation just before that one when it names no speaker: a line from inside “I'm looking at all options,” he
    said. “I think … I'm not going to finish it.” reads with who said it. INDEX itself when it continues no one's
    words."""
    opened = _opening_sentence(article, index)
    if opened is None and _opens_on_quotation(article.sentences[index].text):
        opened = index  # “What I have is a backbone.” after “I'm not an alcoholic,” he said.
    if opened is None:
        return index
    prev = opened - 1
    if (not _speaker_named(article.sentences[opened].text) and prev >= 0 and _same_paragraph(article, prev, opened)
            and reads_whole(article.sentences[prev].text) and _speaker_named(article.sentences[prev].text)):
        return prev
    return opened


def _opening_sentence(article: Article, index: int) -> int | None:
    """The sentence of INDEX's paragraph that opens a quotation still open where INDEX starts (at most QUOTE_RUN
    sentences back), or None."""
    start = article.sentences[index].start
    paragraph = article.text.rfind("\n", 0, start) + 1
    open_at = None
    for i, ch in enumerate(article.text[paragraph:start], paragraph):
        if ch == "“" or (ch == '"' and open_at is None):
            open_at = i if open_at is None else open_at
        elif ch in "”\"":
            open_at = None
    if open_at is None:
        return None
    opened = next((s.index for s in article.sentences if s.start <= open_at < s.end), None)
    return opened if opened is not None and index - QUOTE_RUN <= opened < index else None


def _same_paragraph(article: Article, a: int, b: int) -> bool:
    return "\n" not in article.text[article.sentences[a].end:article.sentences[b].start]


def _opens_on_quotation(text: str) -> bool:
    return text.lstrip().startswith(("“", '"'))


def _speaker_named(text: str) -> bool:
    """Whether the sentence says who spoke its quotation: a name, or a pronoun ("…,” he said)."""
    return any(q.speaker for q in find_quotes(text)) or bool(_SAID_BY_PRONOUN.search(text))
