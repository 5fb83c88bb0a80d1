"""Casualties in a sentence: whether it says no one was hurt (or killed), or counts people hurt (or killed).

An early report that no one was hurt and a later one that two workers went to hospital are the classic conflict
of disaster news; they share few words, so neither meaning nor anchors pair them, and code reads them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agent.text.numbers import extract_quantities

Harm = Literal["injury", "death"]

_INJURY = r"injur(?:ed|ies|y)|hurt|harmed|wounded|hospitali[sz]ed|casualt(?:y|ies)"
_DEATH = r"killed|dead|died|deaths?|fatalit(?:y|ies)|lives (?:were |was )?lost"
_NOBODY = r"(?:no ?one|no-one|nobody|none)(?:\s+(?:of\s+)?[\w'’-]+){0,3}?\s+(?:was|were|has been|have been|had been|is|are)"
DENIED = {
    "injury": re.compile(rf"\b{_NOBODY}\s+(?:reported\s+|seriously\s+)?(?:{_INJURY})\b|\bno (?:reported )?"
                         rf"(?:injuries|casualties)\b|\b(?:unhurt|unharmed|uninjured)\b|\bwithout (?:injur|casualt)",
                         re.IGNORECASE),
    "death": re.compile(rf"\b{_NOBODY}\s+(?:reported\s+)?(?:killed|dead)\b|\bno (?:reported )?(?:deaths|fatalities|"
                        rf"casualties)\b|\bno one died\b|\bnobody died\b", re.IGNORECASE),
}
COUNTED = {
    "injury": re.compile(rf"\b(?:{_INJURY})\b|\btaken to (?:the |a )?(?:\w+ )?hospital\b|\btreated (?:for|in|at)\b|"
                         r"\bburns\b", re.IGNORECASE),
    "death": re.compile(rf"\b(?:{_DEATH})\b", re.IGNORECASE),
}
# A cheap first look: sentences without any of these words say nothing of casualties.
CASUALTY_WORDS = re.compile(r"injur|hurt|harm|wound|hospital|casualt|kill|dead|died|death|fatal|lives|burns|treated",
                            re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:()]|\s[—–]\s")


@dataclass(frozen=True, slots=True)
class Casualties:
    """What one sentence says of people harmed: the kinds it denies, and the kinds it counts, with the figure."""

    denied: frozenset[str]
    counted: tuple[tuple[str, str], ...]  # (kind, the figure as written)


def casualties(text: str) -> Casualties:
    """The harm a sentence denies ("No one was injured") and the harm it counts ("Two workers were taken to
    hospital with burns"), each as injury or death."""
    denials = [(kind, m.span()) for kind, pattern in DENIED.items() for m in pattern.finditer(text)]
    denied = frozenset(kind for kind, _ in denials)
    counted = []
    for q in extract_quantities(text):
        if q.unit is not None or q.value < 1 or any(a <= q.start < b for _, (a, b) in denials):
            continue  # "None of the 48 passengers was hurt" counts no one hurt
        clause = _CLAUSE_END.split(text[q.end:], maxsplit=1)[0]
        counted += [(kind, q.text) for kind, pattern in COUNTED.items() if pattern.search(clause)]
    return Casualties(denied, tuple(dict.fromkeys(counted)))


def harm_clash(a: str, b: str) -> str | None:
    """A says no one was harmed where B counts people harmed (or the reverse), as a phrase; None otherwise.
    A denial of deaths does not clash with a count of injuries: no one died, two were hurt."""
    return clash_of(casualties(a), casualties(b))


def clash_of(a: Casualties, b: Casualties) -> str | None:
    """harm_clash() on what two sentences say of casualties, read once each."""
    for said, counted in ((a, b), (b, a)):
        for kind, figure in counted.counted:
            if kind in said.denied or (kind == "death" and "injury" in said.denied):
                denial = "killed" if kind == "death" and "death" in said.denied else "hurt"
                figure = figure.lower() if figure[:1].isalpha() else figure
                return f"no one {denial} in one report, {figure} {'dead' if kind == 'death' else 'hurt'} in the other"
    return None


def harm_asked(text: str) -> frozenset[str]:
    """The kinds of harm a question or phrase names ("the number of dead" -> death; "how many were hurt" ->
    injury)."""
    return frozenset(kind for kind, pattern in COUNTED.items() if pattern.search(text))

