"""The eval run record: per-case metrics, failures and cost, with the model, prompts and code that made them."""

from __future__ import annotations

import statistics
import subprocess
from datetime import datetime, timezone

from pydantic import BaseModel, Field

from agent import __version__
from agent.resources import checkout_root
from agent.evals.results import Detail

SCORER_VERSION = 1  # bump when a scorer changes meaning: runs of different versions are not comparable
# The metrics that order cases worst-first and fill the run table (a case's quality is their mean).
HEADLINE = (
    "claims.key_fact_recall",
    "claims.claim_precision",
    "divergences.f1",
    "divergences.resolution_accuracy",
    "citations.citation_validity",
    "citations.support_rate",
    "brief_coverage.key_fact_coverage",
    "qa.qa_accuracy",
)


class CaseResult(BaseModel):
    """One case's scores: flat `scorer.metric` values, counts, failures by scorer, stage errors, cost."""

    case: str
    metrics: dict[str, float] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    failures: dict[str, list[Detail]] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    tokens: float = 0.0
    seconds: float = 0.0

    def quality(self) -> float:
        """Mean of the headline metrics this case has (worst cases sort first by it)."""
        values = [self.metrics[m] for m in HEADLINE if m in self.metrics]
        return sum(values) / len(values) if values else 0.0


class Spread(BaseModel):
    """A metric across cases: mean, min, max, standard deviation, and how many cases had it."""

    mean: float
    low: float
    high: float
    stdev: float
    n: int


def spread(values: list[float]) -> Spread | None:
    """The spread of per-case values (None when no case has the metric)."""
    if not values:
        return None
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return Spread(mean=sum(values) / len(values), low=min(values), high=max(values), stdev=sd, n=len(values))


class EvalRun(BaseModel):
    """A stored eval run: what ran (model, suite, prompts, code) and what each case scored."""

    run_id: str
    created: str
    suite: str
    model: str
    judge_model: str | None = None
    no_cache: bool = False
    code_version: str = ""
    dirty: bool = False
    scorer_version: int = SCORER_VERSION
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    cases: list[CaseResult] = Field(default_factory=list)
    tokens: float = 0.0
    seconds: float = 0.0

    def metric_names(self) -> list[str]:
        """Every metric any case has, sorted."""
        return sorted({m for c in self.cases for m in c.metrics})

    def values(self, metric: str, cases: set[str] | None = None) -> list[float]:
        """Per-case values of a metric (only cases that have it; optionally only the named cases)."""
        return [c.metrics[metric] for c in self.cases
                if metric in c.metrics and (cases is None or c.case in cases)]

    def summary(self, metric: str) -> Spread | None:
        """Mean and spread of one metric over the run's cases."""
        return spread(self.values(metric))

    def case(self, name: str) -> CaseResult | None:
        """The result of one case, if the run has it."""
        return next((c for c in self.cases if c.case == name), None)


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def new_run_id(model: str, when: datetime | None = None) -> str:
    """A sortable, readable run id: UTC time plus the model name made file-safe."""
    when = when or datetime.now(timezone.utc)
    return f"{when:%Y%m%d-%H%M%S}-{model_slug(model)}"


def model_slug(model: str) -> str:
    """A model name made file-safe (`local:qwen2.5-coder-1.5b` -> `local-qwen2.5-coder-1.5b`)."""
    return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in model).strip("-")


def code_version() -> tuple[str, bool]:
    """`git describe --always --dirty` of the checkout (and whether it is dirty), else the package version."""
    root = checkout_root()
    if root is None:
        return __version__, False
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__, False
    return f"{__version__}+{out}", out.endswith("-dirty")
