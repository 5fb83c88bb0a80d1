"""Scorers as one protocol with a registry: a suite or a run picks them by name (inspect_ai's scorer model)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from agent.errors import UsageError
from agent.evals import scorers as s
from agent.evals.gold import ResolvedGold
from agent.evals.predictions import Predictions
from agent.evals.results import ScoreResult
from agent.types import Article


@dataclass(frozen=True)
class Scoring:
    """What every scorer reads: one case's predictions and its resolved gold."""

    preds: Predictions
    gold: ResolvedGold

    @cached_property
    def articles(self) -> Mapping[str, Article]:
        """The ingested articles by id."""
        return {a.id: a for a in self.preds.articles.values()}

    def outputs(self) -> dict[str, object]:
        """Every generated output, for scorers that scan them all (leakage)."""
        out = {"extract": self.preds.extract, "compare": self.preds.compare, "brief": self.preds.brief,
               "answers": self.preds.answers}
        return out | ({"memo": self.preds.memo} if self.gold.rubric else {})


class Scorer(Protocol):
    """A scorer: one case in, one ScoreResult out (None when it does not apply to the case)."""

    def __call__(self, case: Scoring, /) -> ScoreResult | None: ...


SCORERS: dict[str, Scorer] = {}


def scorer(name: str) -> Callable[[Scorer], Scorer]:
    """Register a scorer under NAME (the prefix of its metrics)."""
    def add(fn: Scorer) -> Scorer:
        SCORERS[name] = fn
        return fn
    return add


scorer("claims")(lambda c: s.score_claims(c.preds.extract, c.gold, c.articles))
scorer("facts")(lambda c: s.score_facts(c.preds.compare, c.gold))
scorer("divergences")(lambda c: s.score_divergences(c.preds.compare, c.gold))
scorer("citations")(lambda c: s.score_citations(c.preds.brief, c.articles))
scorer("brief_coverage")(lambda c: s.score_brief_coverage(c.preds.brief, c.gold, c.articles))
scorer("qa")(lambda c: s.score_qa(c.preds.answers, c.gold, c.articles))
scorer("derivatives")(lambda c: s.score_derivatives(c.articles.values(), c.gold))
scorer("cost")(lambda c: s.score_cost(c.preds.costs))
scorer("rubric")(lambda c: s.score_rubric(c.preds.memo, c.gold, c.articles) if c.gold.rubric else None)
scorer("leakage")(lambda c: s.score_leakage(c.outputs(), c.gold, c.articles.values()))


def pick(names: list[str] | None) -> list[Scorer]:
    """The named scorers in registry order (all of them when NAMES is empty); an unknown name is a usage error."""
    if not names:
        return list(SCORERS.values())
    unknown = [n for n in names if n not in SCORERS]
    if unknown:
        raise UsageError(f"unknown scorer {unknown[0]!r}; known: {', '.join(SCORERS)}")
    return [fn for name, fn in SCORERS.items() if name in names]


def run_scorers(case: Scoring, names: list[str] | None = None) -> list[ScoreResult]:
    """Every picked scorer's result for one case (scorers that do not apply are left out)."""
    return [r for r in (fn(case) for fn in pick(names)) if r is not None]
