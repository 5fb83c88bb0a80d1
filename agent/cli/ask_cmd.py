"""`newsagent ask QUESTION` and `newsagent chat`: cited answers over the stored articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Optional

import typer

from agent.store import Store, open_store
from agent.cli.common import MODEL_HELP, TextOrJson, err, out, shown



def _corpus_ids(store: Store, corpus: Optional[list[Path]]) -> list[str] | None:
    """Ingest --corpus paths if needed and return their article ids (None: the whole workspace)."""
    if not corpus:
        return None
    from agent.ingest import ingest_paths

    report = ingest_paths(corpus, store)
    for e in report.failed:
        err.print(f"[red]failed[/red] {shown(e.path)}: {shown(e.reason)}", highlight=False)
    return [a.id for a in report.added + report.existing]


def ask(
    question: str = typer.Argument(..., help="The question, in quotes."),
    corpus: Optional[list[Path]] = typer.Option(None, "--corpus",
                                                help="Answer from these files/folders only (ingested first if needed)."),
    model: Optional[str] = typer.Option(None, "-m", "--model",
                                        help=MODEL_HELP),
    fmt: TextOrJson = typer.Option(TextOrJson.text, "--format", help="text or json."),
    compare: bool = typer.Option(True, "--compare/--no-compare",
                                 help="Use the comparison where the answer needs it: questions about how outlets "
                                      "differ, and answers resting on a fact they tell differently (cached after "
                                      "`brief`/`compare`; computed first otherwise)."),
) -> None:
    """Answer one question from the corpus with numbered citations, or say the corpus does not say."""
    from agent.llm import open_llm
    from agent.qa.answer import AUTO, COMPARATIVE, answer
    from agent.qa.comparative import load_comparison

    store = open_store()
    ids = _corpus_ids(store, corpus)
    if not (ids if ids is not None else store.article_rows()):
        err.print("[red]error:[/red] no articles stored; run `newsagent ingest PATH` or pass --corpus PATH")
        raise typer.Exit(1)
    llm = open_llm(model, store=store)
    routing = route_question(question, store, llm, ids)
    if routing.overview:
        print_overview(routing, fmt)
        return
    if routing.sure and routing.scores:  # several events, and the question picks some
        ids = [a for a in routing.article_ids if ids is None or a in ids]
    # AUTO: an answer that rests on a fact the outlets tell differently loads the comparison and tells each version
    # (a superseded one never as current); --no-compare answers from the sentences alone.
    comparison = AUTO if compare else None
    if compare and COMPARATIVE.search(question):
        err.print("comparing the outlets first (served from the cache after `brief`/`compare`)…")
        comparison = load_comparison(store, llm, ids)
    result = answer(question, store, llm, article_ids=ids, comparison=comparison)
    if fmt is TextOrJson.json:
        print(json.dumps(result.to_json() | _routing_json(routing), indent=2, ensure_ascii=False))
        return
    if routing.scores or not routing.sure:
        out.print(f"({shown(routing.describe())})", highlight=False)
    out.print(shown(result.answer), highlight=False)
    for n, c in enumerate(result.citations, start=1):
        out.print(f"  [{n}] {shown(c.outlet or '?')} ({c.article_id} S{c.index}): {shown(c.text)}", highlight=False)


def route_question(question: str, store: Store, llm, ids: list[str] | None):
    """Put new articles into events, then route the question to its event(s) (see agent.events.route)."""
    from agent.events import route
    from agent.events.update import refresh

    _, embedder = refresh(store, llm)
    return route(question, store, embedder, ids)


def print_overview(routing, fmt: TextOrJson) -> None:
    """The stored events, newest first: what "what happened today?" gets instead of a retrieved answer."""
    if fmt is TextOrJson.json:
        print(json.dumps(_routing_json(routing), indent=2, ensure_ascii=False))
        return
    out.print(f"{len(routing.events)} events:", highlight=False)
    for e in routing.events:
        out.print(f"  {shown(e.summary_line())}", highlight=False)


def _routing_json(routing) -> dict:
    """The routed events for JSON output."""
    return {"events": [{"id": e.id, "label": e.label, "articles": len(e.articles)} for e in routing.events],
            "overview": routing.overview, "routed": routing.sure and not routing.overview}


def _lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def chat(
    corpus: Optional[list[Path]] = typer.Option(None, "--corpus", help="Chat about these files/folders only."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help=MODEL_HELP),
    session: Optional[str] = typer.Option(None, "--session", help="Resume this session id (default: a new one)."),
) -> None:
    """Ask questions in turn; follow-ups use the conversation. :show N, :sources, :quit."""
    from agent.events.update import refresh
    from agent.qa.chat import Session, repl
    from agent.llm import open_llm

    store = open_store()
    ids = _corpus_ids(store, corpus)
    llm = open_llm(model, store=store)
    refresh(store, llm)  # new articles join their events, so the chat can route questions to them
    repl(store, llm, Session(session), _lines(), out, article_ids=ids)


def register(app: typer.Typer) -> None:
    """Add `ask` and `chat` to the root app."""
    app.command("ask")(ask)
    app.command("chat")(chat)
