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
