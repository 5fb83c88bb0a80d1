"""The model-swap gate: a candidate run against a baseline, metric by metric, with tolerances from evals/."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ValidationError

from agent.errors import BadInput, UsageError
from agent.evals.record import EvalRun, Spread, spread
from agent.resources import evals_dir

TOLERANCES_PATH = evals_dir() / "tolerances.yaml"
EPS = 1e-9  # float noise is not a regression
Status = Literal["better", "same", "within", "regressed", "missing", "new"]


class Rule(BaseModel):
    """How one metric (or pattern of metrics) is judged: better direction, tolerance, gated or not."""

    pattern: str
    direction: Literal["higher", "lower"] = "higher"
    tolerance: float = 0.0
    relative: bool = False
    gate: bool = False


class Row(BaseModel):
    """One metric side by side: both runs' spread over the shared cases, the delta, and its status."""

    metric: str
    rule: Rule
    base: Spread | None
    cand: Spread | None
    delta: float | None = None
    case_delta_low: float | None = None  # smallest and largest per-case change: noise made visible
    case_delta_high: float | None = None
    status: Status = "same"

    @property
    def fails(self) -> bool:
        """True when this row stops the swap."""
        return self.rule.gate and self.status in ("regressed", "missing")


class GateResult(BaseModel):
    """The comparison: rows, the cases compared, and the verdict with its reasons."""

    baseline: str
    candidate: str
    rows: list[Row]
    cases: list[str]
    reasons: list[str]
    warnings: list[str]

    @property
    def holds(self) -> bool:
        """True when no gated metric regressed beyond tolerance and nothing else failed."""
        return not self.reasons

    @property
    def exit_code(self) -> int:
        """0 when the candidate holds, 1 when it does not."""
        return 0 if self.holds else 1


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rules of a tolerances file, in order (first matching pattern wins)."""
    path = path or TOLERANCES_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        metrics = data.get("metrics") or {}
        return [Rule(pattern=str(k), **(v or {})) for k, v in metrics.items()]
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValidationError) as exc:
        raise BadInput(str(path), f"not a valid tolerances file: {exc}".replace("\n", " ")) from None


def rule_for(metric: str, rules: list[Rule]) -> Rule:
    """The first rule whose pattern matches the metric (ungated, higher-is-better when none does)."""
    return next((r for r in rules if fnmatchcase(metric, r.pattern)), Rule(pattern="*"))


def with_overrides(rules: list[Rule], overrides: list[str]) -> list[Rule]:
    """Rules with `metric=value` tolerances from the command line put first (each one gated)."""
    extra = []
    for item in overrides:
        metric, sep, value = item.partition("=")
        try:
            tolerance = float(value)
        except ValueError:
            tolerance = -1.0
        if not sep or not metric.strip() or tolerance < 0:
            raise UsageError(f"--tolerance {item!r}: expected METRIC=VALUE with VALUE >= 0, e.g. qa.qa_accuracy=0.1")
        base = rule_for(metric.strip(), rules)
        extra.append(base.model_copy(update={"pattern": metric.strip(), "tolerance": tolerance, "gate": True}))
    return extra + rules


def _status(rule: Rule, base: Spread, cand: Spread) -> Status:
    """Better, same, within tolerance, or regressed beyond it."""
    worse = (base.mean - cand.mean) if rule.direction == "higher" else (cand.mean - base.mean)
    allowed = rule.tolerance * abs(base.mean) if rule.relative else rule.tolerance
    if worse > allowed + EPS:
        return "regressed"
    return "within" if worse > EPS else "better" if worse < -EPS else "same"


def compare_metric(metric: str, rule: Rule, base: EvalRun, cand: EvalRun, cases: set[str]) -> Row | None:
    """One metric over the shared cases (None when neither run has it)."""
    b, c = spread(base.values(metric, cases)), spread(cand.values(metric, cases))
    if b is None and c is None:
        return None
    row = Row(metric=metric, rule=rule, base=b, cand=c)
    if b is None or c is None:
        row.status = "missing" if c is None else "new"
        return row
    deltas = [cr.metrics[metric] - br.metrics[metric] for name in sorted(cases)
              if (br := base.case(name)) and (cr := cand.case(name)) and metric in br.metrics and metric in cr.metrics]
    row.delta = c.mean - b.mean
    row.case_delta_low, row.case_delta_high = (min(deltas), max(deltas)) if deltas else (None, None)
    row.status = _status(rule, b, c)
    return row


def _case_problems(base: EvalRun, cand: EvalRun) -> tuple[list[str], list[str]]:
    """Reasons (a case the candidate lacks, scorers that changed meaning) and warnings about the pairing."""
    reasons, warnings = [], []
    names_b, names_c = {c.case for c in base.cases}, {c.case for c in cand.cases}
    if names_b - names_c:
        reasons.append(f"candidate run lacks case(s) the baseline has: {', '.join(sorted(names_b - names_c))}")
    if names_c - names_b:
        warnings.append(f"case(s) only in the candidate, not compared: {', '.join(sorted(names_c - names_b))}")
    if base.scorer_version != cand.scorer_version:
        reasons.append(f"scorer versions differ ({base.scorer_version} vs {cand.scorer_version}): re-run both")
    if base.suite != cand.suite:
        warnings.append(f"different suites: {base.suite} vs {cand.suite}")
    for label, run in (("baseline", base), ("candidate", cand)):
        if run.dirty:
            warnings.append(f"{label} ran on uncommitted code ({run.code_version})")
    if base.code_version != cand.code_version:
        warnings.append(f"code versions differ: {base.code_version} vs {cand.code_version}")
    return reasons, warnings


def compare_runs(base: EvalRun, cand: EvalRun, rules: list[Rule]) -> GateResult:
    """Every metric of either run side by side over the shared cases, and whether the candidate holds."""
    reasons, warnings = _case_problems(base, cand)
    shared = {c.case for c in base.cases} & {c.case for c in cand.cases}
    rows = []
    for metric in sorted(set(base.metric_names()) | set(cand.metric_names())):
        row = compare_metric(metric, rule_for(metric, rules), base, cand, shared)
        if row is not None:
            rows.append(row)
    for row in rows:
        if row.fails and row.status == "missing":
            reasons.append(f"{row.metric}: gated metric missing from the candidate run")
        elif row.fails:
            reasons.append(f"{row.metric}: {row.base.mean:.3f} -> {row.cand.mean:.3f} "
                           f"({row.rule.direction} is better, tolerance {_tolerance(row.rule)})")
    return GateResult(baseline=base.run_id, candidate=cand.run_id, rows=rows, cases=sorted(shared),
                      reasons=reasons, warnings=warnings)


def _tolerance(rule: Rule) -> str:
    return f"{rule.tolerance:.0%} of baseline" if rule.relative else f"{rule.tolerance:g}"


def tolerance_text(rule: Rule) -> str:
    """A rule's tolerance as shown in the comparison table."""
    return _tolerance(rule) if rule.gate else "-"
