"""Every sentence parsed once: words, names, numbers, event time, quotes, modality, and its embedding."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from agent.text import modality as modality_cues
from agent.text.entities import AliasTable
from agent.text.names import find_names
from agent.text.numbers import Quantity, extract_quantities
from agent.text.norm import IRREGULAR, STOPWORDS, content_words, fold, verb_key, words
from agent.text.quotes import Quote, find_quotes
from agent.text.safety import unreportable
from agent.text.timeparse import Tense, TimeExpr, find_time_expressions, resolve
from agent.types import Article, Modality

Key = tuple[str, int]  # (article id, sentence index)
MIN_WORDS = 5
# A question states nothing; a line cut off with an ellipsis ("News of major shootings in...") is a teaser.
UNREPORTABLE_ENDS = ("?", "...", "…")
NEGATION = frozenset("not never n't none nobody neither nor refused refuses declined declines".split())
_NO_ONE = re.compile(r"\bno(?:\s+one|body)\b|\bno longer\b", re.I)  # "no confidence" is not a negation
# A time phrase dates the sentence's own event when it is an adverbial ("on Tuesday", "in 2022"), not when it
# names something else ("the 2024 Paris games", "its February 24, 2022 invasion").
_TEMPORAL = (r"on|in|at|since|by|until|till|from|during|before|after|last|this|next|early|late|mid|through|"
             r"around|as of|starting|effective|(?:end|beginning|start|middle) of")
_TEMPORAL_BEFORE = re.compile(rf"\b(?:{_TEMPORAL})\s+(?:the\s+)?$", re.I)
_TEMPORAL_START = re.compile(rf"^(?:{_TEMPORAL})\b", re.I)
_NOUN_AFTER = re.compile(r"^\s*(?:[A-Z][a-z]|(?!and\b|or\b|when\b|as\b|after\b|before\b|while\b|at\b|to\b|"
                         r"for\b|with\b|in\b|on\b|that\b|amid\b|if\b|but\b|the\b|a\b|an\b)[a-z]{3,}\b(?!ly\b))")
_DAY_KINDS = frozenset({"weekday", "relative", "date", "ago"})


@dataclass(frozen=True, slots=True)
class Note:
    """What code knows of one sentence, computed once and read by every later stage."""

    key: Key
    text: str
    words: frozenset[str]
    entities: frozenset[str]  # canonical names, lowercased
    quantities: tuple[Quantity, ...]
    numbers: frozenset[str]  # number tokens as written ("97-1", "12"): strong anchors between outlets
    quotes: tuple[Quote, ...]
    modality: Modality | None
    attributed_to: str | None
    negated: bool
    verb: str | None = None  # the main verb's key ("was set to arrive" and "arrived" -> the same key)
    tense: Modality | None = None  # how the reported action itself is told (inside "X said …"): done, planned…
    time: str | None = None  # ISO date/interval of the sentence's own event, resolved against publication
    time_text: str | None = None
    dated: tuple[tuple[str, str], ...] = ()  # (verb key, ISO date) of each dated action: "broke out on Sunday"
    reportable: bool = True  # False: a sentence that talks to the model, or too short to state a fact

    @property
    def article_id(self) -> str:
        """The article the sentence belongs to."""
        return self.key[0]


@dataclass
class Annotations:
    """The annotated corpus: articles, a Note per sentence, sentence vectors, names and copy roots."""

    articles: dict[str, Article]
    notes: dict[Key, Note]
    vectors: np.ndarray
    rows: dict[Key, int]
    aliases: AliasTable
    roots: dict[str, str]
    keys: list[Key] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    embed: Callable[[list[str]], np.ndarray] | None = field(default=None, repr=False)  # for text the model writes

    def vector(self, key: Key) -> np.ndarray:
        """The unit embedding of one sentence."""
        return self.vectors[self.rows[key]]

    def cosine(self, a: Key, b: Key) -> float:
        """Cosine similarity of two sentences."""
        return float(self.vectors[self.rows[a]] @ self.vectors[self.rows[b]])

    def overlap(self, a: Key, b: Key) -> float:
        """Shared content words, weighted by rarity in the corpus: the story's own words everywhere weigh little."""
        wa, wb = self.notes[a].words, self.notes[b].words
        union = sum(self.idf.get(w, 1.0) for w in wa | wb)
        return sum(self.idf.get(w, 1.0) for w in wa & wb) / union if union else 0.0

    def score(self, a: Key, b: Key) -> float:
        """How likely two sentences state one fact: cosine + 2 x rarity-weighted shared words."""
        return self.cosine(a, b) + 2.0 * self.overlap(a, b)

    def root(self, key: Key) -> str:
        """The original article of the sentence's article (itself unless it is a derivative copy)."""
        return self.roots.get(key[0], key[0])

    def outlet(self, key: Key) -> str:
        """The voice a sentence counts for: its original's outlet (or that article when unnamed)."""
        root = self.articles.get(self.root(key))
        return (root.outlet or root.id).lower() if root else key[0]


def roots(articles: list[Article]) -> dict[str, str]:
    """Each article's original: itself, or the article it was derived from (followed to the end)."""
    parent = {a.id: a.derivative_of for a in articles}
    out = {}
    for a in articles:
        node, seen = a.id, set()
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        out[a.id] = node
    return out


def event_time(text: str, published: date | None, future: bool) -> tuple[str | None, str | None]:
    """The resolved date of the sentence's own event and its phrase, or (None, None)."""
    for expr in find_time_expressions(text):
        if not _dates_the_event(text, expr):
            continue
        value = resolve(expr.text, published, tense=_tense_at(text, expr.start, future))
        if value.value:
            return value.value, expr.text
    return None, None


def _tense_at(text: str, start: int, future: bool) -> Tense:
    """Which way from publication a date written without its year lies: the form of the verb it dates
    ("will be leaving on January 1": ahead; "announced in February": behind), else the sentence's (planned: ahead;
    any past form: behind), else the nearest ("his resignation is effective December 31")."""
    found = _verb_before(text, start)
    if found is not None:
        return found[1]
    if future:
        return "future"
    return "past" if any(_past_form(w) for w in words(text)) else None


_PRESENT = frozenset("am is are has does".split())


def _past_form(w: str) -> bool:
    return w not in _PRESENT and (w in IRREGULAR and IRREGULAR[w] != w or (w.endswith("ed") and len(w) > 4))


def _dates_the_event(text: str, expr: TimeExpr) -> bool:
    """An adverbial time phrase, not a modifier of a noun that follows it."""
    if _NOUN_AFTER.match(text[expr.end:]) and not text[expr.end:].startswith(("'s", "’s")):
        return False
    lead = text[: expr.start]
    return bool(_TEMPORAL_BEFORE.search(lead) or _TEMPORAL_START.match(expr.text)) or expr.kind in _DAY_KINDS


_AUX_AFTER_CUE = frozenset("be been being have has had to not also soon then now still formally officially".split())


def main_verb(text: str, cue: str | None, modality: Modality | None) -> str | None:
    """The key of the verb a modality cue governs: the cue itself when it is the verb, else the next verb."""
    if not cue:
        return None
    if modality != "planned_or_expected":
        return verb_key(fold(cue.split()[-1]))
    at = text.find(cue)
    following = words(text[at + len(cue):]) if at >= 0 else []
    verb = next((w for w in following[:4] if w not in _AUX_AFTER_CUE and w.isalpha()), None)
    return verb_key(verb) if verb else None


_SAID_AFTER = re.compile(r",?\s+(?:(?:the|a|an|his|her|its|their)\s+)?[\w’'.-]+(?:\s+[\w’'.-]+){0,5}\s+"
                         r"(?:said|says|told|reported|announced|confirmed|added|stated)\b[^.]*\.?\s*$", re.I)
_ACCORDING = re.compile(r",?\s+according to [^,.]+[.,]?\s*$", re.I)
_SAID_BEFORE = re.compile(r"^[^,]{0,60}?\b(?:said|says|told \w+|reported|announced|confirmed|tweeted|wrote)\s+"
                         r"(?:(?:on\s+)?(?:\w+day|today|yesterday)\s+)?(?:that\s+)?", re.I)


def reported_clause(text: str) -> str:
    """The reported action without its attribution ("X opened Y, the city said" -> "X opened Y")."""
    inner = _ACCORDING.sub("", _SAID_AFTER.sub("", text))
    if inner == text or len(inner.split()) < 3:  # "President Trump announced Sunday that …" is said before
        inner = _SAID_BEFORE.sub("", text)
    return inner if len(inner.split()) >= 3 else text


_BASE_AFTER = frozenset("will would to 'll ’ll shall".split())
# Words before "to + verb" that make it a plan or an expectation ("plans to leave on Friday"; "is going to").
_INTENT = frozenset("plan plans planning planned intend intends intending aim aims aiming hope hopes hoping want wants "
                    "wanting expect expects expecting prepare prepares preparing going set due scheduled slated poised "
                    "likely about ready able agreed agrees vowed vows promised promises pledged pledges threatened "
                    "threatens decided decides".split())


def _verb_before(text: str, start: int) -> tuple[str, Tense] | None:
    """The verb a time phrase dates (the nearest past form, -ing form after be, or base form after will/to, before
    it in its clause) and which way its form points: past, future, or None ("was leaving", "is effective": either)."""
    clause = re.split(r"[;:—]|,\s+(?:and|but|while|as|which|who)\s", text[:start])[-1]
    tokens = words(clause)[-10:]
    for i in range(len(tokens) - 1, -1, -1):
        w, before = tokens[i], tokens[max(0, i - 3):i]
        going = w.endswith("ing") and i and tokens[i - 1] in ("be", "been", "is", "are", "was", "were")
        if _past_form(w):  # "will be announced on Monday" is ahead
            ahead = i and tokens[i - 1] in ("be", "been") and set(before) & _BASE_AFTER
            return verb_key(w), "future" if ahead else "past"
        if going:
            ahead = tokens[i - 1] in ("is", "are") or bool(set(before) & _BASE_AFTER)
            return verb_key(w), "future" if ahead else None
        if i and tokens[i - 1] in _BASE_AFTER and w.isalpha() and (w not in STOPWORDS or w == "be"):
            # "will be Feb. 28" is ahead; "refused to resign on Thursday" lies the way "refused" does
            if i >= 2 and tokens[i - 1] == "to" and _past_form(tokens[i - 2]):
                passive = tokens[i - 3] if i >= 3 else ""  # "is expected to report": ahead; "was set to": either
                return verb_key(w), "future" if passive in _PRESENT | {"be", "been"} else None if passive in (
                    "was", "were") else "past"
            if tokens[i - 1] == "to" and (i < 2 or tokens[i - 2] not in _INTENT):
                return verb_key(w), None  # "after voting to override Wednesday": a purpose, not a plan
            return verb_key(w), "future"
    return None


def dated_actions(text: str, published: date | None, future: bool) -> tuple[tuple[str, str], ...]:
    """Each (verb, date) the sentence gives: which action each of its adverbial dates belongs to."""
    out = []
    for expr in find_time_expressions(text):
        found = _verb_before(text, expr.start) if _dates_the_event(text, expr) else None
        if found is None:
            continue
        value = resolve(expr.text, published, tense=_tense_at(text, expr.start, future)).value
        if value:
            out.append((found[0], value))
    return tuple(out)


def _number_tokens(text: str, quantities: tuple[Quantity, ...]) -> frozenset[str]:
    """Numbers as written: digit runs with their joiners ("97-1", "1.3", "12")."""
    found = set(re.findall(r"\d+(?:[-–.,:/]\d+)*", text))
    return frozenset(found | {q.text.lower() for q in quantities if any(c.isdigit() for c in q.text)})


def note_for(article: Article, index: int, aliases: AliasTable, refused: dict[int, str] | None = None) -> Note:
    """Parse one sentence; REFUSED holds the article's sentences that talk to the model or the reader."""
    text = article.sentences[index].text
    cue = modality_cues.classify(text)
    inner = modality_cues.classify(reported_clause(text)) if cue.modality == "attributed" else cue
    quantities = tuple(extract_quantities(text))
    # A lone capitalised word opening the sentence ("Survivors said…") is not known to be a name.
    names = frozenset(aliases.canonical(m.text).lower() for m in find_names(text)
                      if m.start > 0 or " " in m.text.strip())
    time, time_text = event_time(text, article.published, inner.modality == "planned_or_expected")
    tokens = words(text)
    refused = unreportable(article) if refused is None else refused
    reportable = len(tokens) >= MIN_WORDS and not text.rstrip().endswith(UNREPORTABLE_ENDS) and index not in refused
    return Note(key=(article.id, index), text=text, words=frozenset(content_words(text)), entities=names,
                quantities=quantities, numbers=_number_tokens(text, quantities), quotes=tuple(find_quotes(text)),
                modality=cue.modality, attributed_to=cue.attributed_to,
                verb=main_verb(text, inner.cue, inner.modality), tense=inner.modality,
                dated=dated_actions(text, article.published, inner.modality == "planned_or_expected"),
                negated=bool(NEGATION & set(t.replace("’", "'") for t in tokens)) or "n't" in text
                or bool(_NO_ONE.search(text)),
                time=time, time_text=time_text, reportable=reportable)


def annotate(articles: list[Article], embed, aliases: AliasTable | None = None) -> Annotations:
    """Notes and embeddings for every sentence of ARTICLES; EMBED maps texts to unit vectors."""
    aliases = aliases or AliasTable.from_texts({a.id: a.text for a in articles})
    refused = {a.id: unreportable(a) for a in articles}
    notes = {(a.id, s.index): note_for(a, s.index, aliases, refused[a.id]) for a in articles for s in a.sentences}
    keys = list(notes)
    vectors = embed([notes[k].text for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)
    return Annotations(articles={a.id: a for a in articles}, notes=notes, vectors=np.asarray(vectors, np.float32),
                       rows={k: i for i, k in enumerate(keys)}, aliases=aliases, roots=roots(articles), keys=keys,
                       idf=idf(list(notes.values())), embed=embed)


def idf(notes: list[Note]) -> dict[str, float]:
    """Inverse sentence frequency of each content word (rarer words say more about which fact)."""
    df = Counter(w for n in notes for w in n.words)
    return {w: math.log((len(notes) + 1) / (c + 0.5)) for w, c in df.items()}
