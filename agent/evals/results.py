"""What scorers return, and the helpers that read the stages' JSON defensively."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from agent.evals.gold import SentKey
from agent.types import Article


class Detail(BaseModel):
    """One gold or predicted item: whether it passed, and why not."""

    item: str
    ok: bool
    why: str = ""
    score: float | None = None


class ScoreResult(BaseModel):
    """What a scorer found: metric values, the counts behind them, per-item details and input errors."""

    scorer: str
    values: dict[str, float] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    details: list[Detail] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)

    def failures(self, limit: int | None = None) -> list[Detail]:
        """The failed items, lowest score first (the worst cases for a report)."""
        failed = sorted((d for d in self.details if not d.ok), key=lambda d: (d.score is None, d.score or 0.0))
        return failed[:limit] if limit is not None else failed

    def invalid(self, message: str) -> None:
        """Record one malformed or missing prediction (counted, never skipped)."""
        self.errors.append(message)
        self.counts["invalid"] = self.counts.get("invalid", 0) + 1


def ratio(num: int, den: int, empty: float) -> float:
    """num/den, or `empty` when there is nothing to divide by."""
    return num / den if den else empty


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def items_of(prediction: Any, key: str, result: ScoreResult) -> list:
    """The list under `key` of a prediction dict; a missing or malformed prediction is counted as invalid."""
    if not isinstance(prediction, Mapping):
        result.invalid(f"prediction missing or not a JSON object (got {type(prediction).__name__})")
        return []
    items = prediction.get(key)
    if not isinstance(items, list):
        result.invalid(f"prediction has no list {key!r}")
        return []
    return items


def sentence_at(articles: Mapping[str, Article], article_id: Any, index: Any):
    """The cited sentence, or None when the article or index does not exist."""
    article = articles.get(article_id) if isinstance(article_id, str) else None
    if article is None or not isinstance(index, int) or isinstance(index, bool):
        return None
    return article.sentences[index] if 0 <= index < len(article.sentences) else None


def valid_span(ref: Any, articles: Mapping[str, Article]) -> bool:
    """A citation or sentence ref is valid when its span of the stored article is exactly its text."""
    if not isinstance(ref, Mapping):
        return False
    article = articles.get(ref.get("article_id")) if isinstance(ref.get("article_id"), str) else None
    start, end, text = ref.get("start"), ref.get("end"), ref.get("text")
    if article is None or not all(isinstance(v, int) for v in (start, end)) or not isinstance(text, str):
        return False
    return 0 <= start < end <= len(article.text) and article.text[start:end] == text


def ref_keys(refs: Any) -> set[SentKey]:
    """(article id, index) pairs of a list of sentence refs; malformed entries are ignored here."""
    out: set[SentKey] = set()
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, Mapping) and isinstance(ref.get("article_id"), str) and isinstance(ref.get("index"), int):
            out.add((ref["article_id"], ref["index"]))
    return out


def max_matching(n_left: int, n_right: int, ok: Callable[[int, int], bool]) -> dict[int, int]:
    """A maximum one-to-one matching left -> right over the pairs `ok` allows (augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in range(n_right):
            if right not in seen and ok(left, right):
                seen.add(right)
                if right not in owner or augment(owner[right], seen):
                    owner[right] = left
                    return True
        return False

    for left in range(n_left):
        augment(left, set())
    return {left: right for right, left in owner.items()}


def get_or(obj: Any, key: str) -> Any:
    """obj[key] when obj is a mapping that has it, else "?" (for labels of malformed items)."""
    return obj.get(key, "?") if isinstance(obj, Mapping) else "?"
