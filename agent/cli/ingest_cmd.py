"""`newsagent ingest PATH...` and `newsagent corpus list|show`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from agent import config
from agent.errors import UsageError
from agent.ingest import DEFAULT_MAX_BYTES, ingest_paths
from agent.ingest.limits import Limits
from agent.store import open_store
from agent.types import Article
from agent.cli.common import TableOrJson, TextOrJson, err, out, shown

corpus_app = typer.Typer(help="The stored articles: list them, show one.", no_args_is_help=True)
# One line per article/file however long, and piped tables wide enough to keep ids and dates whole.


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (.txt .md .html .json .jsonl)."),
    home: Optional[Path] = typer.Option(None, "--home", help="Workspace folder (same as the root --home)."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, "--max-bytes", help="Skip files larger than this."),
    max_line_chars: int = typer.Option(Limits.max_line_chars, "--max-line-chars",
                                       help="Skip files with a text line longer than this."),
    max_sentence_chars: int = typer.Option(Limits.max_sentence_chars, "--max-sentence-chars",
                                           help="Cut longer sentences at a hard boundary (; , or a space)."),
    max_depth: int = typer.Option(Limits.max_depth, "--max-depth", help="Skip JSON or front matter nested deeper."),
    max_seconds: float = typer.Option(Limits.max_seconds, "--max-seconds",
                                      help="Skip a file that takes longer to read and clean (0: no limit)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add articles to the workspace store; each bad file gets one line and the rest go on (exit 1 if any failed)."""
    if home is not None:
        config.set_home(home)
    limits = Limits(max_bytes=max_bytes, max_line_chars=max_line_chars, max_sentence_chars=max_sentence_chars,
                    max_depth=max_depth, max_seconds=max_seconds)
    report = ingest_paths(paths, open_store(), limits=limits)
    if as_json:
        print(json.dumps({"added": [_summary(a) for a in report.added],
                          "existing": [_summary(a) for a in report.existing],
                          "failed": [{"path": e.path, "reason": e.reason} for e in report.failed]}, indent=2))
    else:
        _print_report(report)
    if report.failed:
        raise SystemExit(1)  # not typer.Exit: the root runs click non-standalone, which drops its code


def _print_report(report) -> None:
    for a in report.added:
        copy = f"  derivative of {a.derivative_of} ({a.similarity:.2f})" if a.derivative_of else ""
        out.print(f"added    {a.id}  {shown(a.path)}  [{shown(a.label)}] {len(a.sentences)} sentences"
                  f"{shown(copy)}", highlight=False)
    for a in report.existing:
        out.print(f"existing {a.id}  {shown(a.path)}", highlight=False)
    for e in report.failed:
        err.print(f"[red]failed[/red]   {shown(e.path)}: {shown(e.reason)}", highlight=False)
    out.print(f"{len(report.added)} added, {len(report.existing)} already stored, {len(report.failed)} failed "
              f"(store: {open_store().path})", highlight=False)


def _summary(a: Article) -> dict:
    return {"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet,
            "published": a.published.isoformat() if a.published else None,
            "sentence_count": len(a.sentences), "derivative_of": a.derivative_of}


@corpus_app.command("list")
def list_corpus(fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json.")) -> None:
    """Every stored article: id, outlet, date, title, sentences, and what it is a derivative of."""
    rows = open_store().article_rows()
    if fmt is TableOrJson.json:
        keys = ("id", "path", "title", "outlet", "outlet_source", "published", "published_source",
                "sentence_count", "derivative_of", "similarity")
        print(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2, ensure_ascii=False))
        return
    table = Table("id", "outlet", "date", "title", "sentences", "derivative_of")
    table.columns[0].no_wrap = table.columns[2].no_wrap = True
    for r in rows:
        copy = f"{r['derivative_of']} ({r['similarity']:.2f})" if r["derivative_of"] else ""
        table.add_row(r["id"], shown(r["outlet"] or "?"), r["published"] or "?",
                      shown(r["title"] or Path(r["path"]).name), str(r["sentence_count"]), copy)
    out.print(table)


@corpus_app.command("show")
def show(article_id: str = typer.Argument(..., help="Article id (a unique prefix is enough)."),
         fmt: TextOrJson = typer.Option(TextOrJson.text, "--format", help="text or json.")) -> None:
    """One article: cleaned text with sentence numbers and offsets, then what was removed and why."""
    try:
        a = open_store().get_article(article_id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    if fmt is TextOrJson.json:
        print(json.dumps(show_json(a), indent=2, ensure_ascii=False))
        return
    _print_article(a)


def show_json(a: Article) -> dict:
    """The `corpus show --format json` object of one article."""
    return {
        "id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet, "outlet_source": a.outlet_source,
        "byline": a.byline, "url": a.url, "published": a.published.isoformat() if a.published else None,
        "published_source": a.published_source, "raw_sha256": a.raw_sha256, "text": a.text,
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text} for s in a.sentences],
        "removed": [{"text": r.text, "reason": r.reason} for r in a.removed],
        "derivative_of": a.derivative_of, "similarity": a.similarity,
    }


def _print_article(a: Article) -> None:
    meta = [("id", a.id), ("path", a.path), ("title", a.title), ("outlet", _sourced(a.outlet, a.outlet_source)),
            ("byline", a.byline), ("published", _sourced(a.published, a.published_source)), ("url", a.url),
            ("derivative of", f"{a.derivative_of} (similarity {a.similarity:.2f})" if a.derivative_of else None)]
    for key, value in meta:
        out.print(f"[bold]{key}:[/bold] {shown(value) if value is not None else '-'}", highlight=False)
    out.print()
    for s in a.sentences:
        out.print(f"[cyan][S{s.index}][/cyan] [dim]{s.start}-{s.end}[/dim] {shown(s.text)}", highlight=False)
    out.print(f"\n[bold]removed ({len(a.removed)}):[/bold]")
    for r in a.removed:
        out.print(f"  [yellow]{shown(r.reason)}[/yellow]: {shown(r.text)}", highlight=False)


def _sourced(value: object, source: str | None) -> str | None:
    return None if value is None else f"{value}  (from {source})" if source else str(value)


def register(app: typer.Typer) -> None:
    """Add `ingest` and the `corpus` group to the root app."""
    app.command("ingest")(ingest)
    app.add_typer(corpus_app, name="corpus")
