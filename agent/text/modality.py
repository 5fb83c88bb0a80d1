"""How a sentence presents a claim's predicate: done, ongoing, planned, attributed, denied or hedged."""

# The cue must govern the predicate: in "arrived ... for a visit that will be watched" the arrival is
# asserted_past although "will" occurs, because "will" governs "watched", not "arrived".

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.text.quotes import SPEECH_VERBS, according_to, clean_speaker, find_quotes, speaker_after, speaker_before
from agent.text.norm import IRREGULAR, verb_key
from agent.types import Modality

MODALS = frozenset("will shall would 'll ’ll".split())
PLAN_WORDS = frozenset(
    "set due expected scheduled slated poised plans planned planning plan intends intended intend aims "
    "aimed aim going about hopes hoped hope".split()
)
HEDGES = frozenset(
    "may might could reportedly allegedly possibly probably likely apparently purportedly perhaps presumably".split()
)
HEDGE_BEFORE_TO = frozenset(
    "believed thought said appears appear seems seem alleged suspected rumored rumoured".split()
)
DENIALS = frozenset(
    "denied denies deny denying rejected rejects reject rejecting dismissed dismisses dismiss dismissing "
    "refuted refutes refute rebuffed disputed disputes dispute".split()
)
BE = frozenset("is are am was were be been being 's".split())
_AUX = BE | MODALS | PLAN_WORDS | frozenset("to has have had do does did not never also just then".split())
_STOP_CLAUSE = frozenset("that which who whom whose because after before when while if unless although though".split())
_DETERMINERS = frozenset("the a an these those such its their his her our my your media already".split())
_PREPOSITIONS = frozenset("in on at with for from to of by into about over".split())
_SPEECH = frozenset(SPEECH_VERBS) - {"denied", "denies", "denying"}
_PAST_IRREGULAR = frozenset(w for w, base in IRREGULAR.items() if base not in ("be", "have", "do") and w != base)
_WORD = re.compile(r"[A-Za-z]+(?=['’]ll\b)|['’]ll\b|[A-Za-z]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True, slots=True)
class ModalityCue:
    """The modality a sentence gives a predicate, the words that say so, and who the claim is attributed to."""

    modality: Modality | None
    cue: str | None
    attributed_to: str | None = None


@dataclass(slots=True)
class _Tok:
    word: str
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    """Lower-cased word tokens with spans."""
    return [_Tok(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]


def _masked(sentence: str, keep: str | None) -> str:
    """The sentence with quoted words blanked out, unless the predicate is only found inside them."""
    chars = list(sentence)
    for q in find_quotes(sentence):
        if keep and keep in q.text.lower() and keep not in sentence[: q.start].lower() + sentence[q.end :].lower():
            continue
        chars[q.start : q.end] = "|" * (q.end - q.start)
    return "".join(chars)


def _head(predicate: str) -> str | None:
    """The main verb of a predicate phrase ("was set to arrive in" -> "arrive")."""
    words = [w for w in re.findall(r"[a-z]+", predicate.lower()) if w not in _AUX and w not in _PREPOSITIONS]
    return words[0] if words else None


def _locate(toks: list[_Tok], head: str) -> int | None:
    """The index of the token whose verb key matches the predicate's head, if any."""
    key = verb_key(head)
    for i, t in enumerate(toks):
        if verb_key(t.word) == key:
            return i
    return None


def _window(sentence: str, toks: list[_Tok], i: int, size: int = 7) -> list[int]:
    """Indexes of the tokens before i in its own clause (at most `size`), nearest first."""
    out = []
    for j in range(i - 1, max(-1, i - 1 - size), -1):
        gap = sentence[toks[j].end : toks[j + 1].start]
        if re.search(r"[,;:()—–|\[\]]", gap) or toks[j].word in _STOP_CLAUSE | _SPEECH | DENIALS:
            break
        out.append(j)
    return out


def _cue_text(sentence: str, toks: list[_Tok], j: int, i: int) -> str:
    """The cue as written: from the cue word (with a leading "is"/"was") up to the predicate."""
    start = j - 1 if j > 0 and toks[j - 1].word in BE and toks[j].word in PLAN_WORDS | HEDGE_BEFORE_TO else j
    end = i - 1 if any(t.word == "to" for t in toks[j:i]) else j
    return sentence[toks[start].start : toks[end].end]


def _local(sentence: str, toks: list[_Tok], window: list[int], i: int) -> tuple[Modality, str, int] | None:
    """A denial, hedge or plan in the predicate's own clause: (modality, cue, cue token)."""
    found: dict[str, tuple[str, int]] = {}
    for j in window:
        w, to_follows = toks[j].word, any(t.word == "to" for t in toks[j + 1 : i])
        if w in DENIALS:
            found.setdefault("denied", (_cue_text(sentence, toks, j, i), j))
        elif w in HEDGES or (w in HEDGE_BEFORE_TO and to_follows):
            found.setdefault("hedged", (_cue_text(sentence, toks, j, i), j))
        elif w in MODALS or (w in PLAN_WORDS and to_follows) or (w in BE and toks[j + 1].word == "to"):
            found.setdefault("planned_or_expected", (_cue_text(sentence, toks, j, i), j))
    for modality in ("denied", "hedged", "planned_or_expected"):
        if modality in found:
            return modality, found[modality][0], found[modality][1]  # type: ignore[return-value]
    return None


def _boundary(masked: str, a: _Tok, b: _Tok) -> bool:
    """A break between two clauses that do not govern each other ("; ", ", and ...", ", but ...")."""
    gap = masked[a.end : b.start]
    return ";" in gap or (bool(re.search(r"[,—–]", gap)) and b.word in ("and", "but", "while", "whereas", "yet"))


def _governing(masked: str, toks: list[_Tok], first: int, i: int) -> tuple[Modality, str, str | None] | None:
    """A speech or denial verb that governs the predicate's clause: before it, trailing it, or "according to"."""
    for j in range(first - 1, -1, -1):
        if _boundary(masked, toks[j], toks[j + 1]):
            break
        w, before = toks[j].word, toks[j - 1].word if j else ""
        if w in _SPEECH and before in DENIALS:  # "dismissed reports that ...": a denial of the reports
            return "denied", f"{before} {w}", speaker_before(masked, toks[j - 1].start)
        if w in DENIALS or (w in _SPEECH and before not in _DETERMINERS):
            return ("denied" if w in DENIALS else "attributed"), w, speaker_before(masked, toks[j].start)
    for j in range(i + 1, len(toks)):
        w = toks[j].word
        if (w in _SPEECH or w in DENIALS) and len(toks) - j <= 8:
            head = masked[toks[i].end : toks[j].start]
            if re.search(r"[,—–]\s*$", head):
                return "attributed", w, speaker_after(masked, toks[j].end)
            clause = re.split(r"[,—–]", head)
            if len(clause) > 1 and not set(clause[-1].lower().split()) & (_STOP_CLAUSE | {"and", "but"}):
                return "attributed", w, clean_speaker(clause[-1], loose=True)
    source = according_to(masked)
    return ("attributed", "according to", source) if source or "according to" in masked else None


def _is_past(tok: _Tok, sentence: str, previous: str = "") -> bool:
    """A past-tense verb form: not a name ("Ahmed"), a compound ("Kyiv-based") or an adjective ("its damaged ties")."""
    if (sentence[tok.start].isupper() and tok.start > 0) or sentence[tok.start - 1 : tok.start] == "-":
        return False
    if previous in _DETERMINERS or previous.endswith(("'s", "'")) or sentence[tok.start - 2 : tok.start] == "’ ":
        return False
    return tok.word in _PAST_IRREGULAR or (tok.word.endswith("ed") and len(tok.word) > 4 and tok.word != "speed")


def _default_target(sentence: str, masked: str, toks: list[_Tok]) -> int | None:
    """Without a predicate: the sentence's first verb that carries a cue or a past tense."""
    for j, t in enumerate(toks):
        if masked[t.start] == "|":
            continue
        to_follows = any(x.word == "to" for x in toks[j + 1 : j + 3])
        if t.word in MODALS | HEDGES or (t.word in PLAN_WORDS | HEDGE_BEFORE_TO and to_follows):
            for k in range(j + 1, min(j + 6, len(toks))):
                if toks[k].word not in _AUX | HEDGES | HEDGE_BEFORE_TO | {"be", "not"}:
                    return k
        if t.word in DENIALS or t.word in _SPEECH or _is_past(t, sentence, toks[j - 1].word if j else ""):
            return j
    return None


def classify(sentence: str, predicate: str | None = None) -> ModalityCue:
    """The modality a sentence gives a predicate (None: its main verb); denial and plans win over attribution."""
    head = _head(predicate) if predicate else None
    masked = _masked(sentence, head)
    toks = [t for t in _tokens(masked)]
    i = _locate(toks, head) if head else _default_target(sentence, masked, toks)
    if i is None:
        return ModalityCue(None, None, None)
    pred = toks[i]
    if pred.word in DENIALS or pred.word in _SPEECH:
        modality = "denied" if pred.word in DENIALS else "attributed"
        who = speaker_before(masked, pred.start) or speaker_after(masked, pred.end)
        return ModalityCue(modality, sentence[pred.start : pred.end], who)
    window = _window(masked, toks, i)
    local = _local(sentence, toks, window, i)
    governing = _governing(masked, toks, window[-1] if window else i, i)
    speaker = governing[2] if governing else None
    if local and local[0] == "denied":
        return ModalityCue("denied", local[1], speaker_before(masked, toks[local[2]].start))
    if governing and governing[0] == "denied":
        return ModalityCue("denied", governing[1], speaker)
    if local:
        return ModalityCue(local[0], local[1], speaker)
    if governing:
        return ModalityCue("attributed", governing[1], speaker)
    if pred.word.endswith("ing") and window and toks[window[0]].word in BE:
        return ModalityCue("ongoing", sentence[toks[window[0]].start : pred.end], None)
    if _is_past(pred, sentence, toks[i - 1].word if i else ""):
        return ModalityCue("asserted_past", sentence[pred.start : pred.end], None)
    return ModalityCue(None, None, None)
