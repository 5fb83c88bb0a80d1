"""Proper names in text: capitalised spans with particles and initials, titles split off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.text.norm import fold, stem

# Words that end a title ("Foreign Minister", "Mr.") and words that only modify one ("Vice", "Former").
TITLE_HEADS = frozenset(
    """president minister secretary director chancellor premier spokesperson spokesman spokeswoman
    senator sen representative rep congressman congresswoman governor gov mayor general gen admiral adm
    colonel col lieutenant lt major maj captain capt sergeant sgt judge justice king queen prince princess
    emperor pope cardinal archbishop bishop reverend rev rabbi imam sheikh ayatollah dr doctor prof
    professor mr mrs ms miss mx sir dame lord lady leader chairman chairwoman chairperson chair ambassador
    envoy commissioner councillor councilor speaker counsel adviser advisor agent commander chief officer
    secretary-general
    president-elect attorney""".split()
)
HONORIFICS = frozenset("mr mrs ms miss mx dr sir dame".split())
TITLE_MODIFIERS = frozenset("vice prime foreign deputy former acting interim state supreme crown first senior".split())
DEPARTMENTS = frozenset(
    """state defense defence homeland security treasury commerce energy education labor health
    agriculture transportation interior justice veterans affairs housing urban development
    foreign home national intelligence""".split()
)
ORG_WORDS = frozenset(
    """bank university school college institute ministry department republic bureau council committee
    court office museum board church chamber academy association federation union kingdom states monument
    sea gulf bay cape isle islands lake mount river army navy party league organization organisation
    agency commission service center centre foundation fund house senate congress parliament assembly
    corporation company group times post news journal daily embassy forces guard command corps police
    alliance coalition movement front square street airport station region province county city north
    south east west new united central national federal international global world daily network
    cooperation initiative program programme summit treaty games olympic olympics port border amendment
    act law tower building hall park bridge hotel hospital stadium club plaza avenue road democrat democrats
    republican republicans midtown downtown uptown america""".split()
)
PARTICLES = frozenset("de da del della der den van von la le du dos das bin ibn al el".split())
NON_NAME = frozenset(
    """a an the and or but nor so yet for of in on at to by from with without within into onto upon
    about above across after against along amid amidst among around as before behind below beneath
    beside besides between beyond despite during except inside like near off outside over past since
    through throughout till toward towards under underneath unlike until via while whereas although
    though because if unless whether when where which who whom whose what why how that this these those
    there here it its he she they we you i me him her them us our their his my your is are was were be
    been being has have had do does did will would shall should can could may might must not no yes
    all any both each every few many more most much other another several some such only also even
    still just however meanwhile moreover furthermore instead otherwise therefore thus hence then now
    today tonight yesterday tomorrow last next earlier later once again already recently soon never
    always often perhaps maybe let given according asked having depending rather sometimes none one two three
    four five six seven eight nine ten eleven twelve fifteen twenty hundred thousand million please thank
    thanks read watch file photo video update updated breaking
    exclusive advertisement related opinion analysis skip follow share click sign subscribe""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen gov rep gen lt col sgt capt prof rev st jr sr adm maj cpl pres sec ft mt".split()
)
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_ARABIC_ARTICLES = frozenset("al el ad as at ar an az ash ibn bin".split())
_POSSESSIVE_JOIN = frozenset("people children women men workers veterans".split())

_TOKEN = re.compile(
    r"(?P<init>(?:[A-Z]\.){1,3}(?![A-Za-z]))"
    r"|(?P<word>(?:(?:al|el|ad|as|at|ar|an|az|ash|ibn|bin)-)?[^\W\d_]"
    r"(?:[^\W_]|-(?=[^\W_])|['’](?![sS]\b)(?=[^\W\d_]))*)"
)
_COMMON_TAIL = re.compile(
    r"^[a-z]+(?:ed|ing|ent|ant|ive|ic|al|ist|ism|ship|wide|like|style|era|led|run|made|born|free|friendly|only|proof)$"
)
_SENTENCE_END = re.compile(r"(?:[.!?][\"'”’)\]]*|\n)\s*[\"'“‘(\[]*\s*$")
_SUFFIX_COMMON = re.compile(r"(?:ly|ment|ness|tion|tions|ity|ous|ive|ful|less|able|ible|ical|ic|ally)$")


@dataclass(frozen=True, slots=True)
class NameMention:
    """A proper-name span in a text (`text[start:end]`), with the title that preceded it, if any."""

    text: str
    start: int
    end: int
    title: str | None = None


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int
    initial: bool = False


def _key(word: str) -> str:
    """A token folded, without its trailing period."""
    return fold(word).rstrip(".")


def _is_cap(tok: _Tok) -> bool:
    """Whether a token can be part of a proper name."""
    if tok.initial:
        return True
    head, _, tail = tok.text.partition("-")
    return (tail[:1] if head.lower() in _ARABIC_ARTICLES and tail else head[:1]).isupper()


def _tokens(text: str) -> list[_Tok]:
    """Word tokens with spans; abbreviations like "Mr." keep their period."""
    toks = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if m.group("word") and text[end : end + 1] == "." and m.group("word").lower() in _ABBREVIATIONS:
            end += 1
        if m.group() in ("s", "S") and text[start - 1 : start] in ("'", "’"):
            continue
        if "-" in m.group() and m.group()[0].isupper():
            head, _, tail = m.group().rpartition("-")
            if _COMMON_TAIL.search(tail) and len(tail) >= 3:
                end = start + len(head)
        toks.append(_Tok(text[start:end], start, end, initial=bool(m.group("init"))))
    return toks


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """Whether two tokens are separated only by one run of spaces (or a possessive of "People")."""
    gap = text[a.end : b.start]
    if gap.strip(" \t") == "" and "\n" not in gap:
        return True
    return gap in ("’s ", "'s ") and _key(a.text) in _POSSESSIVE_JOIN


def _sentence_initial(text: str, toks: list[_Tok], i: int) -> bool:
    """Whether token i starts a sentence (or a quotation)."""
    before = text[: toks[i].start]
    if not before.strip() or before.rstrip(" \t").endswith(("\n", "“", '"', "‘", ":")):
        return True
    if i and (toks[i - 1].initial or _key(toks[i - 1].text) in _ABBREVIATIONS):
        return False
    return bool(_SENTENCE_END.search(before))


def _sequences(text: str, toks: list[_Tok]) -> list[list[int]]:
    """Runs of capitalised tokens (with particles and "of" between them) joined by spaces."""
    runs: list[list[int]] = []
    run: list[int] = []
    for i, tok in enumerate(toks):
        key = _key(tok.text)
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        connector = key in PARTICLES | {"of"} and not _is_cap(tok)
        if connector and run and nxt and _particle_chain(text, toks, i):
            last = toks[run[-1]].text
            if key != "of" or _key(last) in ORG_WORDS or _is_title_head(last):
                if _joined(text, toks[run[-1]], tok):
                    run.append(i)
                    continue
        if _is_cap(tok) and (not run or _joined(text, toks[run[-1]], tok)):
            run.append(i)
            continue
        if run:
            runs.append(run)
        run = [i] if _is_cap(tok) else []
    if run:
        runs.append(run)
    return runs


def _particle_chain(text: str, toks: list[_Tok], i: int) -> bool:
    """Whether the particles from token i on lead, space-joined, to a capitalised word (von der Leyen)."""
    while i + 1 < len(toks) and _joined(text, toks[i], toks[i + 1]):
        i += 1
        if _is_cap(toks[i]):
            return True
        if _key(toks[i].text) not in PARTICLES:
            return False
    return False


def _split_at_common(text: str, toks: list[_Tok], run: list[int], names: set[str] | None) -> list[list[int]]:
    """Break a run at common words, weekdays and months; drop sentence-initial common words."""
    parts, cur = [], []
    for pos, i in enumerate(run):
        key = _key(toks[i].text).replace("’", "'")
        if "'" in key and key.split("'")[0] in NON_NAME:
            key = key.split("'")[0]
        after_name = bool(cur) and _key(toks[cur[-1]].text) not in TITLE_HEADS | TITLE_MODIFIERS
        month = key in MONTHS and not (key == "may" and after_name)
        dropped = (key in NON_NAME and not (key == "may" and after_name)) or key in WEEKDAYS or month
        dropped = dropped or (names is not None and key not in names)
        if toks[i].text == "I" or (key in NON_NAME and not toks[i].text[0].isupper()):
            dropped = True
        if key in PARTICLES | {"of"} and not toks[i].text[0].isupper():
            dropped = not cur
        if dropped:
            parts.append(cur)
            cur = []
        else:
            cur.append(i)
    parts.append(cur)
    parts = [_trim_connectors(toks, p) for p in parts]
    return [p for p in parts if p and not _common_start(text, toks, p)]


def _trim_connectors(toks: list[_Tok], part: list[int]) -> list[int]:
    """Remove particles and "of" left dangling at the end of a run."""
    while part and not _is_cap(toks[part[-1]]):
        part = part[:-1]
    while part and toks[part[-1]].initial and len(toks[part[-1]].text) == 2 and len(part) > 1:
        part = part[:-1]
    return part


def _common_start(text: str, toks: list[_Tok], part: list[int]) -> bool:
    """A lone sentence-initial word that is probably an ordinary word ("Economic support...")."""
    if len(part) > 1 or not _sentence_initial(text, toks, part[0]):
        return False
    word = toks[part[0]].text
    if word.isupper() and len(word) > 1:
        return False
    if re.search(rf"[\w,;]\s+{re.escape(word)}\b", text):
        return False  # also capitalised mid-sentence: a name
    lower = stem(fold(word)) in _lowercase_stems(text)
    return lower or bool(_SUFFIX_COMMON.search(word.lower())) or len(word) == 1


@lru_cache(maxsize=64)
def _lowercase_stems(text: str) -> frozenset[str]:
    """Stems of the words written in lower case in a text: evidence a capitalised word is common."""
    return frozenset(stem(w) for w in re.findall(r"\b[a-z]{3,}\b", text))


def _is_title_head(word: str) -> bool:
    """A title word; short abbreviations ("Sen", "Gen") only with their period, since they are also names."""
    key = _key(word)
    return key in TITLE_HEADS and (key not in _ABBREVIATIONS or key in HONORIFICS or word.endswith("."))


def _title_length(toks: list[_Tok], part: list[int]) -> int:
    """How many leading tokens of a run are a title ("U.S. Secretary of State"), 0 when none."""
    heads = [j for j, i in enumerate(part[:-1]) if _is_title_head(toks[i].text)]
    if not heads:
        return 0
    j = heads[-1] + 1
    if _key(toks[part[j]].text) == "of":
        m = j + 1
        while m < len(part) - 1 and _key(toks[part[m]].text) in DEPARTMENTS:
            m += 1
        if m == j + 1:
            return 0
        j = m
    rest = [_key(toks[i].text) for i in part[j:]]
    if not rest or any(k in ORG_WORDS for k in rest):
        return 0
    return j


def _mentions_of(text: str, toks: list[_Tok], part: list[int]) -> list[NameMention]:
    """The name mention(s) of one run: title split off, capitalised hyphen compounds split."""
    cut = _title_length(toks, part)
    title = text[toks[part[0]].start : toks[part[cut - 1]].end] if cut else None
    name = part[cut:]
    keys = [_key(toks[i].text) for i in name]
    if all(k in TITLE_HEADS | TITLE_MODIFIERS | DEPARTMENTS | {"of"} for k in keys) or keys[0] in _SUFFIXES:
        return []
    if all(toks[i].initial and len(toks[i].text) == 2 for i in name):
        return []
    if re.fullmatch(r"[A-Z](?:-[A-Z][a-z]*)?", toks[name[0]].text):  # a party tag: "D-Nev"
        return []
    start, end = toks[name[0]].start, toks[name[-1]].end
    pieces = toks[name[0]].text.split("-")
    if len(name) == 1 and len(pieces) > 1 and all(len(p) >= 4 and p[0].isupper() for p in pieces):
        out, pos = [], start
        for piece in pieces:
            out.append(NameMention(piece, pos, pos + len(piece), title))
            pos += len(piece) + 1
        return out
    return [NameMention(text[start:end], start, end, title)]


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Spans of headline lines in Title Case, where capitals do not mark names."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        words = re.findall(r"[^\W\d_]+", re.sub(r"^\s*[a-z_]+:", "", line))
        caps = [w for w in words if w[0].isupper()]
        plain = all(w[0].isupper() or w.lower() in NON_NAME for w in words if len(w) >= 4)
        common = any(w.lower() in NON_NAME or stem(w.lower()) in _lowercase_stems(text) for w in caps[1:])
        if len(caps) >= 3 and plain and common and len(caps) >= 0.6 * len(words):
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _headline_mentions(text: str, toks: list[_Tok], part: list[int], known: set[str] | None) -> list[NameMention]:
    """Names in a Title Case headline: only those the body also names (all of them, with no body)."""
    mentions = _mentions_of(text, toks, part)
    if known is None or all(fold(m.text) in known for m in mentions):
        return mentions
    return [m for i in part for m in _mentions_of(text, toks, [i]) if fold(m.text) in known]


def find_names(text: str) -> list[NameMention]:
    """Proper-name spans in a text, titles split off, sentence-initial common words ignored."""
    toks = _tokens(text)
    headlines = _title_case_lines(text)
    runs = _sequences(text, toks)
    in_headline = [any(a <= toks[r[0]].start < b for a, b in headlines) for r in runs]
    found: list[NameMention] = []
    for run, skip in zip(runs, in_headline):
        if not skip:
            for part in _split_at_common(text, toks, run, None):
                found.extend(_mentions_of(text, toks, part))
    known = {_key(w) for m in found for w in m.text.split()} if found else None
    known_full = {fold(m.text) for m in found}
    for run, skip in zip(runs, in_headline):
        if skip:
            for part in _split_at_common(text, toks, run, known):
                found.extend(_headline_mentions(text, toks, part, known_full if found else None))
    return sorted(found, key=lambda m: m.start)
