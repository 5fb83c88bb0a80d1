"""A reader in headless Chromium: sample corpus -> brief -> cited sentence -> comparison -> chat; nothing leaves localhost."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from agent.resources import evals_dir
from tests.e2e.conftest import keep_for_docs
from tests.e2e.hostile import write_hostile

pytestmark = pytest.mark.allow_loopback
SAMPLE = evals_dir() / "cases" / "lukashenko-china-2023" / "articles"
WAIT = 120_000  # ms: a job's poll, reload and the fake model's work, with room for a slow machine (60 s timed out once on a fresh-clone CI run)


@pytest.fixture(scope="module")
def reader(browser, server):
    """One browser tab, recording every request it makes, every dialog and every console error."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.seen = {"requests": [], "dialogs": [], "errors": []}
    page.on("request", lambda r: page.seen["requests"].append(r.url))
    page.on("dialog", lambda d: (page.seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: m.type == "error" and page.seen["errors"].append(m.text))
    page.on("pageerror", lambda e: page.seen["errors"].append(str(e)))
    page.set_default_timeout(WAIT)
    yield page
    context.close()


def test_load_the_sample_corpus_by_path(reader, server, screens):
    reader.goto(server.url + "/corpus")
    reader.fill("input[name=path]", str(SAMPLE))
    reader.click("form.path-form button")
    reader.wait_for_selector("ul.ingest-result")  # the job's progress polls, then the page shows the result
    assert reader.locator("table.articles tbody tr").count() == 5
    assert "5 added" in reader.inner_text("ul.ingest-result")
    assert "CNN" in reader.inner_text("table.articles") and "similarity" in reader.inner_text("table.articles")
    reader.screenshot(path=str(screens / "corpus.png"), full_page=True)
    assert "bound to this machine only" in server.log.read_text()


def test_brief_citation_opens_the_highlighted_source_sentence(reader, server, screens):
    reader.goto(server.url + "/brief")
    reader.click("text=Write the brief")
    reader.wait_for_selector("h1.brief-title")
    markers = reader.locator("article.brief a.cite").all_inner_texts()
    assert {"[1]", "[2]"} <= set(markers) and all(re.fullmatch(r"\[\d+\]", m) for m in markers)  # not "12"
    link = reader.locator("a.cite").nth(2)
    sentence = link.get_attribute("title").split(": ", 1)[1]
    link.click()
    highlighted = reader.locator("#panel-body .sent.hl")
    highlighted.wait_for()
    assert reader.is_visible("#panel") and highlighted.inner_text() == sentence
    assert highlighted.is_visible() and _in_view(reader, "#panel-body .sent.hl", "#panel")
    shot = screens / "brief.png"
    reader.screenshot(path=str(shot))
    keep_for_docs(shot, "screenshot-brief.png")


def _in_view(page, selector: str, container: str) -> bool:
    """Whether the element lies inside its scrolled container's visible box."""
    el, box = page.locator(selector).bounding_box(), page.locator(container).bounding_box()
    return el is not None and box["y"] <= el["y"] and el["y"] + min(el["height"], 40) <= box["y"] + box["height"]


def test_comparison_shows_both_versions_of_a_divergence(reader, server, screens):
    reader.goto(server.url + "/compare")
    divergence = reader.locator("article.divergence.kind-timing_of_report").first
    divergence.wait_for()
    sides = divergence.locator(".side")
    assert sides.count() >= 2
    texts = " ".join(sides.all_inner_texts())
    assert "set to arrive" in texts and "arrived" in texts.replace("set to arrive", "")
    assert "independent outlet" in divergence.inner_text() and "Written before vs after" in divergence.inner_text()
    assert reader.locator("table.matrix td.state-planned").count() >= 1
    reader.screenshot(path=str(screens / "compare.png"), full_page=True)


def test_chat_streams_a_cited_answer_and_an_abstention(reader, server, screens):
    streams = []
    reader.on("response", lambda r: "/chat/stream" in r.url and streams.append(r.headers.get("content-type", "")))
    reader.goto(server.url + "/chat")
    reader.fill("#question", "When did Lukashenko arrive?")
    reader.click("form.ask button")
    answer = reader.locator(".turn .answer").last
    answer.wait_for()
    assert "Tuesday" in answer.inner_text() and streams[-1].startswith("text/event-stream")
    answer.locator(".answer-text a.cite").first.click()
    reader.locator("#panel-body .sent.hl").wait_for()
    reader.fill("#question", "What did Lukashenko eat for dinner?")
    reader.click("form.ask button")
    reader.locator(".answer.abstained .closest a.cite").wait_for()
    assert "The corpus does not say" in reader.locator(".answer.abstained").inner_text()
    reader.screenshot(path=str(screens / "chat.png"), full_page=True)
    reader.reload()  # the session keeps both turns
    assert reader.locator(".turn").count() == 2


def test_hostile_upload_runs_nothing_and_loads_nothing(reader, server, screens, tmp_path):
    reader.goto(server.url + "/corpus")
    reader.set_input_files("input[type=file]", str(write_hostile(tmp_path)))
    reader.click("form[data-upload] button")
    reader.wait_for_selector("ul.ingest-result")
    assert "1 added" in reader.inner_text("ul.ingest-result")
    reader.click("text=<script>alert('title')</script> Minsk summit")  # the title shows as text
    reader.wait_for_selector("article.source")
    assert "javascript:alert(1)" in reader.inner_text("dl") and reader.locator("main img").count() == 0
    assert "<img src=" in reader.inner_text(".article-text")
    reader.screenshot(path=str(screens / "hostile.png"), full_page=True)
    reader.goto(server.url + "/brief")
    reader.click("text=Write the brief")  # a new corpus: the stored brief was of the five sample articles
    reader.wait_for_selector("h1.brief-title")
    reader.goto(server.url + "/compare")
    assert reader.seen["dialogs"] == []


def test_the_pages_made_no_request_outside_localhost_and_broke_no_policy(reader, server):
    hosts = {urlsplit(u).netloc for u in reader.seen["requests"]}
    assert reader.seen["requests"] and hosts == {urlsplit(server.url).netloc}, hosts
    assert reader.seen["errors"] == [] and reader.seen["dialogs"] == []
