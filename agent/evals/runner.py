"""The eval harness: cases × a predictor (the stages' outputs) × the deterministic scorers → one EvalRun."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from agent.evals.predictions import Predictions
from agent.evals.registry import Scoring, run_scorers
from agent.evals.cases import Case, CaseError, resolve_refs
from agent.evals.gold import ResolvedGold
from agent.evals.record import HEADLINE, CaseResult, EvalRun, code_version, new_run_id, now_iso
from agent.evals.results import ScoreResult

FAILURES_KEPT = 30  # per scorer and case: enough for a report, small enough to keep run files readable


Predictor = Callable[[Case], Predictions]
Judge = Callable[[Case, Predictions, ResolvedGold], ScoreResult]


def _merge(result: CaseResult, score: ScoreResult) -> None:
    """Fold one scorer's values, counts, worst failures and input errors into the case result."""
    result.metrics.update({f"{score.scorer}.{k}": v for k, v in score.values.items()})
    result.counts.update({f"{score.scorer}.{k}": v for k, v in score.counts.items()})
    failed = score.failures()
    # Missed gold items carry no score and would sort last; keep them apart so a cap never drops them.
    result.failures[score.scorer] = ([d for d in failed if d.score is None][:FAILURES_KEPT]
                                     + [d for d in failed if d.score is not None][:FAILURES_KEPT])
    result.errors.extend(f"{score.scorer}: {e}" for e in score.errors[:10])
    if len(score.errors) > 10:
        result.errors.append(f"{score.scorer}: ... and {len(score.errors) - 10} more")


def unscorable(case: str, errors: list[str]) -> CaseResult:
    """A case whose gold could not be resolved: every headline metric is 0, and it says why."""
    metrics = {m: 0.0 for m in HEADLINE} | {"errors.unscorable": 1.0, "errors.stages": float(len(errors))}
    return CaseResult(case=case, metrics=metrics, errors=errors)


def _failed_chunks(extract: Any) -> list[str]:
    """The chunks extraction gave up on (model answers that stayed invalid), from its summary."""
    summary = extract.get("summary") if isinstance(extract, dict) else None
    failed = summary.get("failed_chunks") if isinstance(summary, dict) else None
    return [str(c) for c in failed] if isinstance(failed, list) else []


def score_case(case: Case, preds: Predictions, judge: Judge | None = None,
               scorers: list[str] | None = None) -> CaseResult:
    """Score one case's predictions with the named scorers (default: all) and the judge; failures counted."""
    try:
        gold = resolve_refs(case, preds.articles)
    except CaseError as exc:
        return unscorable(case.name, preds.errors + [f"gold not resolvable against the ingested articles: {exc}"])
    result = CaseResult(case=case.name, errors=list(preds.errors))
    for score in run_scorers(Scoring(preds, gold), scorers) + ([judge(case, preds, gold)] if judge else []):
        _merge(result, score)
    invalid = sum(v for k, v in result.counts.items() if k.endswith(".invalid"))
    failed_chunks = _failed_chunks(preds.extract)
    result.errors.extend(f"extract: chunk failed: {c}" for c in failed_chunks[:10])
    result.metrics.update({"errors.stages": float(len(preds.errors)), "errors.invalid": float(invalid),
                           "errors.failed_chunks": float(len(failed_chunks)), "errors.unscorable": 0.0})
    for key in ("calls", "cache_hits"):
        result.counts[f"cost.{key}"] = int(sum(c.get(key, 0) for c in preds.costs.values()))
    result.tokens = result.metrics.get("cost.tokens", 0.0)
    result.seconds = result.metrics.get("cost.seconds", 0.0)
    return result


def predict_safely(predict: Predictor, case: Case) -> Predictions:
    """Run the predictor; a crash becomes a recorded error and empty predictions (scored as nothing found)."""
    try:
        return predict(case)
    except Exception as exc:  # one broken case must not hide the others' numbers
        return Predictions(errors=[f"predictor crashed: {type(exc).__name__}: {exc}"])


def run_cases(cases: list[Case], predict: Predictor, *, model: str, suite: str, judge: Judge | None = None,
              scorers: list[str] | None = None,
              judge_model: str | None = None, no_cache: bool = False,
              progress: Callable[[str, CaseResult], None] | None = None) -> EvalRun:
    """Predict and score every case; the run carries model, prompts, code version, per-case metrics and cost."""
    version, dirty = code_version()
    run = EvalRun(run_id=new_run_id(model), created=now_iso(), suite=suite, model=model, judge_model=judge_model,
                  no_cache=no_cache, code_version=version, dirty=dirty)
    for case in cases:
        start = time.perf_counter()
        preds = predict_safely(predict, case)
        wall = time.perf_counter() - start
        result = score_case(case, preds, judge, scorers)
        result.seconds = round(max(result.seconds, wall), 3)
        run.prompt_hashes.update(preds.prompt_hashes)
        run.cases.append(result)
        if progress:
            progress(case.name, result)
    run.tokens = sum(c.tokens for c in run.cases)
    run.seconds = round(sum(c.seconds for c in run.cases), 3)
    return run


def replay_predictor(stored: dict[str, Predictions]) -> Predictor:
    """A predictor that returns stored predictions by case name (for tests and re-scoring saved outputs)."""

    def predict(case: Case) -> Predictions:
        if case.name not in stored:
            raise KeyError(f"no stored predictions for case {case.name!r}")
        return stored[case.name]

    return predict
