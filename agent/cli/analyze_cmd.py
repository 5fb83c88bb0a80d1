"""`newsagent extract | compare | brief`: the analysis stages from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from agent.brief.compose import make_brief
from agent.brief.judge import support_judge
from agent.analysis.compare import comparison_json
from agent.errors import UsageError
from agent.analysis.extract import PER_ARTICLE
from agent.cli.common import MODEL_HELP, BriefFormat, CompareMode, TableOrJson, apply_mode, err, mode_option, out, shown
from agent.ingest import ingest_paths
from agent.llm import open_llm
from agent.analysis.run import Analysis, analyse
from agent.brief.render import RENDERERS
from agent.store import Store, open_store

CONCURRENCY_HELP = ("Model calls at once: remote endpoints take them in parallel; the local model decodes "
                    "them as one batch when batching is on.")


def ingest_for(store: Store, paths: list[Path]) -> list[str] | None:
    """Ingest PATHS if given (reporting failures) and return their article ids; None means every stored article."""
    if not paths:
        return None
    report = ingest_paths([str(p) for p in paths], store)
    for failure in report.failed:
        err.print(f"[red]error:[/red] {shown(str(failure))}", highlight=False)
    ids = list(dict.fromkeys(a.id for a in report.added + report.existing))
    if not ids:
        raise UsageError("none of the given paths holds a usable article")
    return ids


def run_analysis(paths: list[Path], model: Optional[str], no_cache: bool, per_article: int,
                 concurrency: int, quiet: bool) -> tuple[Analysis, object, Store]:
    """Ingest, then extract and compare with a progress bar per stage."""
    store = open_store()
    ids = ingest_for(store, paths)
    llm = open_llm(model, store=store, use_cache=not no_cache, concurrency=concurrency)
    return analyse_shown(store, llm, ids, per_article, concurrency, quiet), llm, store


def analyse_shown(store: Store, llm, ids: list[str] | None, per_article: int, concurrency: int,
                  quiet: bool) -> Analysis:
    """Extract and compare the chosen articles with a progress bar per stage."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return analyse(store, llm, ids, progress=progress, per_article=per_article, concurrency=concurrency)


def extract(
    paths: list[Path] = typer.Argument(None, help="Files or folders to ingest first (default: all stored articles)."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format"),
    per_article: int = typer.Option(PER_ARTICLE, "--per-article", help="Sentences extracted per article."),
    concurrency: int = typer.Option(4, "--concurrency", help=CONCURRENCY_HELP),
    no_cache: bool = typer.Option(False, "--no-cache", help="Call the model even when the answer is cached."),
) -> None:
    """Extract verified claims (each citing its sentences) and summarise what was kept and dropped."""
    analysis, _, _ = run_analysis(paths or [], model, no_cache, per_article, concurrency, fmt == TableOrJson.json)
    summary = analysis.extract_report.summary()
    if fmt == TableOrJson.json:
        keys = ("id", "article_id", "sentence_ids", "subject", "predicate", "object", "place", "time_text", "time",
                "modality", "attributed_to", "quote")
        claims = [c.model_dump(include=set(keys)) for c in analysis.claims]
        print(json.dumps({"claims": claims, "summary": summary}, indent=2, ensure_ascii=False, default=str))
        return
    labels = {a.id: a.label for a in analysis.articles}
    table = Table("outlet", "S", "who", "did", "what", "modality", "time", show_lines=False)
    for c in analysis.claims:
        table.add_row(shown(labels[c.article_id]), ",".join(map(str, c.sentence_ids)), shown(c.subject),
                      shown(c.predicate), shown(c.object[:60]), c.modality, c.time or "")
    out.print(table)
    out.print(f"kept {summary['kept']} (projected {summary['projected']}), dropped {summary['dropped_by_reason']}, "
              f"failed chunks {len(summary['failed_chunks'])}, {summary['tokens']} tokens, {summary['calls']} calls, "
              f"{summary['cache_hits']} cache hits, {summary['seconds']} s")
    for line in analysis.extract_report.failed_chunks:
        err.print(f"failed: {shown(line)}")


def compare_cmd(
    paths: list[Path] = typer.Argument(None, help="Files or folders to ingest first (default: all stored articles)."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format"),
    per_article: int = typer.Option(PER_ARTICLE, "--per-article"),
    concurrency: int = typer.Option(4, "--concurrency", help=CONCURRENCY_HELP),
    no_cache: bool = typer.Option(False, "--no-cache"),
    mode: Optional[CompareMode] = mode_option(),
) -> None:
    """Consensus facts, divergences (kind, resolution, why), single-source facts and coverage."""
    apply_mode(mode)
    analysis, _, _ = run_analysis(paths or [], model, no_cache, per_article, concurrency, fmt == TableOrJson.json)
    if fmt == TableOrJson.json:
        print(json.dumps(comparison_json(analysis.comparison), indent=2, ensure_ascii=False, default=str))
        return
    print_comparison(analysis)


def print_comparison(analysis: Analysis) -> None:
    """The comparison as rich tables."""
    comp = analysis.comparison
    facts = Table("fact", "independent", "outlets", title="Consensus facts")
    for f in comp.facts:
        facts.add_row(shown(f.text), str(f.independent_outlets), shown(", ".join(f.outlets)))
    out.print(facts)
    divs = Table("kind", "resolution", "why", title="Divergences")
    for d in sorted(comp.divergences, key=lambda d: d.kind):
        if d.kind != "omission":
            divs.add_row(d.kind, d.resolution, shown(d.rationale))
    out.print(divs)
    out.print(f"{len(comp.single_source)} single-source facts; coverage: "
              + ", ".join(f"{shown(k)} {len(v)}" for k, v in comp.coverage.items()))


def brief(
    paths: list[Path] = typer.Argument(None, help="Files or folders to ingest first (default: all stored articles)."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    template: str = typer.Option("brief", "--template", help="brief, exec-memo or timeline (prompts/<name>.md)."),
    fmt: BriefFormat = typer.Option(BriefFormat.md, "--format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout (with "
                                          "several events: FILE becomes their index, or give a DIR)."),
    max_words: Optional[int] = typer.Option(None, "--max-words", help="Trim the brief to about this many words."),
    concurrency: int = typer.Option(4, "--concurrency", help=CONCURRENCY_HELP),
    no_cache: bool = typer.Option(False, "--no-cache"),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Also ask this model whether each "
                                              "sentence is supported by its citations (unsupported: marked)."),
    event: Optional[str] = typer.Option(None, "--event", help="Brief this stored event (ids: `newsagent events`)."),
    all_events: bool = typer.Option(False, "--all-events", help="One brief per stored event and an index page, "
                                    "into -o DIR."),
    mode: Optional[CompareMode] = mode_option(),
) -> None:
    """Ingest, compare and write the cited brief (one per event when the articles hold several)."""
    apply_mode(mode)
    from agent.cli.events_cmd import plan_briefs, write_index, write_text

    start = time.perf_counter()
    store = open_store()
    ids = ingest_for(store, paths or [])
    llm = open_llm(model, store=store, use_cache=not no_cache, concurrency=concurrency)
    plan = plan_briefs(store, llm, ids, event, all_events, output, fmt.value)
    judge = support_judge(judge_model, store) if judge_model else None
    for n, (found, job_ids, target) in enumerate(plan.jobs, 1):
        if target is None and len(plan.jobs) > 1:
            print(f"===== event {n} of {len(plan.jobs)}: {found.id} {found.label} =====\n")
        analysis = analyse_shown(store, llm, job_ids, 0, concurrency, False)  # the brief stands on sentences
        result = make_brief(analysis, llm, template=template, max_words=max_words, judge=judge)
        text = RENDERERS[fmt.value](result)
        if target:
            write_text(target, text)
        else:
            print(text)
        r = result.run
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in r.stage_seconds.items())
        err.print(f"run: {time.perf_counter() - start:.1f} s ({stages}); {r.model_calls} model calls, "
                  f"{r.cache_hits} cache hits, {r.tokens} tokens; {r.unsupported_removed} unsupported sentences "
                  f"removed" + (f"; wrote {target}" if target else ""), highlight=False)
        start = time.perf_counter()
    write_index(plan, fmt.value)


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the root app."""
    app.command("extract")(extract)
    app.command("compare")(compare_cmd)
    app.command("brief")(brief)
