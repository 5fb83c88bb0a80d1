"""Every brief sentence against its citations: spans exist, and the cited sentences support what it says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.text.norm import content_words, stem
from agent.types import Article, BriefSection, Citation, CitedSentence

SUPPORT_MIN = 0.5
STRICT_SUPPORT_MIN = 0.75  # model-written sentences must be mostly made of their sources' words
QUOTED_MIN = 1.0  # what a template line quotes, code copied from its cited sentences: all of it must be there
_META = re.compile(r"\((?:\d+ independent outlets?|only )[^)]*\)")  # our own count/outlet notes
_ISO = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")  # share of a sentence's content words found in its cited sentences
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)")


def span_ok(c: Citation, articles: dict[str, Article]) -> bool:
    """The cited span exists and still holds the cited text."""
    a = articles.get(c.article_id)
    return bool(a) and 0 <= c.index < len(a.sentences) and a.text[c.start:c.end] == c.text == a.sentences[c.index].text


def asserted(text: str, origin: str) -> str:
    """What a brief sentence asserts from its sources: all of a source or model sentence; of a template line (the
    tool's own account of a divergence: kinds, outlets, dates of publication), only what it quotes from them."""
    if origin != "template":
        return text
    return " ".join(next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text))


def support(text: str, citations: list[Citation], ignore: frozenset[str] = frozenset()) -> float:
    """Share of the sentence's content words present (stemmed) in the cited sentences, IGNORE words aside."""
    ignored = {stem(w) for w in ignore} | set(ignore)
    wanted = {w for w in content_words(_META.sub(" ", _ISO.sub(" ", text))) if w not in ignored}
    if not wanted:
        return 1.0
    have = set()
    for c in citations:
        have |= content_words(c.text)
    have |= {stem(w) for w in have}
    return sum(1 for w in wanted if w in have) / len(wanted)


@dataclass
class CheckResult:
    """What the check did: sentences checked, removed, flagged, and invalid citations dropped."""

    checked: int = 0
    removed: int = 0
    flagged: int = 0
    invalid_citations: int = 0


def check_sections(sections: list[BriefSection], articles: dict[str, Article], strict_titles: set[str],
                   judge=None, ignore: frozenset[str] = frozenset()) -> CheckResult:
    """Drop invalid citations; remove unsupported sentences in STRICT sections (model-written), flag elsewhere."""
    result = CheckResult()
    for section in sections:
        kept: list[CitedSentence] = []
        for s in section.sentences:
            result.checked += 1
            good = [c for c in s.citations if span_ok(c, articles)]
            result.invalid_citations += len(s.citations) - len(good)
            s.citations = good
            strict = section.title in strict_titles
            said = asserted(s.text, s.origin)
            s.support = round(support(said, good, frozenset() if strict else ignore), 2) if good else 0.0
            bar = STRICT_SUPPORT_MIN if strict else QUOTED_MIN if s.origin == "template" else SUPPORT_MIN
            ok = bool(good) and s.support >= bar and (judge is None or judge(s))
            if ok:
                kept.append(s)
            elif strict or not good:
                result.removed += 1
            else:
                s.flagged = True
                result.flagged += 1
                kept.append(s)
        section.sentences = kept
    return result
