"""The data model shared by every stage: articles, sentences, claims, facts, divergences, briefs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Modality = Literal["asserted_past", "ongoing", "planned_or_expected", "attributed", "denied", "hedged"]
MODALITIES: tuple[str, ...] = Modality.__args__  # type: ignore[attr-defined]

DivergenceKind = Literal[
    "timing_of_report",
    "quote_altered",
    "wording_drift",
    "name_variant",
    "number_or_date",
    "contradiction",
    "omission",
]
DIVERGENCE_KINDS: tuple[str, ...] = DivergenceKind.__args__  # type: ignore[attr-defined]

# How a divergence resolves: the event happened (an earlier report was written before it), a later report
# changed it (a schedule moved, a figure corrected), the original outlet's version stands over a copy, both
# name the same entity, the wording changed without changing the fact, the outlets genuinely disagree, or
# only some outlets report it.
Resolution = Literal[
    "event_happened", "superseded", "prefer_original", "same_entity", "minor_wording", "disputed", "not_a_conflict"
]
# Where a brief sentence's words come from: a source sentence as written, the model (checked against its
# citations), or a template of ours around source words (counts, labels, dates).
Origin = Literal["source", "model", "template"]
RESOLUTIONS: tuple[str, ...] = Resolution.__args__  # type: ignore[attr-defined]


# --- ingest ---------------------------------------------------------------------
class Sentence(BaseModel):
    """One sentence of an article's cleaned text: `article.text[start:end] == text`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


class RemovedLine(BaseModel):
    """A line dropped from the article at ingest, kept for audit."""

    text: str
    reason: str


class Article(BaseModel):
    """One cleaned article with its metadata, sentences and what was removed."""

    id: str  # content hash of the cleaned text
    path: str
    title: str | None = None
    outlet: str | None = None
    outlet_source: str | None = None  # where the outlet came from (front matter, byline, credit line...)
    byline: str | None = None
    url: str | None = None
    published: date | None = None
    published_source: str | None = None
    text: str
    sentences: list[Sentence] = Field(default_factory=list)
    removed: list[RemovedLine] = Field(default_factory=list)
    derivative_of: str | None = None
    similarity: float | None = None
    raw_sha256: str = ""

    def sentence(self, index: int) -> Sentence:
        """The sentence with this index (IndexError when there is none)."""
        if 0 <= index < len(self.sentences):
            return self.sentences[index]
        raise IndexError(f"article {self.id} has no sentence {index}")

    @property
    def label(self) -> str:
        """A short human name: the outlet, else (the last resort) the file's name, shortened."""
        if self.outlet:
            return self.outlet
        name = self.path.rsplit("/", 1)[-1]
        return name if len(name) <= 16 else name[:12] + "…"

    def ref(self, index: int) -> SentenceRef:
        """The reference to one of this article's sentences (span and text)."""
        s = self.sentence(index)
        return SentenceRef(article_id=self.id, index=s.index, start=s.start, end=s.end, text=s.text)

    def cite(self, index: int) -> Citation:
        """The reader-facing citation of one of this article's sentences (with the outlet's name)."""
        return Citation(**self.ref(index).model_dump(), outlet=self.label)


class Chunk(BaseModel):
    """A run of consecutive sentences of one article that fits a token budget."""

    article_id: str
    index: int
    sentence_ids: list[int]
    tokens: int


# --- extract ---------------------------------------------------------------------
class Claim(BaseModel):
    """One atomic statement an article makes, citing the sentences that state it."""

    id: str
    article_id: str
    sentence_ids: list[int] = Field(min_length=1)
    subject: str
    predicate: str
    object: str = ""
    place: str | None = None
    time_text: str | None = None
    time: str | None = None  # ISO date, or ISO interval "start/end"
    modality: Modality = "asserted_past"
    attributed_to: str | None = None
    quote: str | None = None
    quote_speaker: str | None = None
    numbers: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)  # canonical names (alias table applied)
    notes: list[str] = Field(default_factory=list)  # what verification changed, and why

    @property
    def text(self) -> str:
        """The claim as one plain statement."""
        parts = [self.subject, self.predicate, self.object]
        return " ".join(p for p in parts if p).strip()


# --- compare ----------------------------------------------------------------------
class SentenceRef(BaseModel):
    """A pointer to one source sentence, with its span and text."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


class Citation(SentenceRef):
    """A sentence reference as shown to readers: with the outlet's name."""

    outlet: str | None = None


class FactCluster(BaseModel):
    """Claims from one or more articles that state the same fact."""

    id: str
    text: str
    claim_ids: list[str]
    article_ids: list[str]
    outlets: list[str]
    independent_outlets: int
    sentence_refs: list[SentenceRef]
    modality: Modality = "asserted_past"
    time: str | None = None
    article_modality: dict[str, Modality] = Field(default_factory=dict)  # how each article tells the fact


class DivergenceSide(BaseModel):
    """One version of a divergent fact: who said it and in which sentences."""

    article_id: str
    outlet: str | None
    claim_ids: list[str] = Field(default_factory=list)
    sentence_refs: list[SentenceRef]
    text: str


class Divergence(BaseModel):
    """A place where outlets differ: its kind, the versions, how it resolves, and why."""

    id: str
    kind: DivergenceKind
    cluster_ids: list[str] = Field(default_factory=list)
    sides: list[DivergenceSide]
    resolution: Resolution
    preferred_side: int | None = None  # index into sides of the version that stands, if any
    rationale: str
    confidence: float = Field(ge=0.0, le=1.0)
    decided_by: Literal["rule", "model"] = "rule"
    set_aside: list[int] = Field(default_factory=list)  # sides the resolution supersedes: never stated as current
    detail: str | None = None  # what changed, when code knows it: "accord/pact", or the quotations compared


class Comparison(BaseModel):
    """The result of `compare`: consensus facts, divergences, single-source facts, coverage."""

    facts: list[FactCluster]
    divergences: list[Divergence]
    single_source: list[FactCluster]
    coverage: dict[str, list[str]]


# --- brief ------------------------------------------------------------------------
class CitedSentence(BaseModel):
    """One sentence of a brief and the source sentences that support it."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    support: float | None = None  # content-word overlap with the cited sentences
    flagged: bool = False  # kept, but marked as not fully supported
    origin: Origin = "template"
    note: str | None = None  # our words shown after a source sentence (outlet counts), never part of its text


class BriefSection(BaseModel):
    """A titled section of a brief."""

    title: str
    sentences: list[CitedSentence] = Field(default_factory=list)


class RunRecord(BaseModel):
    """What a run cost and used: model, time, tokens, cache hits, citation-check outcome."""

    model: str
    seconds: float = 0.0
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    model_calls: int = 0
    tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    unsupported_removed: int = 0
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    model_checks: dict[str, int] = Field(default_factory=dict)  # comparison questions asked, controls failed


class Brief(BaseModel):
    """A finished brief: sections of cited sentences, the divergences, the sources and the run."""

    title: str
    template: str = "brief"
    sections: list[BriefSection]
    divergences: list[Divergence] = Field(default_factory=list)
    sources: list[dict] = Field(default_factory=list)
    run: RunRecord
