"""The `newsagent` root command: global options, and the command modules it registers."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from agent import __version__, config
from agent.errors import NewsagentError
from agent.text.safety import safe_terminal

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
    "agent.cli.events_cmd",
    "agent.cli.backup_cmd",
    "agent.cli.serve_cmd",
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
    """Console-script entry point: one-line errors instead of tracebacks (NEWSAGENT_DEBUG=1 shows them)."""
    _register_all()
    try:
        code = app(standalone_mode=False)  # non-standalone returns typer.Exit's code instead of exiting
    except NewsagentError as exc:
        _fail(str(exc), 1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 130)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument, bad value
        _fail(f"{exc.format_message()} (see `newsagent {_command_name()} --help`)", getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # a provider's 500, a bug: one line, the traceback only on request
        if os.environ.get("NEWSAGENT_DEBUG"):
            raise
        _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "(set NEWSAGENT_DEBUG=1 for the traceback)", 1)
    sys.exit(code if isinstance(code, int) else 0)


def _command_name() -> str:
    """The subcommand the user typed (for the usage hint), or nothing."""
    args = sys.argv[1:]
    names = [a for i, a in enumerate(args) if not a.startswith("-") and (i == 0 or args[i - 1] != "--home")]
    return names[0] if names else ""


def _fail(message: str, code: int) -> None:
    """Print one error line (markup and control characters from the message shown literally) and exit."""
    err.print(f"[red]error:[/red] {escape(safe_terminal(message))}", highlight=False, soft_wrap=True)
    sys.exit(code)
