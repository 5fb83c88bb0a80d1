"""The chat REPL: streamed answers, numbered citations, :show, :sources, history kept per session."""

from __future__ import annotations

import io
import json

from rich.console import Console

from agent.qa.chat import Session, repl
from agent.llm.fake import fake_llm
from tests.test_qa import number_of
from tests.test_retrieval import POST, corpus


def console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=200, color_system=None), buf


def model():
    """A fake model answering the two questions the chat tests ask."""
    def respond(messages, kwargs):
        user = messages[-1].content
        if "discuss" in user.split("<<<QUESTION>>>")[1]:
            return {"answer": "They discussed the budget deficit.", "cite": [number_of(messages, "budget")],
                    "found": True}
        return {"answer": "She met Premier Li Wen on Tuesday.", "cite": [number_of(messages, "Li Wen")],
                "found": True}
    return fake_llm(respond=respond)


def test_chat_answers_shows_citations_and_keeps_history(store, workspace):
    corpus(store)
    out, buf = console()
    session = Session("s1")
    lines = ["Who did Ana Ruiz meet on Tuesday?", ":show 1", "What did they discuss?", ":sources", ":show 9",
             ":quit", "never asked"]
    repl(store, model(), session, lines, out)
    text = buf.getvalue()
    assert "She met Premier Li Wen on Tuesday." in text and f"[1] Daily Post: {POST[2]}" in text
    assert f"[S2] {POST[2]}" in text  # :show 1 opens the sentence in its article
    assert "They discussed the budget deficit." in text and "City News" in text
    assert "no citation 9" in text and "never asked" not in text
    rows = [json.loads(line) for line in (workspace / "chats" / "s1.jsonl").read_text().splitlines()]
    assert [r["question"] for r in rows] == ["Who did Ana Ruiz meet on Tuesday?", "What did they discuss?"]
    assert Session("s1").turns[1].citations[0].text == POST[3]  # a resumed session has its history


def test_withdrawn_draft_says_so(store):
    corpus(store)
    out, buf = console()
    llm = fake_llm(respond=lambda m, k: {"answer": "Fifty ministers came.", "cite": [1], "found": True})
    repl(store, llm, Session(), ["How many ministers came to Ana Ruiz's farewell dinner?"], out)
    text = buf.getvalue()
    assert "The corpus does not say." in text


def test_bad_session_id_is_refused():
    import pytest

    with pytest.raises(ValueError):
        Session("../etc/passwd")
