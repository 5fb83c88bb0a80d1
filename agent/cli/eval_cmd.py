"""`newsagent eval run|compare|history|report`: the eval suites and the model-swap gate."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from agent import config
from agent.evals import history
from agent.evals.gate import GateResult, compare_runs, load_rules, tolerance_text, with_overrides
from agent.evals.record import HEADLINE, CaseResult, EvalRun
from agent.cli.common import MODEL_HELP, CompareMode, apply_mode, err, mode_option, out
from agent.cli.events_cmd import eval_events

eval_app = typer.Typer(help="Eval suites: run a model over the cases, compare two runs, gate a model swap.",
                       no_args_is_help=True)
SHORT = {m: m.split(".", 1)[1].replace("_", " ") for m in HEADLINE}
STATUS_STYLE = {"better": "green", "same": "", "within": "yellow", "regressed": "bold red", "missing": "bold red",
                "new": "cyan"}


def execute(model: str, suite: str, *, no_cache: bool = False, judge_model: Optional[str] = None,
            scorers: Optional[list[str]] = None) -> EvalRun:
    """Run SUITE with MODEL through the real pipeline, store the run and its reports, and return it."""
    from agent.evals.cases import load_suite
    from agent.evals.runner import run_cases

    from agent.evals.live import pipeline_predictor
    from agent.evals.registry import pick

    cases = load_suite(suite)
    pick(scorers)  # an unknown scorer name fails before any model call
    predict = pipeline_predictor(model, no_cache=no_cache, progress=_stage_progress)
    judge = None
    if judge_model:
        from agent.evals.judge import llm_judge

        judge = llm_judge(_canonical(judge_model))
    err.print(f"eval: {len(cases)} case(s) of suite {suite!r} with {model}" + (" (no cache)" if no_cache else ""))
    label = model if config.compare_mode() == "model" else f"{model} (rules)"  # a rules run is not the model's
    run = run_cases(cases, predict, model=label, suite=suite, judge=judge, judge_model=judge_model,
                    scorers=scorers, no_cache=no_cache, progress=_progress)
    path = history.save_run(run)
    err.print(f"stored run {run.run_id}: {path} (report: {path.with_suffix('.md')}, {path.with_suffix('.html')})")
    return run


def _stage_progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 5 == 0:
        err.print(f"    {stage} {done}/{total}", highlight=False)


def _progress(name: str, result: CaseResult) -> None:
    errors = f", [red]{len(result.errors)} error(s)[/red]" if result.errors else ""
    err.print(f"  {escape(name)}: quality {result.quality():.2f}, {result.tokens:,.0f} tokens, "
              f"{result.seconds:.1f}s{errors}", highlight=False)


def _canonical(model: str) -> str:
    from agent.llm import resolve_model

    return resolve_model(model).name


def run_table(run: EvalRun) -> Table:
    """Per-case headline metrics, errors, tokens and seconds, then the means."""
    metrics = [m for m in HEADLINE if any(m in c.metrics for c in run.cases)]
    table = Table("case", *[SHORT[m] for m in metrics], "errors", "tokens", "seconds",
                  title=f"eval {run.run_id} ({run.model}, suite {run.suite})")
    for c in sorted(run.cases, key=lambda c: c.case):
        cells = [f"{c.metrics[m]:.2f}" if m in c.metrics else "-" for m in metrics]
        table.add_row(escape(c.case), *cells, str(len(c.errors)), f"{c.tokens:,.0f}", f"{c.seconds:.1f}")
    means = [f"{s.mean:.2f}" if (s := run.summary(m)) else "-" for m in metrics]
    table.add_section()
    table.add_row("[bold]mean[/bold]", *means, str(sum(len(c.errors) for c in run.cases)), f"{run.tokens:,.0f}",
                  f"{run.seconds:.1f}")
    return table


@eval_app.command("run")
def run_cmd(
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    suite: str = typer.Option("all", "--suite", help="Suite: sample, synthetic, all, or your own."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Call the model fresh (measure tokens and time)."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Also judge brief support with this model."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored run as JSON."),
    scorer: Optional[list[str]] = typer.Option(None, "--scorer", help="Only these scorers (repeatable; default: all)."),
    mode: Optional[CompareMode] = mode_option(),
) -> None:
    """Run every case of a suite through the pipeline, score it, store the run and print a table."""
    apply_mode(mode)
    run = execute(_canonical(model or config.default_model_name()), suite, no_cache=no_cache, judge_model=judge_model,
                  scorers=scorer)
    if as_json:
        print(run.model_dump_json(indent=1))
    else:
        out.print(run_table(run))


def resolve_run(ref: str, suite: str, *, no_cache: bool = False) -> EvalRun:
    """A run id (or prefix), else a model: its latest stored run on SUITE, running the suite if it has none."""
    if history.is_run_id(ref):
        return history.load_run(ref)
    model = _canonical(ref)
    run = history.latest_run(model, suite)
    if run is None:
        err.print(f"no stored run of {model} on suite {suite!r}: running it now")
        run = execute(model, suite, no_cache=no_cache)
    return run


def _cell(value: float | None, spread: tuple[float, float] | None = None) -> str:
    if value is None:
        return "-"
    text = f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return text if spread is None else f"{text} [{spread[0]:.2f}..{spread[1]:.2f}]"


def gate_table(result: GateResult, show_all: bool) -> Table:
    """Metric means side by side with per-case spread, the delta, its per-case range, tolerance and status."""
    table = Table("metric", "baseline mean [min..max]", "candidate mean [min..max]", "delta",
                  "per-case delta", "tolerance", "status", title=f"{result.baseline}  vs  {result.candidate}")
    for row in result.rows:
        if not (show_all or row.rule.gate or row.status in ("regressed", "missing")):
            continue
        b = _cell(row.base.mean, (row.base.low, row.base.high)) if row.base else "-"
        c = _cell(row.cand.mean, (row.cand.low, row.cand.high)) if row.cand else "-"
        d = f"{row.delta:+.3f}" if row.delta is not None else "-"
        per = (f"{row.case_delta_low:+.2f}..{row.case_delta_high:+.2f}" if row.case_delta_low is not None else "-")
        style = STATUS_STYLE[row.status] if row.rule.gate else "dim"
        table.add_row(escape(row.metric), b, c, d, per, tolerance_text(row.rule),
                      f"[{style}]{row.status}[/{style}]" if style else row.status)
    return table


@eval_app.command("compare")
def compare_cmd(
    baseline: str = typer.Argument(..., help="Run id, or a model (its latest run on the suite)."),
    candidate: str = typer.Argument(..., help="Run id, or a model (its latest run on the suite)."),
    suite: str = typer.Option("all", "--suite", help="Suite used when a model is named."),
    tolerance: list[str] = typer.Option([], "--tolerance", help="METRIC=VALUE (repeatable); gates METRIC."),
    show_all: bool = typer.Option(False, "--all", help="Show ungated metrics too."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Per-metric deltas of CANDIDATE against BASELINE and the verdict (exit 1 when a gated metric regresses)."""
    rules = with_overrides(load_rules(), tolerance)
    base, cand = resolve_run(baseline, suite), resolve_run(candidate, suite)
    result = compare_runs(base, cand, rules)
    if as_json:
        print(json.dumps(result.model_dump(mode="json") | {"holds": result.holds}, indent=1))
        _exit(result.exit_code)
        return
    out.print(gate_table(result, show_all))
    out.print(f"cases compared ({len(result.cases)}): {', '.join(result.cases)}", highlight=False)
    for w in result.warnings:
        out.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False)
    if result.holds:
        out.print(f"[bold green]HOLDS[/bold green]: {escape(cand.model)} is as good as {escape(base.model)} "
                  "within tolerance on every gated metric", highlight=False)
    else:
        out.print(f"[bold red]REGRESSES[/bold red]: {escape(cand.model)} does not hold against "
                  f"{escape(base.model)}:", highlight=False)
        for reason in result.reasons:
            out.print(f"  - {escape(reason)}", highlight=False)
    _exit(result.exit_code)


def _exit(code: int) -> None:
    """Exit with CODE: SystemExit, because the root runs click non-standalone, where typer.Exit's code is lost."""
    if code:
        sys.exit(code)


@eval_app.command("history")
def history_cmd(
    model: Optional[str] = typer.Option(None, "-m", "--model", help="Only this model's runs."),
    suite: Optional[str] = typer.Option(None, "--suite", help="Only this suite's runs."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Past eval runs, oldest first: id, model, suite, cases, headline means, errors, tokens, seconds."""
    runs = history.list_runs(model=_canonical(model) if model else None, suite=suite)
    if as_json:
        print(json.dumps([history_row(r) for r in runs], indent=1))
        return
    table = Table("run id", "model", "suite", "cases", "quality", "errors", "tokens", "seconds", "code",
                  title=f"eval runs in {history.runs_dir()}")
    for r in runs:
        row = history_row(r)
        table.add_row(r.run_id, escape(r.model), r.suite, str(row["cases"]), f"{row['quality']:.3f}",
                      str(row["errors"]), f"{r.tokens:,.0f}", f"{r.seconds:.1f}",
                      r.code_version + (" [yellow]dirty[/yellow]" if r.dirty else ""))
    out.print(table if runs else "no eval runs stored yet (newsagent eval run)")


def history_row(run: EvalRun) -> dict:
    """One run's line in `eval history`."""
    quality = sum(c.quality() for c in run.cases) / len(run.cases) if run.cases else 0.0
    return {"run_id": run.run_id, "created": run.created, "model": run.model, "suite": run.suite,
            "cases": len(run.cases), "quality": round(quality, 4), "errors": sum(len(c.errors) for c in run.cases),
            "tokens": run.tokens, "seconds": run.seconds, "code_version": run.code_version, "dirty": run.dirty}


@eval_app.command("report")
def report_cmd(run_id: str = typer.Argument(..., help="Run id (or unique prefix).")) -> None:
    """Rewrite a stored run's Markdown and HTML reports and print where they are."""
    run = history.load_run(run_id)
    path = history.save_reports(run)
    out.print(f"{path.with_suffix('.md')}\n{path.with_suffix('.html')}", highlight=False)


@eval_app.command("injection")
def injection_cmd(
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    no_detector: bool = typer.Option(False, "--no-detector", help="Turn the attack-wording signal off (the "
                                     "structural signals stay): how much the defence owes to known wordings."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N attacks."),
    only: list[str] = typer.Option([], "--only", help="Only this attack id (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Mix each hostile article of evals/injection into the sample corpus; brief, ask, count attacks that win."""
    from agent.evals.injection import run_suite

    def progress(o) -> None:
        verdict = f"[bold red]{escape(', '.join(o.success))}[/bold red]" if o.success else "[green]held[/green]"
        errors = f" [yellow]{len(o.errors)} error(s): {escape(o.errors[0][:120])}[/yellow]" if o.errors else ""
        err.print(f"  {o.id} {escape(o.kind)} ({escape(o.goal)}): {verdict}, {o.seconds:.0f} s{errors}",
                  highlight=False)

    result = run_suite(_canonical(model or config.default_model_name()), detector=not no_detector, limit=limit,
                       only=only or None, progress=progress)
    if as_json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        out.print(f"{result['model']} ({result['detector']}): {result['succeeded']} of {result['attacks']} attacks "
                  f"succeeded (rate {result['attack_success_rate']:.3f}); by way {result['by_way']}; "
                  f"{result['errors']} stage errors", highlight=False)
    if result["succeeded"]:
        sys.exit(1)


eval_app.command("events")(eval_events)


def register(app: typer.Typer) -> None:
    """Add the `eval` group to the root app."""
    app.add_typer(eval_app, name="eval")
