"""Code checks every proposed claim against its cited sentences: ids, grounding, modality, quotes, time, names."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from agent.analysis.annotate import Note
from agent.text import modality as modality_cues
from agent.text.entities import AliasTable
from agent.text.names import find_names
from agent.text.numbers import extract_quantities
from agent.text.quotes import find_quotes
from agent.text.norm import content_words, stem
from agent.text.timeparse import find_time_expressions, resolve
from agent.types import Article, Claim

GROUNDING_MIN = 0.6  # share of a claim's content words that must appear (stemmed) in its cited sentences
PRONOUNS = frozenset("he she they it his her their its him them this that who".split())


@dataclass
class Rejections:
    """Claims dropped by verification, counted by reason, with a log line for each."""

    counts: Counter = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)

    def reject(self, reason: str, where: str, detail: str) -> None:
        """Record one dropped claim."""
        self.counts[reason] += 1
        self.log.append(f"{where}: dropped ({reason}): {detail}")


def valid_ids(cited: list[int], shown: set[int]) -> list[int]:
    """The cited sentence ids that were actually shown to the model, in order, without repeats."""
    return sorted({i for i in cited if i in shown})


def grounding(claim_text: str, sentences: list[str]) -> float:
    """Share of the claim's content words found in the cited sentences, allowing inflection."""
    words = content_words(claim_text)
    if not words:
        return 0.0
    source = {stem(w) for s in sentences for w in content_words(s)} | {w for s in sentences for w in content_words(s)}
    found = sum(1 for w in words if w in source or stem(w) in source)
    return found / len(words)


def resolve_pronoun(subject: str, article: Article, index: int) -> str | None:
    """The last name mentioned before sentence INDEX, when the subject is only a pronoun."""
    if subject.strip().lower() not in PRONOUNS:
        return None
    for i in range(index - 1, max(-1, index - 4), -1):  # a sentence-initial pronoun points back, not ahead
        names = [m.text for m in find_names(article.sentences[i].text) if " " in m.text]
        if names:
            return names[0]
    return None


def snap_fields(claim: Claim, sentence: str, article: Article, index: int) -> bool:
    """Replace who/did by the sentence's exact words and take the object from the sentence; False if absent."""
    predicate = snap_to_sentence(claim.predicate, sentence)
    subject = claim.subject if claim.subject.strip().lower() in PRONOUNS else snap_to_sentence(claim.subject, sentence)
    if predicate is None or subject is None:
        return False
    if (subject, predicate) != (claim.subject, claim.predicate):
        claim.notes.append(f"who/did snapped to the sentence's words: {claim.subject!r}/{claim.predicate!r}")
    if predicate.lower().startswith(subject.lower() + " "):  # the model repeated the subject in "did"
        predicate = predicate[len(subject):].strip()
    claim.subject, claim.predicate = subject, predicate
    claim.object = rest_of_clause(sentence, predicate)
    return True


def apply_modality(claim: Claim, sentence: str) -> None:
    """Explicit cues in the sentence override the model's modality label."""
    cue = modality_cues.classify(sentence, claim.predicate or None)
    if cue.modality is None:
        return
    if cue.modality != claim.modality:
        claim.notes.append(f"modality {claim.modality} -> {cue.modality} (cue: {cue.cue!r})")
        claim.modality = cue.modality
    if cue.attributed_to and not claim.attributed_to:
        claim.attributed_to = cue.attributed_to


def apply_quote(claim: Claim, sentence: str, note: Note | None = None) -> None:
    """Copy quoted words from the sentence into the claim, with the speaker when the sentence names one."""
    quotes = [q for q in (note.quotes if note else find_quotes(sentence)) if len(q.text.split()) >= 2]
    if not quotes:
        return
    best = max(quotes, key=lambda q: len(content_words(q.text) & content_words(claim.text)) * 100 + len(q.text))
    claim.quote = best.text
    claim.quote_speaker = best.speaker or claim.attributed_to


def apply_time(claim: Claim, sentence: str, article: Article, note: Note | None = None) -> None:
    """The date of the sentence's own event, resolved against the publication date (the phrase kept)."""
    if note is not None and note.modality == claim.modality:
        claim.time, claim.time_text = note.time, note.time_text
        return
    found = find_time_expressions(sentence)
    if not found:
        return
    tense = "future" if claim.modality == "planned_or_expected" else "past"
    value = resolve(found[0].text, article.published, tense=tense)
    claim.time_text = found[0].text
    claim.time = value.value


def apply_entities(claim: Claim, sentence: str, aliases: AliasTable | None, note: Note | None = None) -> None:
    """Canonical names of the people, places and bodies the sentence names; numbers it states."""
    if note is not None:
        claim.entities, claim.numbers = sorted(note.entities), [q.text for q in note.quantities]
        return
    names = [m.text for m in find_names(sentence)]
    canon = [aliases.canonical(n) if aliases else n for n in names]
    claim.entities = list(dict.fromkeys(canon))
    claim.numbers = [q.text for q in extract_quantities(sentence)]


def verify_claim(claim: Claim, article: Article, shown: set[int], aliases: AliasTable | None,
                 rejections: Rejections, note: Note | None = None) -> Claim | None:
    """The claim corrected by code, or None (with the reason recorded) when it cannot stand."""
    where = f"{article.label} {claim.id}"
    ids = valid_ids(claim.sentence_ids, shown)
    if not ids:
        rejections.reject("invalid_sentence_id", where, f"cited {claim.sentence_ids}, shown {sorted(shown)[:12]}")
        return None
    claim.sentence_ids = ids
    if not claim.subject.strip() or not claim.predicate.strip():
        rejections.reject("empty", where, claim.text or "(empty)")
        return None
    sentences = [article.sentences[i].text for i in ids]
    if not snap_fields(claim, sentences[0], article, ids[0]):
        rejections.reject("ungrounded", where, f"{claim.subject!r} / {claim.predicate!r} are not words of S{ids[0]}")
        return None
    score = grounding(claim.text, sentences)
    if score < GROUNDING_MIN:
        rejections.reject("ungrounded", where, f"{claim.text!r} ({score:.0%} of its words in S{ids})")
        return None
    named = resolve_pronoun(claim.subject, article, ids[0])
    if named:
        claim.notes.append(f"subject {claim.subject!r} -> {named!r} (pronoun resolved from the text)")
        claim.subject = named
    text = " ".join(sentences)
    apply_modality(claim, sentences[0])
    one = note if len(ids) == 1 else None  # the annotation covers the first sentence only
    apply_quote(claim, text, one)
    apply_time(claim, text, article, one)
    apply_entities(claim, text, aliases, one)
    return claim


_SPACE = re.compile(r"\s+")
_CLAUSE_END = re.compile(r"[;:—–]|,\s+(?:who|which|where|when|amid|as|while|but|after|before|despite|according|officials|"
                         r"he|she|they|the\s+\w+\s+said)\b|\s(?:amid|in which|according to)\s|[.!?]\s*$|\s\(")
OBJECT_WORDS = 24
SNAP_MIN = 80  # rapidfuzz partial-ratio at which a model's words are taken to be these words of the sentence
_DANGLING = frozenset("to the a an of and in on for with at by from that as or but is was".split())


def snap_to_sentence(phrase: str, sentence: str) -> str | None:
    """The sentence's own words that the model's phrase copies (repairs glued or garbled words); None if absent."""
    phrase = phrase.strip()
    if not phrase:
        return None
    if phrase in sentence:
        return phrase
    hit = fuzz.partial_ratio_alignment(phrase, sentence)
    if hit is None or hit.score < SNAP_MIN:
        return None
    start, end = hit.dest_start, hit.dest_end
    while start > 0 and not sentence[start - 1].isspace():
        start -= 1
    while end < len(sentence) and not sentence[end].isspace():
        end += 1
    return sentence[start:end].strip(" ,;:")


def rest_of_clause(sentence: str, predicate: str) -> str:
    """What follows the predicate in the sentence, to the end of its clause (at most OBJECT_WORDS words)."""
    at = sentence.lower().find(predicate.lower()) if predicate else -1
    if at < 0:
        return ""
    tail = sentence[at + len(predicate):]
    end = _CLAUSE_END.search(tail)
    words = (tail[: end.start()] if end else tail).split()[:OBJECT_WORDS]
    while words and words[-1].lower().strip(",") in _DANGLING:
        words.pop()
    return tidy(" ".join(words).strip("\"“”'"))


def tidy(text: str) -> str:
    """Collapse whitespace and strip stray quotes/punctuation the model leaves at the ends of a field."""
    return _SPACE.sub(" ", text).strip().strip(",;:").strip()
