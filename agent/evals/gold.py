"""The gold data model: the schema of gold.yaml, and the gold resolved to ingested sentence ids."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.types import DivergenceKind, Resolution

SentKey = tuple[str, int]  # (article id, sentence index)
Text = Annotated[str, Field(min_length=1)]


# --- the schema of gold.yaml ---------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ref(_Strict):
    """A source sentence named by its file and a verbatim substring of it (never by index)."""

    file: Text
    quote: Text


class Side(Ref):
    """One side of a gold divergence; sides sharing a `version` are alternative sources of one version."""

    version: str | None = None


class KeyFact(_Strict):
    """A fact the outlets agree on, with its supporting sentences in every article that states it."""

    id: Text
    text: Text
    support: list[Ref] = Field(min_length=1)
    min_outlets: int | None = Field(default=None, ge=1)


class GoldDivergence(_Strict):
    """A planted or known divergence: its kind, its sides and the expected resolution."""

    id: Text
    kind: DivergenceKind
    sides: list[Side] = Field(min_length=1)
    resolution: Resolution
    note: str = ""


class Derivative(_Strict):
    """One article that rewrites another."""

    file: Text
    of: Text


QuestionKind = Literal["answerable", "unanswerable", "comparative", "follow_up"]


class Question(_Strict):
    """A question over the corpus: acceptable short answers and the sentences that support them."""

    id: Text
    q: Text
    answers: list[Text] = Field(default_factory=list)
    support: list[Ref] = Field(default_factory=list)
    kind: QuestionKind = "answerable"
    follows: str | None = None
    unanswerable: bool | None = None
    paraphrase: bool = False  # asked in other words than the articles' (no rare word shared with the answer)

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        if self.unanswerable is None:
            self.unanswerable = self.kind == "unanswerable"
        if self.kind == "unanswerable" and not self.unanswerable:
            raise ValueError("kind is 'unanswerable' but unanswerable is false")
        if not self.unanswerable and not (self.answers and self.support):
            raise ValueError("an answerable question needs `answers` and `support`")
        if self.kind == "follow_up" and not self.follows:
            raise ValueError("a follow_up question needs `follows` (the id of the question it follows)")
        return self


class RubricItem(_Strict):
    """One thing a memo must contain, optionally with sentences it must cite."""

    id: Text
    text: Text
    must_cite: list[Ref] = Field(default_factory=list)


class Gold(_Strict):
    """The whole of gold.yaml."""

    event: Text
    suite: list[Text] = Field(default_factory=list)
    key_facts: list[KeyFact] = Field(default_factory=list)
    divergences: list[GoldDivergence] = Field(default_factory=list)
    derivatives: list[Derivative] = Field(default_factory=list)
    boilerplate: list[Text] = Field(default_factory=list)
    canaries: list[Text] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    memo_rubric: list[RubricItem] = Field(default_factory=list)


class Case(BaseModel):
    """One eval case: its folder, its article files and its validated gold."""

    name: str
    root: Path
    files: list[str]
    gold: Gold

    @property
    def articles_dir(self) -> Path:
        """The folder holding the case's articles."""
        return self.root / "articles"

    @property
    def gold_path(self) -> Path:
        """The case's gold.yaml."""
        return self.root / "gold.yaml"

    def article_paths(self) -> list[Path]:
        """Every article file of the case, in name order."""
        return [self.articles_dir / f for f in self.files]


# --- the gold resolved against ingested articles ------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedRef:
    """A gold reference resolved against an ingested article: the sentence indices its quote overlaps."""

    file: str
    quote: str
    article_id: str
    indices: tuple[int, ...]
    version: str | None = None

    @property
    def keys(self) -> frozenset[SentKey]:
        """The (article id, sentence index) pairs of this reference."""
        return frozenset((self.article_id, i) for i in self.indices)


def _union(refs: tuple[ResolvedRef, ...]) -> frozenset[SentKey]:
    return frozenset().union(*(r.keys for r in refs))


@dataclass(frozen=True)
class ResolvedFact:
    """A gold key fact with its supporting sentences resolved."""

    id: str
    text: str
    support: tuple[ResolvedRef, ...]
    min_outlets: int | None = None

    @property
    def sentences(self) -> frozenset[SentKey]:
        """Every supporting sentence, across articles."""
        return _union(self.support)


@dataclass(frozen=True)
class ResolvedDivergence:
    """A gold divergence with its sides resolved."""

    id: str
    kind: str
    resolution: str
    note: str
    sides: tuple[ResolvedRef, ...]

    def versions(self) -> dict[str, frozenset[SentKey]]:
        """Version label -> its sentences; a side without a label is a version of its own."""
        out: dict[str, frozenset[SentKey]] = {}
        for i, side in enumerate(self.sides):
            label = side.version or f"side{i}"
            out[label] = out.get(label, frozenset()) | side.keys
        return out


@dataclass(frozen=True)
class ResolvedQuestion:
    """A gold question with its supporting sentences resolved."""

    id: str
    q: str
    kind: str
    answers: tuple[str, ...]
    unanswerable: bool
    follows: str | None
    support: tuple[ResolvedRef, ...]
    paraphrase: bool = False

    @property
    def sentences(self) -> frozenset[SentKey]:
        """Every supporting sentence, across articles."""
        return _union(self.support)


@dataclass(frozen=True)
class ResolvedRubricItem:
    """A memo rubric item with the sentences it must cite resolved."""

    id: str
    text: str
    must_cite: tuple[ResolvedRef, ...]


@dataclass(frozen=True)
class ResolvedGold:
    """A case's gold expressed in the ingested articles' ids and sentence indices."""

    case: str
    article_ids: dict[str, str]  # file name -> article id
    facts: tuple[ResolvedFact, ...]
    divergences: tuple[ResolvedDivergence, ...]
    questions: tuple[ResolvedQuestion, ...]
    rubric: tuple[ResolvedRubricItem, ...]
    derivatives: dict[str, str]  # article id -> id of the article it rewrites
    boilerplate: tuple[str, ...]
    canaries: tuple[str, ...]
