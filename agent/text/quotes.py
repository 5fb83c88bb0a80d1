"""Quotations in a sentence, who said them, and how two versions of a quote or phrase differ."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Levenshtein

from agent.text.names import TITLE_HEADS, find_names
from agent.text.norm import normalize_phrase

SPEECH_VERBS = (
    "said says say saying told tells telling added adds adding asked asks asking stated stating wrote writes "
    "writing tweeted tweets warned warns warning claimed claiming insisted insists insisting argued argues "
    "arguing noted noting explained explains explaining declared declares announced announces pledged pledges "
    "promised vowed vows urged urges urging asserted asserts acknowledged admitted replied replies responded "
    "responding concluded recalled remarked observed emphasized emphasised stressed stresses suggested "
    "predicted cautioned conceded confirmed contended countered complained reiterated posted reported reports "
    "reporting denied denies denying"
).split()
_VERB = "|".join(SPEECH_VERBS)
_VERB_RE = re.compile(rf"\b(?:{_VERB})\b")
_PRONOUNS = frozenset("he she they it i we you who this that one".split())
_ROLE_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman spokespeople official officials officer officers adviser advisers
    aide aides counterpart diplomat diplomats envoy analyst analysts lawmaker lawmakers senator senators
    staff source sources leader leaders minister""".split()
)
_SOURCE_NOUNS = frozenset(
    """readout statement report reports media agency ministry government police authorities experts people
    critics residents witnesses officials spokesperson editorial newspaper broadcaster network documents
    court prosecutors investigators administration department office campaign""".split()
)
_LEADING = re.compile(r"^(?:(?:and|but|so|while|as|a|an|the|its|his|her|their|our|also|then|with)\s+)+", re.I)
_TRAILING = re.compile(
    r"(?:\s+(?:has|have|had|was|were|is|are|also|then|later|earlier|once|again|previously|recently|"
    r"repeatedly|publicly|privately|\w+ly|on \w+day|last \w+|in an? \w+))+$",
    re.I,
)
_ABBR = r"\b(?:Mr|Mrs|Ms|Dr|Sen|Gov|Rep|Gen|Lt|Col|Jr|Sr|St|[A-Z])\."
_WHO = rf"(?:{_ABBR}|[^,.;:!?“\"(|])+"
_AFTER_INVERTED = re.compile(rf"^\s*[,—–-]*\s*(?:{_VERB}|read)\s+(?P<who>{_WHO})")
_AFTER_NORMAL = re.compile(
    rf"^\s*[,—–-]*\s*(?P<who>(?:{_ABBR}|\([^()]{{0,30}}\)|[^.;:!?“\"|]){{1,160}}?)\s+(?:\w+ly\s+)?(?:{_VERB})\b"
)
_ACCORDING = re.compile(rf"\baccording to\s+(?P<who>{_WHO})")

Relation = Literal["same", "fragment", "altered", "unrelated"]


@dataclass(frozen=True, slots=True)
class Quote:
    """Words inside quotation marks (`sentence[start:end]`), and who said them when the sentence says."""

    text: str
    start: int
    end: int
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    """Two versions of one phrase differing by a few swapped words: (word in a, word in b) pairs."""

    a: str
    b: str
    swaps: tuple[tuple[str, str], ...]


# --- finding quotes ---------------------------------------------------------------------------
def _opens(s: str, i: int, inside: bool) -> bool:
    """Whether the double-quote mark at i opens a quotation (straight marks read from context)."""
    if s[i] in "“”":
        return s[i] == "“"
    before = s[i - 1] if i else " "
    after = s[i + 1] if i + 1 < len(s) else " "
    if (before.isspace() or before in "([{—–-/") and not after.isspace():
        return True
    if after.isspace() or after in ".,;:!?)]—–-":
        return False
    return not inside


def _double_spans(s: str) -> list[tuple[int, int]]:
    """(open, close) mark positions of double quotes; -1 or len(s) for a side cut off by the sentence."""
    spans: list[tuple[int, int]] = []
    open_at = None
    for i, c in enumerate(s):
        if c not in "“”\"":
            continue
        if _opens(s, i, open_at is not None):
            if open_at is None:
                open_at = i
        elif open_at is not None:
            spans.append((open_at, i))
            open_at = None
        elif not spans:
            spans.append((-1, i))
    if open_at is not None:
        spans.append((open_at, len(s)))
    return spans


def _single_spans(s: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Curly single quotes used as quotation marks, outside double quotes; apostrophes are skipped."""
    spans = []
    for m in re.finditer(r"(?:(?<=^)|(?<=[\s(—–“]))‘(?=\w)", s):
        i = m.start()
        if any(a <= i < b for a, b in taken + spans):
            continue
        closers = [j for j in range(i + 1, len(s)) if s[j] == "’" and (j + 1 == len(s) or not s[j + 1].isalpha())]
        closers = [j for j in closers if not s[j - 1].isspace()]
        if closers:
            good = [j for j in closers if s[j - 1] != "s" or (j + 1 < len(s) and s[j + 1] in ",.;:!?”)")]
            spans.append((i, (good or closers)[0]))
    return spans


def _inner(s: str, open_at: int, close_at: int) -> tuple[int, int]:
    """The span between two marks, without surrounding spaces."""
    start, end = open_at + 1, close_at
    while start < end and s[start].isspace():
        start += 1
    while end > start and s[end - 1].isspace():
        end -= 1
    return start, end


def find_quotes(sentence: str) -> list[Quote]:
    """Quoted passages in a sentence (double, curly single, cut off at either edge), with speakers."""
    doubles = _double_spans(sentence)
    marks = sorted(doubles + _single_spans(sentence, doubles))
    masked = _mask(sentence, marks)
    quotes: list[Quote] = []
    for open_at, close_at in marks:
        start, end = _inner(sentence, open_at, close_at)
        if end > start:
            speaker = _speaker(sentence, masked, open_at, close_at, start, end)
            if speaker is None and quotes and _continues(masked, quotes[-1].end, open_at):
                speaker = quotes[-1].speaker
            quotes.append(Quote(sentence[start:end], start, end, speaker))
    return quotes


def _continues(masked: str, prev_end: int, open_at: int) -> bool:
    """Whether a quote goes on from the previous one after just its attribution ('“…,” X said. “…”')."""
    gap = masked[prev_end:open_at]
    return len(gap) < 200 and bool(_VERB_RE.search(gap)) and len(re.findall(_SENTENCE_BREAK, gap + " ")) <= 1


def _mask(s: str, marks: list[tuple[int, int]]) -> str:
    """The sentence with quoted passages replaced by '|', so their words are never speakers."""
    chars = list(s)
    for a, b in marks:
        for i in range(max(a, 0), min(b + 1, len(s))):
            chars[i] = "|"
    return "".join(chars)


# --- speakers -------------------------------------------------------------------------------------
def _speaker(s: str, masked: str, open_at: int, close_at: int, start: int, end: int) -> str | None:
    """Who said a quote: attribution right after it, a speech verb before it, or "according to"."""
    tail = masked[close_at + 1 :] if close_at < len(s) else ""
    ends_clause = bool(re.search(r"[,.!?…—–-]$", s[start:end])) or bool(re.match(r"\s*[,—–-]", tail))
    if ends_clause:
        for pattern in (_AFTER_INVERTED, _AFTER_NORMAL):
            m = pattern.match(tail)
            if m and "|" not in m.group("who"):
                return clean_speaker(m.group("who"))
    head = masked[: max(open_at, 0)]
    verbs = list(_VERB_RE.finditer(head))
    if verbs:
        return speaker_before(masked, verbs[-1].start())
    m = _ACCORDING.search(tail)
    return clean_speaker(m.group("who")) if m else None


def speaker_before(sentence: str, verb_start: int) -> str | None:
    """The subject of the speech verb at verb_start (past appositives; a participle's main-clause subject)."""
    verb = _VERB_RE.match(sentence, verb_start)
    if verb and verb.group().endswith("ing"):
        earlier = [m for m in _VERB_RE.finditer(sentence[:verb_start]) if not m.group().endswith("ing")]
        if earlier:
            return speaker_before(sentence, earlier[-1].start())
        clause = clauses(sentence[:verb_start])[-1].strip()
        if clause.lower().startswith("with "):
            return clean_speaker(clause)
        main = clauses(re.split(_SENTENCE_BREAK, sentence[:verb_start])[-1])[0]
        return clean_speaker(_PREDICATE_START.split(main)[0])
    before = sentence[:verb_start].rstrip()
    pieces = clauses(before.rstrip(","))
    if before.endswith(",") and len(pieces) >= 2:  # "X, an assistant professor at Y, Singapore, said"
        for k in range(len(pieces) - 1, max(0, len(pieces) - 4), -1):
            if re.match(r"\s*(?:a|an|the|who|which|whose)\b", pieces[k]):
                return clean_speaker(pieces[k - 1])
        if clean_speaker(pieces[-1]) is None:
            return clean_speaker(pieces[-2])
    if pieces[-1].split()[-1:] and pieces[-1].split()[-1].lower() in _PRONOUNS:
        return None
    return clean_speaker(pieces[-1]) or _subject(pieces)


def _subject(pieces: list[str]) -> str | None:
    """The first name in the sentence, for "X, ..., joined the debate and said" (when it starts the clause)."""
    mentions = find_names(pieces[0]) if pieces else []
    return mentions[0].text if mentions and mentions[0].start <= 2 else None


_PREDICATE_START = re.compile(
    r"\s(?:later|earlier|also|then|\w+ly|\w+ed|has|have|had|is|are|was|were|will|would|did|does)\b"
)
_SENTENCE_BREAK = r"(?<!\b[A-Z])(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)(?<!Gen)(?<!Sen)(?<!Rep)(?<!Gov)(?<!St)[.!?]\s+"


def clauses(text: str) -> list[str]:
    """Text cut at sentence ends, commas, semicolons, colons, dashes, brackets, masked quotes, "that"."""
    return re.split(rf"[,;:(|—–]|\bthat\b|{_SENTENCE_BREAK}", text)


def speaker_after(sentence: str, verb_end: int) -> str | None:
    """The speaker named right after an inverted speech verb ("..., said Mr. Pantucci")."""
    m = re.match(rf"\s*(?P<who>{_WHO})", sentence[verb_end:])
    return clean_speaker(m.group("who")) if m else None


def according_to(sentence: str) -> str | None:
    """The source named by "according to X", if any."""
    m = _ACCORDING.search(sentence)
    return clean_speaker(m.group("who")) if m else None


def clean_speaker(phrase: str, loose: bool = False) -> str | None:
    """The person or body a noun phrase names, else the phrase itself if it ends in a role noun; None for pronouns."""
    phrase = re.sub(r"\s*\([^()]*\)", "", phrase)
    if "," in phrase and find_names(phrase.split(",")[0]):
        phrase = phrase.split(",")[0]  # "Ned Price, the State Department spokesman"
    phrase = _TRAILING.sub("", _LEADING.sub("", phrase.strip(" ,|\n\t")))
    if not phrase or phrase.lower() in _PRONOUNS or len(phrase.split()) > 12:
        return None
    mentions = find_names(phrase)
    if len(mentions) > 1 and mentions[-1].end == len(phrase):  # "state news agency Belta", not "... of Ohio"
        if phrase[: mentions[-1].start].split()[-1:] not in (["of"], ["from"], ["in"], ["at"], ["for"]):
            return mentions[-1].text
    for m in mentions:
        followers = [w.lower().strip(",") for w in phrase[m.end :].split()[:2]]
        modifier = phrase[m.end : m.end + 1] in ("’", "'") or bool(_ROLE_NOUNS & set(followers))
        if not modifier:
            return _with_noun(phrase, m.text, m.end)
    last = phrase.split()[-1].lower()
    nouns = _ROLE_NOUNS | _SOURCE_NOUNS | TITLE_HEADS
    return phrase if len(phrase.split()) <= (6 if loose else 8) and (loose or last in nouns) else None


def _with_noun(phrase: str, name: str, end: int) -> str:
    """A nationality adjective keeps the nouns it modifies ("Belarusian government", "Chinese state media")."""
    if " " in name or not re.search(r"(?:an|ese|ish|i)$", name):
        return name
    nouns = re.match(r"(?:\s+(?!(?:of|in|on|at|for|from|to|and|who|that)\b)[a-z]+){1,3}", phrase[end:])
    return name + nouns.group() if nouns else name


# --- comparing quotes and phrases -----------------------------------------------------------------
def _quote_words(text: str) -> list[str]:
    """A quote's words for comparison: folded, no punctuation, ellipses or editorial brackets."""
    return normalize_phrase(re.sub(r"\.\.\.|…|[\[\]]", " ", text)).split()


def same_quote(a: str, b: str) -> bool:
    """Whether two quotes have the same words, ignoring case, punctuation, whitespace and ellipses."""
    return _quote_words(a) == _quote_words(b)


def quote_similarity(a: str, b: str) -> float:
    """Word-level edit similarity of two quotes, 0.0 to 1.0."""
    wa, wb = _quote_words(a), _quote_words(b)
    if not wa and not wb:
        return 1.0
    return Levenshtein.normalized_similarity(wa, wb)


def _contains(longer: list[str], shorter: list[str]) -> bool:
    """Whether a word sequence occurs inside another."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def quote_relation(a: str, b: str) -> Relation:
    """How two quotes relate: the same words, one an excerpt of the other, altered, or unrelated."""
    wa, wb = _quote_words(a), _quote_words(b)
    if wa == wb:
        return "same"
    short, long_ = sorted((wa, wb), key=len)
    if len(short) >= 2 and _contains(long_, short):
        return "fragment"
    if quote_similarity(a, b) >= 0.5 or phrase_drift(a, b) is not None:
        return "altered"
    return "unrelated"


_ARTICLES = frozenset("a an the".split())


def phrase_drift(a: str, b: str) -> Drift | None:
    """The one or two words swapped between two versions of a named phrase; None if unrelated or equal."""
    wa = [w for w in _quote_words(a) if w not in _ARTICLES]
    wb = [w for w in _quote_words(b) if w not in _ARTICLES]
    if wa == wb or not wa or not wb:
        return None
    swaps: list[tuple[str, str]] = []
    same = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
        if op == "equal":
            same += i2 - i1
        elif op == "replace" and i2 - i1 == j2 - j1:
            swaps.extend(zip(wa[i1:i2], wb[j1:j2]))
        else:
            return None
    # A single shared word is enough when it is itself a coined term ("no-limits" friendship/partnership).
    coined = same == 1 and len(swaps) == 1 and any("-" in w for w in wa if w in wb)
    if not 1 <= len(swaps) <= 2 or (same < 2 and not coined) or same < len(swaps) * 1.5 and not coined:
        return None
    return Drift(a, b, tuple(swaps))
