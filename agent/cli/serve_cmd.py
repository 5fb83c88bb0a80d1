"""`newsagent serve`: the brief, comparison, sources and chat as local web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from agent import config
from agent.cli.common import MODEL_HELP, err


def bind_notice(host: str, port: int) -> tuple[str, bool]:
    """What to tell the user about where the app listens, and whether it is a warning."""
    from agent.web.security import is_loopback

    shown = f"[{host}]" if ":" in host else host
    if is_loopback(host):
        return f"serving on http://{shown}:{port}/ (bound to this machine only: nobody else can connect)", False
    return (f"serving on http://{shown}:{port}/ — bound to {host}, not localhost: anyone who can reach this "
            "machine can read the corpus and spend the model's time; the app has no login"), True


def serve(
    home: Optional[Path] = typer.Option(None, "--home", help="Workspace folder (default: NEWSAGENT_HOME or the user data dir)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
) -> None:
    """Serve the corpus, brief, comparison, chat and evals as web pages on localhost."""
    import uvicorn

    from agent.web import create_app

    if home is not None:
        config.set_home(home)
    app = create_app(model=model, host=host)
    state = app.state.web
    message, warning = bind_notice(host, port)
    err.print(("[yellow]warning:[/yellow] " if warning else "") + escape(message), highlight=False, soft_wrap=True)
    err.print(f"workspace {escape(str(state.home))}; model {escape(state.model)}; Ctrl-C stops", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


def register(app: typer.Typer) -> None:
    """Add `serve` to the root app."""
    app.command("serve")(serve)
