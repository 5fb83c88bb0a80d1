"""`newsagent backup PATH`: a consistent copy of the live workspace database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer

from agent.cli.common import out, shown
from agent.errors import UsageError
from agent.store import open_store


def backup(path: Path = typer.Argument(..., help="Where to write the copy (a new SQLite file).")) -> None:
    """Copy the workspace store with SQLite's backup API (safe while another process writes), then check it."""
    store = open_store()
    if path.resolve() == store.path.resolve():
        raise UsageError("the backup must not overwrite the live database")
    if path.is_dir():
        path = path / store.path.name
    store.backup_to(path)
    copy = sqlite3.connect(path)
    try:
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        articles = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        copy.close()
    if verdict != "ok":
        raise UsageError(f"the copy at {path} fails SQLite's integrity check: {verdict}")
    out.print(f"backed up {articles} articles to {shown(path)} (integrity check ok)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `backup` to the root app."""
    app.command("backup")(backup)
