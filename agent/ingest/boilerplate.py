"""Boilerplate lines: general patterns for page furniture, plus repetition inside an article and across a corpus."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

# (reason, pattern, most words a matching line may have). Patterns describe kinds of furniture, never one site.
_RULES: list[tuple[str, str, int]] = [
    ("navigation", r"^(skip|jump|go|back|return|scroll) (to|down to)\b", 8),
    ("navigation", r"^(menu|search|home|close|next|previous|prev|print|e-?mail|share|tweet|comments?|log ?in|sign in|"
                   r"log ?out|sign out|register|toggle navigation|main menu|show more|load more|see more|view all|"
                   r"expand|collapse|top|back)\W*$", 3),
    ("navigation menu", r"^[^|•·]{1,30}(?:\s[|•·]\s[^|•·]{1,30}){2,}$", 20),
    ("navigation", r"\b(profile|author|avatar|headshot) (photo|picture|image|icon)\b", 5),
    ("topic tags", r"^(topics?|tags?|filed under|categor(y|ies)|sections?|article topic follows|more on)\s*:", 15),
    ("comment section", r"\b(leave a (reply|comment)|comments? (are|is) (now )?(closed|disabled)|join the (conversation|"
                        r"discussion)|be part of the conversation|post a comment|add a comment|(view|show|load|read) "
                        r"(\d+ )?comments|community guidelines|keep (your )?comments|comments? respectful|email address "
                        r"will not be published|required fields are marked|forum for civil|civil (and|&) constructive|"
                        r"conversation is moderated)\b", 40),
    ("comment section", r"^\d+\s+comments?\W*$", 3),
    ("reader prompt", r"\b(share (a|your) (story|news) (idea|tip)|submit (it|a tip|your (story|tip)) here|send us (a|your)"
                      r" tip|got a (news )?tip\b|have a (news )?tip)", 30),
    ("newsletter or subscription prompt", r"^(sign up|subscribe|get|join|enter your|receive|try|start (your|a) (free )?"
                                          r"(trial|subscription)|become a (member|subscriber)|support (our|local|"
                                          r"independent) journalism)\b.*\b(newsletters?|inbox|e-?mail|access|subscri\w*|"
                                          r"free|trial|journalism|stories|news|updates|alerts|briefing|digest)\b", 25),
    ("newsletter or subscription prompt", r"\bnewsletters?\b|\bin your inbox\b|\bdon'?t miss out\b", 12),
    ("share or social prompt", r"^(share (this|on|via|the)|follow us|like us on|connect with us|tweet this|download "
                               r"(our|the) app|get the app)\b", 12),
    ("share or social prompt", r"^(facebook|twitter|linkedin|whatsapp|reddit|pinterest|email|x|copy link|print)"
                               r"(\s*[|·•,/]?\s*(facebook|twitter|linkedin|whatsapp|reddit|pinterest|email|x|copy link|"
                               r"print))+\W*$", 12),
    ("audio or video prompt", r"^(listen to (this|the) (story|article)|listen( now)?:|watch( the)? (video|live)|play "
                              r"(video|audio)|video:|audio:|watch:|\d+:\d\d\s*$)", 12),
    ("promotion or related link", r"^(related(\s+(stories|articles|coverage|content|links?|news|reading|video))?\s*(:|$)|"
                                  r"read (more|the full|our|next)\b|see also\b|also read\b|more from\b|more:|most "
                                  r"(read|popular|viewed)\b|trending( now)?\s*(:|$)|recommended( for you)?\s*(:|$)|top "
                                  r"stories\b|editor'?s picks|you (may|might) also like|don'?t miss\b|click here\b|tap "
                                  r"here\b|more (stories|news) (from|like)\b)", 30),
    ("advertisement", r"^(advertisement|advertising|sponsored( content)?|ad|paid (content|post)|story continues below"
                      r"( advertisement)?|scroll to continue( with content)?|continue reading( below| the main story)?)"
                      r"\W*$", 6),
    ("copyright notice", r"©|\(c\)\s*\d{4}|^copyright\b|all rights reserved|™", 40),
    ("wire or syndication credit", r"^(the[- ])?[\w&]+([- ][\w&]+)*[- ](wire|newswire|newsource|news service)\W*$", 6),
    ("wire or syndication credit", r"^(source|via)\s*:\s*[\w .&'’-]{2,40}$|^(source|original) (link|article)\W*$", 6),
    ("contributor credit", r"\bcontributed (reporting|research|to this (report|story|article))\b|^\(?(additional )?"
                           r"(reporting|writing|editing|research) by\b", 60),
    ("cookie notice", r"\bcookies?\b.*\b(accept|consent|experience|policy|settings|agree)\b", 30),
    ("legal links", r"^(terms (of use|of service|and conditions)|privacy (policy|notice)|cookie (policy|settings)|"
                    r"contact us|about us)\b", 12),
    ("photo caption or credit", r"^(file|photo|image|picture|caption|photograph|pictured|graphic|illustration)"
                                r"\s*(?:\(\w+\)\s*)?[-–—:|]", 90),
    ("photo caption or credit", r"\((?=[^()]*(?:\bphotos?\b|\bphotograph\b|getty|\bpool\b|shutterstock|, file\b|"
                                r"/(?:ap|afp|reuters|epa)\b))[^()]*\)\W*(?:\([^()]*\)\W*)?$", 90),
    ("photo caption or credit", r"\b(photo|image|photograph|credit|picture)\s*:\s*[^.]{2,60}$|\b(getty images|ap photo"
                                r"|afp via getty|shutterstock|istock)\b", 40),
    ("editor's note", r"^(this (story|article|post|report) (has been|was|is being|will be) (updated|corrected|edited)|"
                      r"editor'?s note|correction\s*:|update\s*:|updated\s*:|clarification\s*:)", 60),
]
RULES = [(reason, re.compile(pattern, re.I), limit) for reason, pattern, limit in _RULES]
TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


@lru_cache(maxsize=1 << 16)
def norm(line: str) -> str:
    """The comparison key of a line: case, spacing and surrounding punctuation folded."""
    return " ".join(re.sub(r"[^\w\s]", " ", line.casefold()).split())


def pattern_reason(line: str) -> str | None:
    """Why LINE is page furniture by its own form, or None."""
    words = len(line.split())
    if not re.search(r"\w", line):
        return "separator (no words)"
    for reason, pattern, limit in RULES:
        if words <= limit and pattern.search(line):
            return reason
    return None


def is_sentence_like(line: str) -> bool:
    """Ends like a sentence (terminal punctuation, maybe inside closing quotes)."""
    return bool(TERMINAL.search(line.strip()))


def is_headline_like(line: str, max_words: int = 25) -> bool:
    """Short, and not ending like a body sentence (a headline may end with ? or !)."""
    text = line.strip()
    return 0 < len(text.split()) <= max_words and not re.search(r"[.,;:][\"'”’)\]]*$", text)


def repeated_inside(lines: list[str], skip: set[int]) -> dict[int, str]:
    """Lines that occur more than once in one article: promo headlines (all copies) or duplicate paragraphs."""
    keys = {i: norm(line) for i, line in enumerate(lines) if i not in skip and norm(line)}
    counts = Counter(keys.values())
    marks: dict[int, str] = {}
    seen: set[str] = set()
    for i, key in keys.items():
        if counts[key] < 2:
            continue
        if not is_sentence_like(lines[i]) and len(lines[i].split()) <= 20:
            marks[i] = f"repeated {counts[key]} times inside the article (promo headline)"
        elif key in seen:
            marks[i] = "duplicate paragraph (repeats an earlier one)"
        seen.add(key)
    return marks


def corpus_counts(documents: Iterable[list[str]]) -> Counter:
    """In how many documents each short, non-sentence line occurs (the candidates for site furniture)."""
    counts: Counter = Counter()
    for lines in documents:
        counts.update({norm(line) for line in lines if _repeat_candidate(line)})
    return counts


def _repeat_candidate(line: str) -> bool:
    return bool(norm(line)) and not is_sentence_like(line) and len(line.split()) <= 20


def repeated_across(line: str, counts: Counter | None, known: frozenset[str]) -> str | None:
    """Why LINE is furniture shared by several articles, or None."""
    if not _repeat_candidate(line):
        return None
    key = norm(line)
    if counts and counts[key] >= 2:
        return f"repeated across {counts[key]} articles"
    if key in known:
        return "repeated across articles (seen in stored articles)"
    return None


def footer_marks(lines: list[str], marks: dict[int, str]) -> dict[int, str]:
    """Short non-sentences at the end of the page, among lines already marked as furniture (author boxes, labels)."""
    tail: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not line.strip() or i in marks:
            tail.append(i)
            continue
        if is_sentence_like(line) or len(line.split()) > 8:
            break
        tail.append(i)
    if not any(i in marks and not marks[i].startswith(("byline", "date line")) for i in tail):
        return {}
    return {i: "page footer after the article's end" for i in tail if i not in marks and lines[i].strip()}


# --- the article's shape: deks before the body, subheadings, verbless photo captions -----------------------
FINITE = frozenset("""
is are was were be been am has have had do does did will would can could shall should may might must said says say
told tells tell added adds asked asks called calls made makes make took takes want wants need needs get gets got
""".split())
DETERMINERS = frozenset("a an the this that these those his her their its our my your no any each every some".split())
NOT_PARTICIPLES = frozenset("during including according following regarding pending concerning".split())
_PARTICIPLE = re.compile(r"\b(\w+) (\w+ing) (at|in|on|near|through|into|for|outside|inside|toward|towards|from|with|"
                         r"under|over|by|across|along|past|around|behind|beside|after|before)\b")
_PLACE_TIME_END = re.compile(r"\b(on|in|at) (?:[A-Z][\w.'’-]*\s?)+\.$")
_NP_THEN_PREP = re.compile(r"^(?:(?:A|An|The)\s+)?(?:[\w'’-]+\s+){0,3}(of|from|at|in|near|outside|inside|on)\b")


def shape_marks(lines: list[str], marks: dict[int, str]) -> dict[int, str]:
    """Headline-like lines before the first body sentence, short subheadings, and verbless photo captions."""
    kept = [i for i, line in enumerate(lines) if line.strip() and i not in marks]
    first_body = next((i for i in kept if is_sentence_like(lines[i])), None)
    out: dict[int, str] = {}
    for i in kept:
        line = lines[i].strip()
        if first_body is not None and i < first_body and is_headline_like(line):
            out[i] = "headline-like line before the body (dek, kicker or related headline)"
        elif first_body is not None and i > first_body and _is_subheading(line):
            out[i] = "subheading (not a sentence)"
        elif is_caption(line):
            out[i] = "photo caption (a verbless line)"
    return out


def _is_subheading(line: str) -> bool:
    plain_words = re.fullmatch(r"[^\W\d][\w'’ ,&-]*", line)
    return bool(plain_words) and not is_sentence_like(line) and len(line.split()) <= 6


def is_caption(line: str) -> bool:
    """A one-sentence line with no finite verb that names a scene: "Families from the caravan waiting for a meal."."""
    words = line.split()
    if not 3 <= len(words) <= 16 or not line.endswith(".") or re.search(r"[\"“”‘’]|[.!?;:] \S", line[:-1]):
        return False
    lower = [w.strip(".,'’").lower() for w in words[1:] if w[:1].islower()]
    if any(w in FINITE or w.endswith(("ed", "s")) and len(w) > 3 for w in lower) or re.search(r"\bto [a-z]", line):
        return False
    participle = any(m.group(1).lower() not in DETERMINERS and m.group(2).lower() not in NOT_PARTICIPLES
                     for m in _PARTICIPLE.finditer(line))
    return participle or bool(_PLACE_TIME_END.search(line) and _NP_THEN_PREP.match(line))
