"""Word-level text normalisation shared by verification, alignment, citation checks and scorers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[A-Za-z\u00C0-\u024F\u0400-\u04FF]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves
    s t said says say saying told tell according also would could may might must shall
    mr mrs ms dr one new year years week weeks day days time
    """.split()
)

_stemmer = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lowercase and strip accents, so "Zelenskyy" and "Zelénskyy" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("’", "'")


def words(text: str) -> list[str]:
    """The word and number tokens of a text, folded."""
    return WORD.findall(fold(text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball stem of one folded word (numbers unchanged, commas dropped)."""
    if word[0].isdigit():
        return word.replace(",", "")
    word = word.split("'")[0] if word.endswith("'s") else word
    return _stemmer.stemWord(word)


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning: no stopwords, no one-letter tokens."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def support_score(statement: str, sources: list[str] | str) -> float:
    """Share of the statement's content words found in the sources (1.0 when it has none)."""
    source_text = sources if isinstance(sources, str) else " ".join(sources)
    wanted = content_words(statement)
    if not wanted:
        return 1.0
    return len(wanted & content_words(source_text)) / len(wanted)


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard overlap of two sets (0 when both are empty)."""
    return len(a & b) / len(a | b) if a or b else 0.0


# --- phrases and verb lemmas ---------------------------------------------------------------
_PHRASE_DROP = re.compile(r"['’]s\b|(?<=s)['’](?=\s|$)")
_NON_WORD = re.compile(r"[^\w\s-]+|(?<!\w)-|-(?!\w)|_")


def normalize_phrase(text: str) -> str:
    """Folded words of a phrase joined by single spaces: no punctuation, possessives or ellipses."""
    text = _PHRASE_DROP.sub("", fold(text).replace("…", " "))
    return " ".join(_NON_WORD.sub(" ", text).split())


_IRREGULAR_FORMS = """
be: am is are was were been being | have: has had having | do: does did done doing
go: goes went gone going | say: says said saying | tell: tells told telling
make: made | take: took taken | give: gave given | come: came | see: saw seen seeing
get: got gotten | know: knew known | think: thought | find: found | leave: left
meet: met | hold: held | lead: led | begin: began begun | speak: spoke spoken
send: sent | bring: brought | win: won | lose: lost | build: built | run: ran running
fall: fell fallen | rise: rose risen | strike: struck | pay: paid | seek: sought | keep: kept
write: wrote written | choose: chose chosen | draw: drew drawn | fly: flew flown | grow: grew grown
throw: threw thrown | shoot: shot | stand: stood | understand: understood | fight: fought
buy: bought | catch: caught | teach: taught | feel: felt | hear: heard | mean: meant | sell: sold
spend: spent | break: broke broken | drive: drove driven | eat: ate eaten | forget: forgot forgotten
sit: sat | lay: laid | lie: lay lain lying lied | flee: fled | feed: fed | show: shown
hide: hid hidden | wear: wore worn | steal: stole stolen | withdraw: withdrew withdrawn
undertake: undertook undertaken | overtake: overtook overtaken | become: became | swear: swore sworn
die: died dying | tie: tied tying | focus: focuses focused focusing | bias: biased
arise: arose arisen | forbid: forbade forbidden | hang: hung | bear: bore borne | ride: rode ridden
shake: shook shaken | wake: woke woken | bid: bids bidding | spread: spreads | beat: beaten
during: during | morning: morning | evening: evening | news: news | bring: bringing
""".replace("\n", " | ")

IRREGULAR: dict[str, str] = {
    form: base
    for entry in _IRREGULAR_FORMS.split("|")
    if ":" in entry
    for base, forms in [entry.split(":")]
    for form in forms.split()
    for base in [base.strip()]
}

_NO_UNDOUBLE = set("lsfz")
_UNDOUBLE_LL = frozenset(
    "control patrol compel propel expel repel excel cancel travel label model fuel signal level "
    "channel counsel annul quarrel rebel dial rival total equal marshal shovel tunnel spiral".split()
)
_E_LIST = frozenset(
    "create recreate cite invite unite ignite excite incite recite expedite complete delete compete deplete ignore "
    "explore restore score store adore deplore implore bore phone postpone condone atone clone zone "
    "hone dethrone intervene convene contravene interfere adhere persevere scale inhale exhale".split()
)
_NO_E = frozenset("develop envelop gallop gossip worship pilot pivot ballot depot".split())
_VOWELS = set("aeiou")
_EED_BASES = ("need", "feed", "speed", "ceed", "heed", "bleed", "breed", "seed", "weed")


def _needs_e(base: str) -> bool:
    """Whether a verb stem left after stripping -ed/-ing had a silent final e (arriv -> arrive)."""
    if base in _NO_E or len(base) < 2:
        return False
    if any(base + "e" == w for w in _E_LIST):
        return True
    last, prev = base[-1], base[-2]
    before = base[-3] if len(base) > 2 else ""
    cons_before = bool(before) and (before not in _VOWELS or base[-4:-2] == "qu")
    if last in "vcu" or (last == "z" and prev != "z") or (last == "s" and prev != "s"):
        return True
    if last == "g":
        return prev in "rdl" or base.endswith(("ang", "eng", "ung")) or (prev in _VOWELS and cons_before)
    if last == "l":
        return prev not in _VOWELS | set("rwl") or (prev in "uio" and cons_before)
    if last == "t" and prev == "a":
        return before not in "eoa"
    if prev in _VOWELS and cons_before:
        if last in "tr":
            return prev in "uo" if last == "t" else prev in "aiu"
        return last in "kdbpmn" and not (last == "n" and prev in "eo")
    return False


def _strip_suffix(word: str, suffix: str) -> str:
    """Remove -ed or -ing and undo consonant doubling or a dropped silent e."""
    base = word[: -len(suffix)]
    if base + "l" in _UNDOUBLE_LL or (base.endswith("ll") and base[:-1] in _UNDOUBLE_LL):
        return base[:-1] if base.endswith("ll") else base
    if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in _NO_UNDOUBLE | _VOWELS:
        return base[:-1]
    if base.endswith("i") and suffix == "ed":
        return base[:-1] + "y"
    return base + "e" if _needs_e(base) else base


@lru_cache(maxsize=20_000)
def lemma(word: str) -> str:
    """The dictionary form of an English verb or noun form: arrived/arrives/arriving -> arrive."""
    w = fold(word).strip()
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("eed"):
        return w if w.endswith(_EED_BASES) else w[:-1]
    if w.endswith("ing") and _VOWELS & set(w[:-3]):
        return _strip_suffix(w, "ing")
    if w.endswith("ed") and _VOWELS & set(w[:-2]):
        return _strip_suffix(w, "ed")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes", "zzes", "oes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def verb_key(word: str) -> str:
    """A robust alignment key for a verb: the stem of its lemma (met/meets/meeting -> meet)."""
    return stem(lemma(word))


# --- spelling variants of names ---------------------------------------------------------
_SKELETON_RULES = [("ph", "f"), ("ck", "k"), ("x", "ks"), ("q", "k"), ("w", "v"), ("dh", "d"),
                   ("kh", "k"), ("gh", "g"), ("th", "t")]
_SOFT_C = re.compile(r"c(?=[eiy])")
_SOUND_CLASS = str.maketrans("gktdpbzsfv", "KKTTPPSSFF")


# Transliterations of one Cyrillic spelling (Yerlan/Erlan, Selishche/Selishte, Novoye/Novo).
_TRANSLIT = [(re.compile(r"^ye"), "e"), (re.compile(r"shch"), "sht"), (re.compile(r"(?<=.{3})oye$"), "o")]


def _letters(word: str) -> str:
    """The folded letters of a word, without hyphens, dots, apostrophes or spaces, transliterations merged."""
    letters = "".join(c for c in fold(word) if c.isalpha())
    for pattern, repl in _TRANSLIT:
        letters = pattern.sub(repl, letters)
    return letters


def _spell_parts(word: str) -> tuple[str, list[str]]:
    """A name's consonant skeleton and the vowel groups around its consonants (y counts as i)."""
    w = _letters(word)
    for old, new in _SKELETON_RULES:
        w = w.replace(old, new)
    w = _SOFT_C.sub("s", w).replace("c", "k")
    w = "".join(c for i, c in enumerate(w) if i == 0 or c != w[i - 1])
    w = w[0] + w[1:].replace("y", "i") if w else w
    consonants, groups, current = [], [], ""
    for c in w:
        if c in "aeiou":
            current += c
        else:
            consonants.append(c)
            groups.append(current)
            current = ""
    groups.append(current)
    return "".join(consonants), groups


def spelling_key(word: str) -> str:
    """A coarse sound key for blocking: the consonant skeleton with similar consonants merged."""
    return _spell_parts(word)[0].translate(_SOUND_CLASS)


def _skeletons_match(a: str, b: str, long_enough: bool) -> bool:
    """Equal skeletons, or one similar-sounding consonant swapped in a long name (Qaddafi/Gaddafi)."""
    if a == b:
        return True
    if len(a) != len(b) or not long_enough:
        return False
    diffs = [(x, y) for x, y in zip(a, b) if x != y]
    return len(diffs) == 1 and diffs[0][0].translate(_SOUND_CLASS) == diffs[0][1].translate(_SOUND_CLASS)


def same_spelling(a: str, b: str) -> bool:
    """Whether two name words are spellings of one name: Kiev/Kyiv, Aleksandr/Alexander, not Wang/Wong."""
    la, lb = _letters(a), _letters(b)
    if la == lb:
        return bool(la)
    if min(len(la), len(lb)) < 3:
        return False
    (ska, ga), (skb, gb) = _spell_parts(la), _spell_parts(lb)
    if len(ska) < 2 or not _skeletons_match(ska, skb, min(len(la), len(lb)) >= 6):
        return False
    if bool(ga[-1]) != bool(gb[-1]) or (ga[-1] and ga[-1][-1] != gb[-1][-1]) or bool(ga[0]) != bool(gb[0]):
        return False
    mismatches = sum(1 for x, y in zip(ga, gb) if not (set(x) & set(y) or x == y))
    allowance = 1 if max(sum(map(bool, ga)), sum(map(bool, gb))) >= 3 else 0
    return mismatches <= allowance and _edit_distance(la, lb) <= max(2, len(la) // 3)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (rapidfuzz)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)
