"""Sentences that are not news: they talk to the model, the reader or about the output. Never extracted, indexed, cited.

The signals are structural (who a sentence addresses, whether it gives an order, whether it names the
output, chat-role markup, links and code, a sentence continuing a planted turn), checked on the text after
invisible characters are removed and look-alike letters folded. A list of known attack wordings is one
more signal, never the only one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from agent.text import confusables
from agent.text.injection_words import (ADDRESSEE, ARTICLE_NOUN, DIRECTIVE_EN, FOLLOWER, FOREIGN_ORDER,
                                        FOREIGN_TARGET, MODAL, OUTPUT_NOUN, OUTPUT_VERB_EN, PHRASES, ROLE, SELF_START,
                                        directive_any)

# Zero-width, bidi controls, invisible operators, soft hyphen, and the Unicode tag block (ASCII smuggling).
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
URL = re.compile(r"\b(?:https?|ftp|file|javascript|vbscript|data|mailto):[^\s<>\"'`)\]]*|\bwww\.[^\s<>\"'`)\]]+",
                 re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence may be reported (extracted, indexed, cited, shown), and if not, which signal said so."""

    ok: bool
    reason: str = ""


OK = Verdict(True)
_state = {"phrases": True}


@contextmanager
def without_phrase_signal() -> Iterator[None]:
    """Turn the wording signal off in this block (the injection eval measures the structural signals alone)."""
    before = _state["phrases"]
    _state["phrases"] = False
    _clear()
    try:
        yield
    finally:
        _state["phrases"] = before
        _clear()


def _clear() -> None:
    _verdict.cache_clear()
    _unreportable.cache_clear()


def detector_key() -> str:
    """What the detector's configuration is (part of any cache built from its verdicts)."""
    return "structural+phrases" if _state["phrases"] else "structural"


def variants(text: str) -> list[str]:
    """The forms a sentence is checked in: visible characters only, NFKC, case-folded; and disguises folded."""
    plain = unicodedata.normalize("NFKC", INVISIBLE.sub("", text)).casefold()
    plain = plain.replace("’", "'").replace("‘", "'")
    folded = confusables.fold(plain)
    return [plain] if folded == plain else [plain, folded]


_QUOTED = re.compile(r"[\"“”«»„]([^\"“”«»„]{1,400})[\"“”«»„]")
_CLAUSE = re.compile(r"(?:^|[:;—–]\s+|\s-\s+)")
_LEAD = re.compile(r"^(?:[\W_]*(?:please|now|then|also|and|so|just|finally|first|next|important|urgent|note|"
                   r"ps|p\.s|reminder|update|instructions?|attention|ok|okay)\b[\W_]*)*")
_FIRST_WORDS = re.compile(r"[\w'-]+")


def _words_after(text: str, start: int, n: int = 3) -> list[str]:
    return _FIRST_WORDS.findall(text[start:start + 80])[:n]


def _imperative(text: str, verbs: frozenset[str]) -> bool:
    """TEXT (a clause) opens with an order: a directive verb in its base form, then its object."""
    lead = _LEAD.match(text).end()
    words = _words_after(text, lead)
    if words[:2] in (["do", "not"], ["don't"], ["never"]) or words[:1] == ["dont"]:
        words = [w for w in words if w not in ("do", "not", "don't", "dont", "never")] + ["the"]
    if len(words) < 2 or words[0] not in verbs:
        return False
    follower = words[1]
    rest = text[lead:].split(None, 2)
    raw = rest[1] if len(rest) > 1 else ""
    return follower in FOLLOWER or bool(re.match(r"[\"“'«<\[*`]|[A-Z0-9]{2,}\b|\d", raw))


def _orders(plain: str) -> str:
    """Why the sentence gives an order (at its start, after a colon or dash, or inside quotes), or ''."""
    quoted = plain.lstrip()[:1] in "\"“”«»„'"
    if _imperative(plain, OUTPUT_VERB_EN if quoted else DIRECTIVE_EN):
        return "an order in the imperative"
    for m in _CLAUSE.finditer(plain):
        if m.end() and _imperative(plain[m.end():], OUTPUT_VERB_EN):
            return "an order about output after a colon or dash"
    for m in _QUOTED.finditer(plain):
        if _imperative(m.group(1), OUTPUT_VERB_EN):
            return "a quoted order about output"
    return ""


_SECOND_PERSON = re.compile(r"(?:^|[.,:;!?]\s+|\b(?:and|now|then)\s+)(?:you|u)\s+(?:" + MODAL + r"|are\s+(?:now|an?|the|"
                            r"in|to|no\s+longer)\b|can\s+now|will\s+(?:now|always|never|only|include|write|print|say)"
                            r"|have\s+been\s+(?:told|instructed|given))", re.I)
_VOCATIVE = re.compile(r"(?:^|\b(?:dear|hey|hello|hi|attention|to|for|note\s+to|message\s+to|reminder\s+to|"
                       r"instructions?\s+(?:to|for))\s+(?:all\s+|any\s+|every\s+|the\s+)?)(?:" + ADDRESSEE
                       + r")\b\s*[,:!]", re.I)
_ADDRESSED = re.compile(r"\b(?:note|message|memo|reminder|instructions?|notice|attention|hint|tip)\s+(?:to|for)\s+"
                        r"(?:all\s+|any\s+|every\s+|the\s+)?(?:" + ADDRESSEE + r")\b"
                        r"|\b(?:if|when|while)\s+you\s+are\s+an?\s+(?:" + ADDRESSEE + r")\b"
                        r"|\bas\s+an?\s+(?:" + ADDRESSEE + r")\b[^.]{0,40}\byou\b"
                        r"|\b(?:" + ADDRESSEE + r")s?\s+(?:reading|summari[sz]ing|processing|parsing|crawling|"
                        r"ingesting)\b"
                        r"|\b(?:" + ADDRESSEE + r")s?\s+(?:" + MODAL + r")\s+(?:\w+\s+){0,2}?(?:" + directive_any()
                        + r")", re.I)


def _addressed(plain: str) -> str:
    """Why the sentence speaks to the model or the reader (you must..., a note to AI systems), or ''."""
    if _ADDRESSED.search(plain) or _VOCATIVE.search(plain):
        return "addresses an AI or assistant"
    outside = _QUOTED.sub(" ", plain)
    if _SECOND_PERSON.search(outside):
        return "second person with an order (you must..., you are now...)"
    return ""


_OUTPUT_REF = re.compile(
    r"\b(?:" + directive_any() + r")\b[^.]{0,120}?\b(?:in|into|to|from|within|throughout|at the (?:start|end|top|"
    r"beginning|bottom) of)\s+(?:the|your|this|every|each|any|all|my)\s+(?:\w+\s+)?(?:" + OUTPUT_NOUN + r")\b"
    r"|\b(?:every|each|any|all)\s+(?:\w+\s+)?(?:" + OUTPUT_NOUN + r")s?\s+(?:of|about|on|for)\s+(?:this|the)\s+"
    r"(?:" + ARTICLE_NOUN + r")\b"
    r"|\b(?:your|this|these|any|every|each|all)\s+(?:\w+\s+)?(?:" + OUTPUT_NOUN + r")s?\s+(?:" + MODAL
    + r")\s+(?:\w+\s+){0,2}?(?:" + directive_any() + r")\b"
    r"|\b(?:when|while|if|before|after)\s+(?:you\s+are\s+|you're\s+)?(?:summari[sz]|writ|generat|answer|respond|"
    r"report)\w*\s+(?:on\s+|about\s+)?(?:this|the)\s+(?:" + ARTICLE_NOUN + r")\b"
    r"|\b(?:this|the\s+following|the\s+above)\s+(?:" + ARTICLE_NOUN + r")\s+(?:" + MODAL + r"|is\s+to)\s+be\s+\w+"
    r"|\b(?:these|the\s+(?:above|previous|prior|earlier|original))\s+(?:instructions|rules|guidelines|directions)\b",
    re.I)
_YOUR_OUTPUT = re.compile(r"\byour\s+(?:\w+\s+)?(?:" + OUTPUT_NOUN + r")\b", re.I)


def _about_output(plain: str) -> str:
    """Why the sentence is about the output itself (your summary, include X in the brief), or ''."""
    if _OUTPUT_REF.search(plain) or _YOUR_OUTPUT.search(_QUOTED.sub(" ", plain)):
        return "refers to the output (the brief, summary, answer, these instructions)"
    if FOREIGN_ORDER.search(plain) and FOREIGN_TARGET.search(plain):
        return "an order about the output or to the model (French, German, Spanish, Russian, Chinese)"
    return ""


_MARKUP = re.compile(
    r"<\||\|>|<\s*/?\s*(?:system|assistant|user|human|s|im_start|im_end|instructions?|prompt|context|inst)\s*>"
    r"|\[/?(?:inst|sys|system)\]|<<\s*/?sys\s*>>|#{2,}\s*(?:instruction|system|response|assistant|user)"
    r"|\b(?:begin|end|start)[ _-](?:of[ _-])?(?:system|prompt|instructions?|article|sentences|question|facts|"
    r"disputes|context|user|assistant)\b|<{2,}|>{2,}|‹{2,}|›{2,}|«{3,}|»{3,}|```|={4,}|-{4,}"
    r"|^\W{0,3}(?:" + ROLE + r")\s*[:：>\]]", re.I | re.M)


def _markup(plain: str) -> str:
    """Why the sentence carries chat-role markup or a spoofed delimiter, or ''."""
    return "chat-role markup or a spoofed delimiter" if _MARKUP.search(plain) else ""


_CODE = re.compile(r"!?\[[^\]]{0,200}\]\(|</?[a-z][a-z0-9-]*(?:\s[^>]{0,200})?/?>|&#?[a-z0-9]{2,8};|`|\{\s*\"\w+\"\s*:"
                   r"|\\u[0-9a-f]{4}|\bon(?:error|load|click)\s*=|\beval\(|\bprint\(", re.I)


def _link_or_code(plain: str) -> str:
    """Why the sentence holds a link, markup or code, or ''."""
    if URL.search(plain):
        return "holds a URL"
    return "holds markup or code" if _CODE.search(plain) else ""


def _phrases(plain: str) -> str:
    """Why a known attack wording matches (one signal among several; can be turned off), or ''."""
    if not _state["phrases"]:
        return ""
    return "a known injection wording" if PHRASES.search(plain) else ""


_SIGNALS = (_markup, _link_or_code, _addressed, _about_output, _phrases)


@lru_cache(maxsize=1 << 16)
def _verdict(text: str) -> Verdict:
    """The verdict on one sentence by itself."""
    forms = variants(text)
    for plain in forms:
        for signal in _SIGNALS:
            why = signal(plain)
            if why:
                return Verdict(False, why)
        why = _orders(plain)
        if why:
            return Verdict(False, why)
    return OK


def _self_voiced(text: str) -> bool:
    """A sentence in a model's voice: an acknowledgement or a first-person promise."""
    return bool(SELF_START.match(variants(text)[-1]))


def reportable(text: str, neighbours: Sequence[str] = ()) -> Verdict:
    """Whether TEXT may be reported; NEIGHBOURS are the sentences before it in its paragraph, nearest last.

    A sentence after a chat-role line in the same paragraph, or a first-person answer after any flagged
    sentence, continues a planted turn (a fake assistant turn split over two sentences).
    """
    own = _verdict(text)
    if not own.ok:
        return own
    if any(_markup(v) for n in neighbours for v in variants(n)):
        return Verdict(False, "continues a planted chat turn")
    if neighbours and _self_voiced(text) and not _verdict(neighbours[-1]).ok:
        return Verdict(False, "answers a sentence that addresses the model")
    return OK


def article_verdicts(text: str, spans: Sequence[tuple[int, int]]) -> list[Verdict]:
    """The verdict of each sentence (by its span in TEXT), its paragraph's earlier sentences as neighbours."""
    out: list[Verdict] = []
    paragraph: list[str] = []
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if i and "\n\n" in text[spans[i - 1][1]:start]:
            previous = text[spans[i - 1][0]:spans[i - 1][1]]
            paragraph = [previous] if _self_voiced(sentence) else []
        out.append(reportable(sentence, paragraph[-6:]))
        paragraph.append(sentence)
    return out


def unreportable(article) -> dict[int, str]:
    """Sentence index -> why, for each sentence of an Article that must never be reported."""
    return _unreportable(article.text, tuple((s.index, s.start, s.end) for s in article.sentences))


@lru_cache(maxsize=4096)
def _unreportable(text: str, sentences: tuple[tuple[int, int, int], ...]) -> dict[int, str]:
    verdicts = article_verdicts(text, [(start, end) for _, start, end in sentences])
    return {index: v.reason for (index, _, _), v in zip(sentences, verdicts) if not v.ok}


def refs_reportable(refs, articles: dict) -> bool:
    """True when every sentence these refs (SentenceRef/Citation) point to may be reported."""
    return all(r.index not in unreportable(articles[r.article_id]) for r in refs)


def looks_like_injection(text: str) -> bool:
    """Whether a sentence, on its own, talks to the model or the reader, or about the output."""
    return not _verdict(text).ok


def safe_terminal(text: str) -> str:
    """Text safe to print to a terminal: control characters (ESC and the rest) shown as visible escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
