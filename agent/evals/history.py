"""Stored eval runs: one JSON file per run under `<home>/eval-runs/`, with its reports beside it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from agent import config
from agent.errors import UsageError
from agent.evals.record import EvalRun


def runs_dir() -> Path:
    """The folder of stored runs in the current workspace."""
    path = config.home_dir() / "eval-runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_path(run_id: str) -> Path:
    """Where a run's JSON lives."""
    return runs_dir() / f"{run_id}.json"


def save_run(run: EvalRun) -> Path:
    """Write the run's JSON and its Markdown and HTML reports; return the JSON's path."""
    path = run_path(run.run_id)
    if path.exists():  # two runs of one model in the same second: keep both
        run.run_id = f"{run.run_id}-{len(list(runs_dir().glob(run.run_id + '*.json')))}"
        path = run_path(run.run_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(run.model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(path)
    return save_reports(run)


def save_reports(run: EvalRun) -> Path:
    """(Re)write the Markdown and HTML reports next to the run's JSON; return the JSON's path."""
    from agent.evals.report import html_report, markdown_report

    path = run_path(run.run_id)
    path.with_suffix(".md").write_text(markdown_report(run), encoding="utf-8")
    path.with_suffix(".html").write_text(html_report(run), encoding="utf-8")
    return path


def _read(path: Path) -> EvalRun | None:
    try:
        return EvalRun.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return None  # a half-written or foreign file is not a run; `history` shows only readable runs


def list_runs(model: str | None = None, suite: str | None = None) -> list[EvalRun]:
    """Readable stored runs, oldest first, optionally only one model's or one suite's."""
    runs = [r for p in sorted(runs_dir().glob("*.json")) if (r := _read(p)) is not None]
    runs = [r for r in runs if (model is None or r.model == model) and (suite is None or r.suite == suite)]
    return sorted(runs, key=lambda r: (r.created, r.run_id))


def load_run(run_id: str) -> EvalRun:
    """A stored run by id or unique id prefix; UsageError naming the candidates otherwise."""
    exact = run_path(run_id)
    if exact.is_file() and (run := _read(exact)) is not None:
        return run
    matches = [p for p in sorted(runs_dir().glob(f"{run_id}*.json"))]
    if len(matches) == 1 and (run := _read(matches[0])) is not None:
        return run
    if matches:
        raise UsageError(f"run id {run_id!r} is ambiguous: {', '.join(p.stem for p in matches[:5])}")
    raise UsageError(f"no stored eval run {run_id!r} in {runs_dir()} (see `newsagent eval history`)")


def is_run_id(ref: str) -> bool:
    """True when REF names a stored run (exactly or by unique prefix)."""
    try:
        load_run(ref)
    except UsageError:
        return False
    return True


def latest_run(model: str, suite: str) -> EvalRun | None:
    """The newest stored run of MODEL on SUITE, if any."""
    runs = list_runs(model=model, suite=suite)
    return runs[-1] if runs else None
