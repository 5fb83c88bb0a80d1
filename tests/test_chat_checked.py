"""chat shows checked answers only: an unsupported draft never stays on the screen."""

from __future__ import annotations

import io

from rich.console import Console

from agent.llm.fake import fake_llm
from agent.qa.chat import Session, repl
from tests.test_retrieval import corpus


def run(store, force_terminal: bool) -> str:
    buf = io.StringIO()
    out = Console(file=buf, width=200, color_system=None, force_terminal=force_terminal)
    llm = fake_llm(respond=lambda m, k: {"answer": "Fifty \x1b[31mministers came.", "cite": [1], "found": True})
    repl(store, llm, Session(), ["Who did Ana Ruiz meet on Tuesday?"], out)
    return buf.getvalue()


def test_a_withdrawn_draft_is_never_printed_to_a_pipe(store):
    corpus(store)
    text = run(store, force_terminal=False)
    assert "The corpus does not say." in text and "withdrawn" in text
    assert "Fifty" not in text and "\x1b" not in text


def test_on_a_terminal_the_draft_is_marked_unchecked_and_replaced(store):
    corpus(store)
    text = run(store, force_terminal=True)
    assert "unchecked draft" in text and "\x1b[31m" not in text  # the model's own escape shown, not obeyed
    last = text.rsplit("\x1b[2K", 1)[-1]  # what remains after the live draft line is erased
    assert "Fifty" not in last and "The corpus does not say." in last
