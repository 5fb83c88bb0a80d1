"""The event commands end to end with the fake model: events, brief per event, off-topic, ask routing, eval."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.errors import UsageError
from agent.evals.clustering import shipped_events

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-events"


@pytest.fixture
def cli():
    """The root app with the commands these tests use."""
    from agent.cli import analyze_cmd, ask_cmd, eval_cmd, events_cmd, ingest_cmd

    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root."""

    for module in (analyze_cmd, ask_cmd, events_cmd, eval_cmd, ingest_cmd):
        module.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def two_events(tmp_path: Path, stray: Path | None = None) -> Path:
    """A folder holding the ferry and the fisheries cases (and one stray article)."""
    folder = tmp_path / "day"
    folder.mkdir()
    events = shipped_events()
    for name in ("lake-ulken-ferry", "northern-waters-accord"):
        for p in events[name]:
            shutil.copy(p, folder / f"{name}--{p.name}")
    if stray:
        shutil.copy(stray, folder / "stray.txt")
    return folder


def stray_article(tmp_path: Path) -> Path:
    path = tmp_path / "chess.txt"
    path.write_text("Selm chess club wins national title\nOutlet: Selm Gazette\nPublished: 2026-03-03\n\n"
                    "The Selm chess club won the national team title on Sunday after beating Orvik in the final "
                    "round.\n\nIts youngest player, aged fourteen, drew with the reigning champion.\n\n"
                    "The club will play in the European cup next spring.\n", encoding="utf-8")
    return path


def test_events_lists_each_event_with_its_outlets_and_dates(cli, tmp_path):
    cli("ingest", str(two_events(tmp_path)))
    result = cli("events", "-m", "fake:", "--format", "json")
    events = json.loads(result.stdout)
    assert sorted(e["size"] for e in events) == [3, 4]
    ferry = next(e for e in events if e["size"] == 3)
    assert ferry["first_day"] == "2026-04-18" and "Lakeside Herald" in ferry["outlets"]
    assert ferry["id"].startswith("ev") and all(a["how"] for a in ferry["articles"])
    again = json.loads(cli("events", "-m", "fake:", "--format", "json").stdout)
    assert [e["id"] for e in again] == [e["id"] for e in events]  # ids are stable


def test_brief_on_a_folder_of_two_events_writes_one_brief_each_and_leaves_the_stray_out(cli, tmp_path):
    folder = two_events(tmp_path, stray_article(tmp_path))
    result = cli("brief", str(folder), "-m", "fake:", "-o", str(tmp_path / "out" / "brief.md"))
    assert result.exit_code == 0, result.output
    assert "this run holds 2 events" in result.stderr
    assert "off-topic, left out: Selm Gazette 'Selm chess club wins national title'" in result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == 3 and "brief.md" in written
    index = (tmp_path / "out" / "brief.md").read_text()
    for name in written:
        if name != "brief.md":
            assert f"]({name})" in index
            assert "Selm" not in (tmp_path / "out" / name).read_text()  # the stray is in no brief
    assert "Off-topic" in index and "Selm chess club" in index
    ferry = next(p for p in (tmp_path / "out").iterdir() if "Aqsunqar" in p.read_text())
    assert "Hallvik" not in ferry.read_text()  # no blend of the two events


def test_brief_of_one_event_keeps_its_single_file_and_says_nothing_of_events(cli, tmp_path):
    folder = tmp_path / "one"
    shutil.copytree(shipped_events()["lake-ulken-ferry"][0].parent, folder)
    result = cli("brief", str(folder), "-m", "fake:", "-o", str(tmp_path / "brief.md"))
    assert result.exit_code == 0
    assert "events" not in result.stderr and "off-topic" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["brief.md"]


def test_brief_event_and_all_events(cli, tmp_path):
    cli("ingest", str(two_events(tmp_path)))
    events = json.loads(cli("events", "-m", "fake:", "--format", "json").stdout)
    ferry = next(e for e in events if e["size"] == 3)
    one = cli("brief", "-m", "fake:", "--event", ferry["id"][:6], "--format", "json")
    sources = {s["outlet"] for s in json.loads(one.stdout)["sources"]}
    assert sources == set(ferry["outlets"])
    cli("brief", "-m", "fake:", "--all-events", "-o", str(tmp_path / "all"), "--format", "html")
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(
        [f"{e['id']}.html" for e in events] + ["index.html"])
    with pytest.raises(UsageError, match="no event 'nosuch'"):
        cli("brief", "-m", "fake:", "--event", "nosuch")


def test_ask_routes_to_the_event_and_lists_events_for_what_happened(cli, tmp_path):
    cli("ingest", str(two_events(tmp_path)))
    overview = cli("ask", "-m", "fake:", "What happened today?")
    assert "2 events" in overview.stdout and "Ferry" in overview.stdout and "fisheries" in overview.stdout
    routed = cli("ask", "-m", "fake:", "--format", "json", "How many people did the Aqsunqar ferry carry?")
    data = json.loads(routed.stdout)
    assert len(data["events"]) == 1 and data["routed"] and "erry" in data["events"][0]["label"]
    assert all("Hallvik" not in c["text"] for c in data.get("citations", []))
    text = cli("ask", "-m", "fake:", "Who signed the fisheries accord in Hallvik?")
    assert text.stdout.startswith("(from event ev")


def test_eval_events_prints_bcubed_for_the_shipped_cases(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("agent.cli.events_cmd.default_real_events", lambda: None)
    result = cli("eval", "events", "-m", "fake:", "--rules", "--json")
    rows = json.loads(result.stdout)
    assert [r["suite"] for r in rows] == ["shipped cases"]
    assert rows[0]["score"]["f1"] == 1.0 and rows[0]["score"]["merged"] == 0


def test_brief_asks_no_extraction_and_extract_does(cli, tmp_path):
    """The brief stands on sentences: the claims stage (half the cold model time) runs only for `extract`."""
    import sqlite3

    from agent import config

    folder = tmp_path / "one"
    shutil.copytree(shipped_events()["lake-ulken-ferry"][0].parent, folder)
    assert cli("brief", str(folder), "-m", "fake:").exit_code == 0

    def purposes() -> set[str]:
        with sqlite3.connect(config.home_dir() / "newsagent.sqlite3") as db:
            return {row[0] for row in db.execute("select purpose from llm_calls")}

    assert "brief" in purposes() and "extract" not in purposes()
    assert cli("extract", "-m", "fake:").exit_code == 0
    assert "extract" in purposes()


def test_ask_lets_the_answer_load_the_comparison_when_it_rests_on_a_fact_told_differently(cli, tmp_path, monkeypatch):
    from agent.qa import answer as qa
    from agent.qa.checks import Answer

    cli("ingest", str(two_events(tmp_path)))
    passed = []

    def spy(question, store, llm, *args, comparison=None, **kwargs):
        passed.append(comparison)
        return Answer(question=question, answer="The corpus does not say.", abstained=True)

    monkeypatch.setattr(qa, "answer", spy)
    cli("ask", "-m", "fake:", "When did the ferry capsize on the lake?")
    cli("ask", "-m", "fake:", "--no-compare", "When did the ferry capsize on the lake?")
    assert passed == [qa.AUTO, None]  # a superseded version is never an answer's current one, unless asked not to


def test_web_chat_uses_a_warm_comparison_for_every_question_and_never_a_cold_one(monkeypatch):
    from types import SimpleNamespace

    from agent.qa.answer import AUTO
    from agent.web.routes import chat

    w = SimpleNamespace(jobs=None, model="fake:", store=None)
    monkeypatch.setattr(chat, "article_ids", lambda w: ["a"])
    monkeypatch.setattr(chat, "latest_analysis", lambda jobs, model, ids: None)
    assert chat.comparison_for(w, "When did the ferry capsize?") is None
    monkeypatch.setattr(chat, "latest_analysis", lambda jobs, model, ids: object())
    assert chat.comparison_for(w, "When did the ferry capsize?") == AUTO
