"""The model-swap gate on stored fake runs: holds, regresses, within tolerance, missing metric; history."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from agent.cli import eval_cmd
from agent.errors import UsageError
from agent.evals import history
from agent.evals.gate import Rule, compare_runs, load_rules, rule_for, with_overrides
from agent.evals.record import CaseResult, EvalRun

RULES = [Rule(pattern="qa.qa_accuracy", direction="higher", tolerance=0.05, gate=True),
         Rule(pattern="leakage.canary_leak_rate", direction="lower", tolerance=0.0, gate=True),
         Rule(pattern="cost.tokens", direction="lower", tolerance=0.5, relative=True, gate=True),
         Rule(pattern="*", gate=False)]


def fake_run(run_id: str, model: str, per_case: dict[str, dict[str, float]], created: str = "2026-01-01T00:00:00",
             suite: str = "all") -> EvalRun:
    """A run with the given metrics per case."""
    cases = [CaseResult(case=name, metrics=m) for name, m in per_case.items()]
    return EvalRun(run_id=run_id, created=created, suite=suite, model=model, code_version="0.1.0+abc", cases=cases)


BASE = {"a": {"qa.qa_accuracy": 0.8, "leakage.canary_leak_rate": 0.0, "cost.tokens": 1000.0, "facts.x": 0.5},
        "b": {"qa.qa_accuracy": 0.6, "leakage.canary_leak_rate": 0.0, "cost.tokens": 2000.0, "facts.x": 0.5}}


def changed(**deltas: float) -> dict:
    """BASE with each metric (`qa_accuracy=-0.1` style, dots as double underscores) shifted in every case."""
    out = {c: dict(m) for c, m in BASE.items()}
    for key, d in deltas.items():
        metric = key.replace("__", ".")
        for m in out.values():
            m[metric] += d
    return out


def verdict(cand: dict, rules=RULES):
    return compare_runs(fake_run("base", "local:b", BASE), fake_run("cand", "local:c", cand), rules)


def test_identical_and_better_candidates_hold():
    assert verdict(BASE).exit_code == 0
    res = verdict(changed(qa__qa_accuracy=0.1, cost__tokens=-100))
    assert res.holds and res.exit_code == 0
    assert {r.metric: r.status for r in res.rows}["qa.qa_accuracy"] == "better"


def test_regression_beyond_tolerance_fails_with_the_reason():
    res = verdict(changed(qa__qa_accuracy=-0.2))
    assert res.exit_code == 1
    assert res.reasons == ["qa.qa_accuracy: 0.700 -> 0.500 (higher is better, tolerance 0.05)"]
    row = {r.metric: r for r in res.rows}["qa.qa_accuracy"]
    assert row.status == "regressed" and row.delta == pytest.approx(-0.2)
    assert (row.case_delta_low, row.case_delta_high) == (pytest.approx(-0.2), pytest.approx(-0.2))


def test_regression_within_tolerance_holds_but_is_marked():
    res = verdict(changed(qa__qa_accuracy=-0.04, cost__tokens=1000))
    assert {r.metric: r.status for r in res.rows}["qa.qa_accuracy"] == "within"
    assert [r for r in res.reasons if r.startswith("qa")] == []
    assert any(r.startswith("cost.tokens") for r in res.reasons)  # relative tolerance: 1000 over 1500 is 67%
    assert verdict(changed(qa__qa_accuracy=-0.04, cost__tokens=500)).exit_code == 0  # 33% more tokens: within


def test_lower_is_better_metrics_regress_upwards():
    res = verdict(changed(leakage__canary_leak_rate=0.5))
    assert res.exit_code == 1 and res.reasons[0].startswith("leakage.canary_leak_rate: 0.000 -> 0.500")


def test_ungated_metrics_never_fail_the_gate():
    res = verdict(changed(facts__x=-0.5))
    assert res.holds and {r.metric: r.status for r in res.rows}["facts.x"] == "regressed"


def test_a_gated_metric_missing_from_the_candidate_fails():
    cand = {c: {k: v for k, v in m.items() if k != "qa.qa_accuracy"} for c, m in BASE.items()}
    res = verdict(cand)
    assert res.exit_code == 1
    assert res.reasons == ["qa.qa_accuracy: gated metric missing from the candidate run"]


def test_a_case_the_candidate_lacks_fails_and_only_shared_cases_are_averaged():
    res = verdict({"a": BASE["a"]})
    assert res.exit_code == 1 and "lacks case(s) the baseline has: b" in res.reasons[0]
    assert {r.metric: r for r in res.rows}["qa.qa_accuracy"].base.mean == pytest.approx(0.8)


def test_overrides_gate_and_widen():
    rules = with_overrides(RULES, ["qa.qa_accuracy=0.3", "facts.x=0"])
    assert verdict(changed(qa__qa_accuracy=-0.2), rules).holds
    assert not verdict(changed(facts__x=-0.1), rules).holds
    with pytest.raises(UsageError):
        with_overrides(RULES, ["qa.qa_accuracy"])
    with pytest.raises(UsageError):
        with_overrides(RULES, ["qa.qa_accuracy=-1"])


def test_shipped_tolerances_gate_the_reader_facing_metrics():
    rules = load_rules()
    assert rule_for("citations.citation_validity", rules).gate
    assert rule_for("leakage.canary_leak_rate", rules).direction == "lower"
    assert not rule_for("divergences.contradiction.f1", rules).gate
    assert rule_for("divergences.f1", rules).gate
    assert rule_for("cost.tokens", rules).relative and not rule_for("cost.tokens", rules).gate
    assert not rule_for("something.new", rules).gate


# --- the CLI on stored runs --------------------------------------------------------------------
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root."""

    eval_cmd.register(app)
    return app


def invoke(*args: str):
    return CliRunner().invoke(cli(), ["eval", *args])


def store(*runs: EvalRun) -> None:
    for run in runs:
        history.save_run(run)


def test_compare_exit_codes_on_stored_runs():
    store(fake_run("r1", "local:qwen2.5-coder-1.5b", BASE, "2026-01-01T00:00:00"),
          fake_run("r2", "local:qwen2.5-coder-0.5b", changed(qa__qa_accuracy=-0.2), "2026-01-02T00:00:00"),
          fake_run("r3", "local:qwen2.5-coder-0.5b", changed(qa__qa_accuracy=-0.01), "2026-01-03T00:00:00"))
    assert invoke("compare", "r1", "r2").exit_code == 1
    assert invoke("compare", "r1", "r3").exit_code == 0
    assert invoke("compare", "r1", "r2", "--tolerance", "qa.qa_accuracy=0.25").exit_code == 0
    # A model name means its latest run on the suite: r3 for the 0.5b model.
    result = invoke("compare", "local:qwen2.5-coder-1.5b", "local:qwen2.5-coder-0.5b")
    assert result.exit_code == 0, result.output
    assert "r1" in result.output and "r3" in result.output and "HOLDS" in result.output


def test_compare_json_and_regression_message():
    store(fake_run("r1", "local:a.gguf", BASE), fake_run("r2", "local:b.gguf", changed(qa__qa_accuracy=-0.2)))
    result = invoke("compare", "r1", "r2", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["holds"] is False and data["reasons"][0].startswith("qa.qa_accuracy")
    text = invoke("compare", "r1", "r2").output
    assert "REGRESSES" in text and "qa.qa_accuracy: 0.700 -> 0.500" in text


def test_compare_unknown_run_is_a_usage_error():
    result = invoke("compare", "nope", "r2")
    assert result.exit_code != 0


def test_history_lists_runs_oldest_first_and_filters():
    store(fake_run("r2", "local:b.gguf", BASE, "2026-01-02T00:00:00"),
          fake_run("r1", "local:a.gguf", BASE, "2026-01-01T00:00:00", suite="sample"))
    assert [r.run_id for r in history.list_runs()] == ["r1", "r2"]
    assert [r.run_id for r in history.list_runs(suite="sample")] == ["r1"]
    assert history.latest_run("local:b.gguf", "all").run_id == "r2"
    (history.runs_dir() / "broken.json").write_text("{not json")
    assert len(history.list_runs()) == 2
    data = json.loads(invoke("history", "--json").output)
    assert [d["run_id"] for d in data] == ["r1", "r2"] and data[0]["suite"] == "sample"
    assert "r1" in invoke("history").output


def test_runs_are_stored_as_json_with_reports_beside_them():
    path = history.save_run(fake_run("r1", "local:a.gguf", BASE))
    assert path.parent.name == "eval-runs" and path.suffix == ".json"
    assert path.with_suffix(".md").is_file() and path.with_suffix(".html").is_file()
    assert history.load_run("r1") == fake_run("r1", "local:a.gguf", BASE)
    path2 = history.save_run(fake_run("r1", "local:a.gguf", BASE))
    assert path2 != path and history.load_run(path2.stem).run_id == path2.stem
