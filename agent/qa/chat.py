"""The chat REPL: streamed cited answers, `:show N`, `:sources`, `:quit`, history per session as JSONL."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.markup import escape as _escape
from rich.text import Text

from agent import config
from agent.llm import LLM
from agent.qa.answer import Answer, Turn, stream_answer
from agent.store import Store
from agent.text.safety import safe_terminal
from agent.types import Citation

HELP = ":show N  open citation N · :sources  the articles · :history  this session · :quit  leave"
SESSION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def escape(text: object) -> str:
    """Article or model text for the console: markup escaped, control characters (ESC...) made visible."""
    return _escape(safe_terminal(str(text)))


def chats_dir() -> Path:
    """Where chat sessions are kept in the workspace."""
    path = config.home_dir() / "chats"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Session:
    """One conversation: its turns, appended to `<workspace>/chats/<id>.jsonl` as they happen."""

    def __init__(self, session_id: str | None = None):
        self.id = session_id or uuid.uuid4().hex[:12]
        if not SESSION_ID.match(self.id):
            raise ValueError(f"bad session id {self.id!r}: letters, digits, '.', '_' and '-' only")
        self.path = chats_dir() / f"{self.id}.jsonl"
        self.turns: list[Turn] = []
        if self.path.is_file():
            lines = self.path.read_text(encoding="utf-8").splitlines()
            self.turns = [Turn.model_validate_json(line) for line in lines if line.strip()]

    def add(self, result: Answer) -> Turn:
        """Record one answered question."""
        turn = Turn(question=result.question, answer=result.answer, abstained=result.abstained,
                    citations=result.citations or ([result.closest] if result.closest else []))
        self.turns.append(turn)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(turn.model_dump(), ensure_ascii=False) + "\n")
        return turn

    @property
    def last_citations(self) -> list[Citation]:
        """The citations of the latest answer (what `:show N` opens)."""
        return self.turns[-1].citations if self.turns else []


def show_citation(store: Store, citation: Citation, out: Console) -> None:
    """Print a cited sentence in its place: the article, and the sentences around it."""
    article = store.get_article(citation.article_id)
    date = article.published.isoformat() if article.published else "undated"
    out.print(f"[bold]{escape(article.label)}[/bold] · {escape(article.title or '')} · {date} · "
              f"{article.id} S{citation.index}", highlight=False)
    for s in article.sentences[max(0, citation.index - 1): citation.index + 2]:
        style = "bold" if s.index == citation.index else "dim"
        out.print(f"[{style}][S{s.index}] {escape(s.text)}[/{style}]", highlight=False)


def show_sources(store: Store, out: Console) -> None:
    """List the stored articles."""
    for a in store.list_articles():
        date = a.published.isoformat() if a.published else "undated"
        copy = f" (copy of {a.derivative_of})" if a.derivative_of else ""
        out.print(f"{a.id}  {escape(a.label)}  {date}  {escape(a.title or a.path)}{escape(copy)}", highlight=False)


def print_answer(result: Answer, out: Console) -> None:
    """The checked answer: its citations, or that the corpus does not say (and why the draft was withdrawn)."""
    if result.abstained:
        if result.notes:
            out.print(f"[yellow]withdrawn: {escape(result.notes[-1])}[/yellow]", highlight=False)
        out.print(escape(result.answer), highlight=False)
        if result.closest:
            out.print(f"  [1] {escape(result.closest.outlet or '?')}: {escape(result.closest.text)}", highlight=False)
        return
    out.print(escape(result.answer), highlight=False)
    for n, c in enumerate(result.citations, start=1):
        out.print(f"  [{n}] {escape(c.outlet or '?')}: {escape(c.text)}", highlight=False)


def ask_once(question: str, store: Store, llm: LLM, session: Session, out: Console,
             article_ids: list[str] | None = None) -> Answer:
    """Answer one chat question and record the turn; only the checked answer stays on the screen.

    On a terminal the model's draft streams in a live line marked "unchecked draft", which disappears when
    the checks are done; elsewhere (pipes, logs) no draft is shown at all.
    """
    draft, result = "", None
    live = Live(console=out, transient=True, auto_refresh=False) if out.is_terminal else None
    with live or nullcontext():
        for piece in stream_answer(question, store, llm, session.turns, article_ids=article_ids):
            if isinstance(piece, Answer):
                result = piece
            elif live is not None:
                draft += piece
                live.update(Text.assemble(("unchecked draft: ", "bold yellow"), (safe_terminal(draft), "dim")),
                            refresh=True)
    assert result is not None
    print_answer(result, out)
    session.add(result)
    return result


def command(line: str, store: Store, session: Session, out: Console) -> bool:
    """Run a `:` command; False when the session should end."""
    name, _, arg = line[1:].strip().partition(" ")
    if name in ("quit", "q", "exit"):
        return False
    if name == "show":
        cites = session.last_citations
        if not arg.strip().isdigit() or not 1 <= int(arg) <= len(cites):
            out.print(f"no citation {escape(arg.strip())}: the last answer has {len(cites)}", highlight=False)
        else:
            show_citation(store, cites[int(arg) - 1], out)
    elif name == "sources":
        show_sources(store, out)
    elif name == "history":
        for t in session.turns:
            out.print(f"[bold]Q:[/bold] {escape(t.question)}\n[bold]A:[/bold] {escape(t.answer)}", highlight=False)
    else:
        out.print(HELP, highlight=False)
    return True


def repl(store: Store, llm: LLM, session: Session, lines: Iterable[str], out: Console,
         article_ids: list[str] | None = None) -> None:
    """Answer each line as a question (or run it as a `:` command) until `:quit` or the input ends."""
    out.print(f"session {session.id} · {HELP}", highlight=False)
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            if not command(line, store, session, out):
                break
            continue
        ask_once(line, store, llm, session, out, article_ids)
