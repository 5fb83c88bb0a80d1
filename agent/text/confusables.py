"""Look-alike letters folded to the Latin ones they imitate, so a disguised word reads as itself."""

from __future__ import annotations

import re

# Cyrillic and Greek letters drawn like Latin ones (after NFKC, which already folds fullwidth and
# mathematical letters), plus a few Latin look-alikes (dotless i, script g, long s).
_PAIRS = (
    "аa вb сc дd еe һh іi јj кk лl мm нh оo рp ԛq ѕs тt уy хx ԝw ԁd ӏl ёe ґr "
    "αa βb εe ηn ιi κk νv οo ρp τt υu χx ωw ϲc ϳj "
    "ıi ɡg ſs ꞵb ɑa ʏy ɪi"
)
TABLE = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})
_LATIN = re.compile(r"[a-z]")
_OTHER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_WORD = re.compile(r"\w+")
_LEET = str.maketrans("0134578@$", "oieastbas")
_SPACED = re.compile(r"\b(?:\w[ .\-_*·]){3,}\w\b")
_MEASURE = re.compile(r"^\d+(?:st|nd|rd|th|s|am|pm|m|km|kg|g|mm|cm|bn|mn|k|x|pc|gb|mb)?$")


def fold_word(word: str) -> str:
    """A word that mixes Latin with Greek or Cyrillic letters, or is spelled in digits, as plain Latin."""
    if _OTHER.search(word) and (_LATIN.search(word) or all(c.translate(TABLE) != c for c in word if c.isalpha())):
        word = word.translate(TABLE)
    if sum(c.isalpha() for c in word) >= 2 and any(c.isdigit() for c in word) and not _MEASURE.match(word):
        word = word.translate(_LEET)
    return word


def fold(text: str) -> str:
    """TEXT (case-folded) with every disguised word folded and s p a c e d letters joined."""
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*·]", "", m.group()), text)
    return _WORD.sub(lambda m: fold_word(m.group()), text)
