"""Sentence boundaries with exact character offsets: rules for abbreviations, initials, quotes and dashes."""

from __future__ import annotations

import re
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from agent.types import Sentence

MAX_SENTENCE_CHARS = 2_000  # longer "sentences" (a paragraph without a full stop) are cut at a hard boundary
LOOK = 200  # characters looked at around a full stop: every test is local, so splitting stays linear

# Titles and short forms that are followed by a name or a number, never by the end of a sentence.
TITLES = frozenset("""
mr mrs ms messrs mmes dr prof gen lt col maj capt cmdr adm sgt cpl pvt brig gov sen rep rev fr st mt ft
pres supt insp atty hon amb det ofc cmdt treas asst assoc dept univ vs v cf
""".split())
# Short forms that end a sentence only when a typical sentence opener follows ("Apple Inc. The ...").
MAYBE_END = frozenset("inc co corp ltd llc plc bros jr sr etc al approx esq".split())
# These end a sentence only when what follows cannot continue it (a number continues "Feb. 28", "No. 1").
BEFORE_NUMBER = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec no nos vol pp p fig art ch sec para".split())
# After a dotted abbreviation (U.S., a.m.) a new sentence must start with one of these words.
SENTENCE_STARTERS = frozenset("""
the a an he she it they we i you this that these those there here his her its their our my but and so yet
or nor if when while after before as in on at for from by with to of however meanwhile still then now also
some many most no not one two three several all each both such what who why how where which
""".split())
# Words after "a.m."/"p.m." that continue the sentence (time zones, days, "local").
TIME_CONTINUERS = frozenset("""
et est edt ct cst cdt mt mst mdt pt pst pdt gmt utc bst cet eastern central mountain pacific local
monday tuesday wednesday thursday friday saturday sunday
""".split())

CLOSERS = "\"'”’»)]"
OPENERS = "\"'“‘«(["
_TERMINAL = re.compile(r"(?:\.{3,}|…|[.!?]+)[" + re.escape(CLOSERS) + r"]*")
_GLUED = re.compile(r"(?<=[a-z]{2})[.!?][" + re.escape(CLOSERS) + r"]?(?=[A-Z][a-z]{2})")
_WORD_REVERSED = re.compile(r"[\w.'’-]*")  # the word before a position, read backwards
_SPACES = re.compile(r"\s*")
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|asked|asks|added|adds|told|tells|wrote|writes|tweeted|replied|continued|"
    r"explained|noted|insisted|declared|shouted|recalled|quipped|posted|responded|argued|warned|cried|joked)\b")
_WORD_AFTER = re.compile(r"[" + re.escape(OPENERS) + r"]*([\w'’.-]*)")


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of TEXT; every line break ends a sentence; spans are stripped.

    A sentence longer than MAX_CHARS is cut into pieces at the best boundary inside it (;  ,  space),
    so no span is ever longer than MAX_CHARS; `text[start:end]` is always the sentence.
    """
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+", text):
        line_start = match.start()
        cuts = _cuts(match.group())
        start = 0
        for cut in cuts + [len(match.group())]:
            _add_stripped(spans, text, line_start + start, line_start + cut)
            start = cut
    return [piece for span in spans for piece in _hard_split(text, span, max_chars)]


def sentences_for(article_id: str, text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """The Sentence objects of an article's cleaned text, numbered from 0."""
    return [Sentence(article_id=article_id, index=i, start=s, end=e, text=text[s:e])
            for i, (s, e) in enumerate(split_sentences(text, max_chars))]


@lru_cache(maxsize=8)
def _splitter(max_chars: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(chunk_size=max_chars, chunk_overlap=0, keep_separator="end",
                                          separators=[". ", "; ", ": ", ", ", " — ", " ", ""])


def _hard_split(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """SPAN as it is, or cut into pieces of at most MAX_CHARS, each located back in TEXT exactly."""
    start, end = span
    if end - start <= max_chars:
        return [span]
    out: list[tuple[int, int]] = []
    cursor = start
    for piece in _splitter(max_chars).split_text(text[start:end]):
        at = text.find(piece, cursor, min(end, cursor + len(piece) + LOOK))
        if at < 0:  # never expected: the splitter only strips whitespace around pieces
            raise ValueError(f"sentence piece not found at offset {cursor}")
        _add_stripped(out, text, at, at + len(piece))
        cursor = at + len(piece)
    return out


def _add_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _cuts(line: str) -> list[int]:
    """Offsets inside one line where a new sentence starts (after the terminal punctuation)."""
    cuts = []
    last = len(line.rstrip())
    for m in _TERMINAL.finditer(line):
        end = m.end()
        if end >= last or not line[end].isspace():
            continue
        after = _SPACES.match(line, end).end()
        if _is_boundary(_word_before(line, m.start()), m.group(), line[after:after + LOOK]):
            cuts.append(end)
    cuts.extend(m.end() for m in _GLUED.finditer(line) if _glued_ok(line, m.start()))
    return sorted(set(cuts))


def _word_before(line: str, pos: int) -> str:
    """The word (letters, dots, apostrophes, hyphens) that ends at POS, at most LOOK characters of it."""
    window = line[max(0, pos - LOOK):pos][::-1]
    return _WORD_REVERSED.match(window).group()[::-1]


def _is_boundary(word: str, punct: str, after: str) -> bool:
    """Whether terminal punctuation PUNCT, after WORD and before AFTER, ends a sentence."""
    nxt = _WORD_AFTER.match(after).group(1)
    opener = after[:1] in OPENERS
    starts_upper = bool(nxt) and (nxt[0].isupper() or nxt[0].isdigit())
    if not starts_upper and not (opener and nxt[:1].isupper()):
        return False
    closers = punct.lstrip(".!?…")
    attribution = _ATTRIBUTION.match(after) if closers.strip("'’") else None
    if attribution and (punct[0] in "?!…" or re.match(r"[.,;:]|$", after[attribution.end():])):
        return False  # “…?” Mr. Jordan said.  A quoted period is followed by “Ms. Speier said the …” as a new sentence.
    word = word.strip("'’-")
    if punct[0] == "." and not punct.startswith("..") and (not closers or not closers.strip("'’") and "." in word):
        return _period_ends(word, nxt)  # a bare period, or "U.S.'" where the apostrophe is a possessive
    return True  # ?, !, an ellipsis, or a period inside closing quotes ends the sentence


def _period_ends(word: str, nxt: str) -> bool:
    """Whether a bare period after WORD ends the sentence, given the next word NXT."""
    low = word.lower()
    if low in TITLES:
        return False
    if low in MAYBE_END:
        return nxt.lower() in SENTENCE_STARTERS
    if low in BEFORE_NUMBER and nxt[:1].isdigit():
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "Vladimir V. Putin"
    if "." in word:  # a dotted abbreviation: "U.S.", "a.m.", "P.R.C."
        if low in ("a.m", "p.m") and nxt.lower().strip(".") in TIME_CONTINUERS:
            return False
        return not nxt[:1].isdigit() and nxt.lower() in SENTENCE_STARTERS
    return True


def _glued_ok(line: str, pos: int) -> bool:
    """A period glued to the next word ("Ocean.There") ends a sentence unless it is inside a URL or address."""
    low = max(0, pos - LOOK)
    token_start = line.rfind(" ", low, pos) + 1 or low
    token_end = line.find(" ", pos, pos + LOOK)
    token = line[token_start: token_end if token_end != -1 else min(len(line), pos + LOOK)]
    word = _word_before(line, pos).lower()
    if word in TITLES or word in MAYBE_END:
        return False
    return not re.search(r"[/@:]|www\.|\.(?:com|org|net|gov)\b", token, re.I)
