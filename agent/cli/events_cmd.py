"""`newsagent events`: the stored articles clustered into events (new articles join incrementally)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from agent.cli.common import MODEL_HELP, TableOrJson, err, out, shown
from agent.errors import UsageError

RULES_HELP = "Decide uncertain pairs by their score alone (no model call)."


def events(
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format"),
    rules: bool = typer.Option(False, "--rules", help=RULES_HELP),
    rebuild: bool = typer.Option(False, "--rebuild", help="Forget the stored events and cluster every article anew."),
    articles: bool = typer.Option(False, "--articles", help="List each event's articles under it."),
) -> None:
    """Cluster the stored articles into events: id, label, articles, outlets, dates."""
    from agent.events import list_events
    from agent.events.update import refresh, summary
    from agent.llm import open_llm
    from agent.store import open_store

    store = open_store()
    llm = open_llm(model, store=store)
    if rebuild:
        store.clear_events()
    report, _ = refresh(store, llm, "rules" if rules else "model")
    found = list_events(store)
    err.print(summary(report, len(found)), highlight=False)
    if fmt == TableOrJson.json:
        print(json.dumps([e.as_dict() for e in found], indent=2, ensure_ascii=False))
        return
    table = Table("event", "label", "articles", "outlets", "dates", title=f"{len(found)} events")
    for e in found:
        table.add_row(e.id, shown(e.label), str(len(e.articles)), shown(", ".join(e.outlets)), e.span())
        for a in e.articles if articles else []:
            how = a.how + (f" {a.score:.2f}" if a.score is not None else "")
            table.add_row("", f"  {shown(a.title or a.path)}", a.id, shown(a.label), f"{a.published or ''} ({how})")
    out.print(table)


@dataclass
class BriefPlan:
    """The briefs one `brief` command writes: (event, article ids, output file) each, and the index page."""

    jobs: list[tuple[object, list[str] | None, Path | None]] = field(default_factory=list)
    index: Path | None = None
    off_topic: list = field(default_factory=list)


def plan_briefs(store, llm, ids: list[str] | None, event: str | None, all_events: bool, output: Path | None,
                ext: str) -> BriefPlan:
    """Update the events, then decide which briefs to write: one event, every event, or the run's events."""
    from agent.events import get_event, list_events, split_run
    from agent.events.update import refresh

    _, embedder = refresh(store, llm)
    if event:
        try:
            found = get_event(store, event)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
        return BriefPlan([(found, found.article_ids, output)])
    if all_events:
        if output is None:
            raise UsageError("--all-events writes one brief per event and an index page: give -o DIR")
        output.mkdir(parents=True, exist_ok=True)
        return BriefPlan([(e, e.article_ids, output / f"{e.id}.{ext}") for e in list_events(store)],
                         output / f"index.{ext}")
    run = split_run(store, ids if ids is not None else [r["id"] for r in store.article_rows()], embedder)
    for o in run.off_topic:
        err.print(shown(o.line()), highlight=False)
    if not run.several:
        kept = [a for _, group in run.groups for a in group]
        return BriefPlan([(None, ids if not run.off_topic else kept, output)], off_topic=run.off_topic)
    return _several(run, output, ext)


def _several(run, output: Path | None, ext: str) -> BriefPlan:
    """One brief per event of the run: beside FILE (which becomes the index), or in DIR, or printed in turn."""
    err.print(f"this run holds {len(run.groups)} events, so it gets one brief per event, not one blend: "
              + "; ".join(f"{e.id} '{shown(e.label)}' ({len(ids)} articles)" for e, ids in run.groups),
              highlight=False)
    if output is None:
        if ext != "md":
            raise UsageError(f"{len(run.groups)} events: give -o FILE or -o DIR to write one {ext} brief per event")
        return BriefPlan([(e, ids, None) for e, ids in run.groups], off_topic=run.off_topic)
    if output.is_dir() or not output.suffix:
        output.mkdir(parents=True, exist_ok=True)
        files = [output / f"{e.id}.{ext}" for e, _ in run.groups]
        index = output / f"index.{ext}"
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        files = [output.with_name(f"{output.stem}.{e.id}{output.suffix}") for e, _ in run.groups]
        index = output
    return BriefPlan([(e, ids, f) for (e, ids), f in zip(run.groups, files)], index, run.off_topic)


def write_index(plan: BriefPlan, fmt: str) -> None:
    """Write the plan's index page (links relative to it), atomically."""
    from agent.events.index import index_page

    if plan.index is None:
        return
    entries = [(e, str(Path(f).relative_to(plan.index.parent)), len(ids or [])) for e, ids, f in plan.jobs]
    write_text(plan.index, index_page(entries, plan.off_topic, fmt))
    err.print(f"index of {len(entries)} event briefs: {plan.index}", highlight=False)


def write_text(path: Path, text: str) -> None:
    """Write beside PATH, then rename into place."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def default_real_events() -> Path | None:
    """../shared/real-events beside the checkout, when it is there."""
    from agent.resources import checkout_root

    root = checkout_root()
    path = root.parent / "shared" / "real-events" if root else None
    return path if path and path.is_dir() else None


def eval_events(
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    real: Optional[Path] = typer.Option(None, "--real", help="A folder of event folders (default: "
                                        "../shared/real-events beside the checkout, when present)."),
    rules: bool = typer.Option(False, "--rules", help="Only the rules (no model row)."),
    steps: int = typer.Option(1, "--steps", help="Ingest and cluster in this many batches (incremental joins)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Mix the shipped cases (and the real events) into one store each, cluster, score B-cubed, merged, split."""
    from agent import config
    from agent.analysis.run import embedder_for
    from agent.evals.clustering import folder_events, run_suite, shipped_events
    from agent.llm import open_llm
    from agent.store import open_store

    llm = open_llm(model or config.default_model_name(), store=open_store())
    suites = {"shipped cases": shipped_events()}
    real = real or default_real_events()
    if real:
        suites["real events"] = folder_events(real)
    modes = ["rules"] if rules else ["rules", "model"]
    results = [run_suite(name, events, embedder_for(llm), llm, mode, steps) for name, events in suites.items()
               for mode in modes]
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
        return
    table = Table("suite", "mode", "articles", "events", "found", "B3 precision", "B3 recall", "B3 F1", "merged",
                  "split", "asked", "seconds", title=f"eval events · {llm.name} · {steps} batch(es)")
    for r in results:
        s = r.score
        table.add_row(r.suite, r.mode, str(s.items), str(s.gold), str(s.predicted), f"{s.precision:.3f}",
                      f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.merged), str(s.split), str(r.asked), f"{r.seconds:.1f}")
    out.print(table)
    for r in results:
        for e in r.events:
            if len(e["gold"]) > 1:
                out.print(f"merged in {r.suite} ({r.mode}): {e['id']} holds {e['gold']}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `events` to the root app."""
    app.command("events")(events)
