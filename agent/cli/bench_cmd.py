"""`newsagent bench ingest`: throughput and derivative-detection scaling on synthetic articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

bench_app = typer.Typer(help="Benchmarks on synthetic data.", no_args_is_help=True)
out = Console()


@bench_app.command("ingest")
def bench_ingest(
    sizes: list[int] = typer.Option([1000, 10000], "-n", "--articles", help="Corpus sizes (repeat the option)."),
    words: int = typer.Option(800, "--words", help="Words per article."),
    copy_rate: float = typer.Option(0.02, "--copy-rate", help="Share of articles that are spun copies."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the synthetic corpus."),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="Where the temporary files go."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Ingest N synthetic ~800-word articles into a fresh store: articles/s, MB/s, derivative detection time."""
    from agent.bench.ingest import run

    results = [run(n, words, copy_rate, seed, workdir) for n in sizes]
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    table = Table("articles", "MB", "seconds", "articles/s", "MB/s", "derivatives s", "ms/article",
                  "copies found", "false copies", title="bench ingest")
    for r in results:
        table.add_row(str(r.articles), f"{r.megabytes:.1f}", f"{r.seconds:.1f}", f"{r.articles_per_s:.0f}",
                      f"{r.mb_per_s:.2f}", f"{r.derivative_seconds:.2f}", f"{r.derivative_ms_per_article:.2f}",
                      f"{r.copies_found}/{r.planted_copies}", str(r.false_copies))
    out.print(table)
    if len(results) > 1:
        a, b = results[0], results[-1]
        growth = b.derivative_seconds / max(a.derivative_seconds, 1e-9)
        out.print(f"derivative detection: {b.articles / max(a.articles, 1):.0f}x the articles took {growth:.1f}x "
                  f"the time (quadratic would be {(b.articles / max(a.articles, 1)) ** 2:.0f}x)")
    for r in results:
        out.print(f"phases at {r.articles}: " + ", ".join(f"{k} {v:.2f}s" for k, v in r.phase_seconds.items()))


def register(app: typer.Typer) -> None:
    """Add the `bench` group to the root app."""
    app.add_typer(bench_app, name="bench")
