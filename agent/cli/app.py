"""The `newsagent` root command: global options, and the command modules it registers."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from agent import __version__, config
from agent.errors import NewsagentError

app = typer.Typer(
    name="newsagent",
    help="Read several articles about one event; write a brief in which every sentence cites its sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

# Each module defines `register(app)`; a command group appears here only once it is built.
COMMAND_MODULES: list[str] = [
    "agent.cli.models_cmd",
    "agent.cli.eval_cmd",
    "agent.cli.ingest_cmd",
    "agent.cli.bench_cmd",
    "agent.cli.analyze_cmd",
    "agent.cli.ask_cmd",
]


def _version(value: bool) -> None:
    if value:
        print(f"newsagent {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    home: Optional[Path] = typer.Option(None, "--home", help="Workspace folder (default: NEWSAGENT_HOME or the user data dir)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """newsagent: cited consensus briefs from several news articles about one event."""
    config.set_home(home)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def main() -> None:
    """Console-script entry point: one-line errors instead of tracebacks for expected failures."""
    _register_all()
    try:
        code = app(standalone_mode=False)  # non-standalone click returns typer.Exit's code instead of exiting
    except NewsagentError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
