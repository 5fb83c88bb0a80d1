"""Hostile titles, outlets and sentences: inert in Markdown, escaped in HTML, no control characters in a terminal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from agent.brief.inert import md_inline, urls_in
from agent.brief.render import to_html, to_markdown
from agent.types import Brief, BriefSection, Citation, CitedSentence, RunRecord

HOSTILE = [
    "Minister resigns ![](https://evil.example/p.gif?id=42)",
    "Daily <img src=https://evil.example/o.gif onerror=alert(1)>",
    "<script>alert('x')</script> talks",
    "See [the full story](javascript:alert(1)) now",
    "Watch www.evil.example/live today",
    "Colour \x1b[31mred\x1b[0m and a bell\x07",
    "Tag &#xE0049;&#xE0047; and &lt;b&gt;",
]
# What would render as an image, a link, raw HTML or a decoded entity in CommonMark / GFM.
LIVE = re.compile(r"(?<!\\)!(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<[a-zA-Z/!]|(?<!\\)&#?\w+;")


def hostile_brief() -> Brief:
    cites = [Citation(article_id=f"a{n}", index=0, start=0, end=len(t), text=t, outlet=t)
             for n, t in enumerate(HOSTILE)]
    sentences = [CitedSentence(text=t, citations=[c]) for t, c in zip(HOSTILE, cites)]
    sources = [{"article_id": f"a{n}", "outlet": t, "title": t, "published": "2024-01-01", "derivative_of": t,
                "similarity": 0.9, "removed": []} for n, t in enumerate(HOSTILE)]
    return Brief(title=f"Brief: {HOSTILE[0]}", sections=[BriefSection(title="Bottom line", sentences=sentences)],
                 sources=sources, run=RunRecord(model="fake"))


def test_markdown_has_no_live_link_image_html_url_or_control_character():
    md = to_markdown(hostile_brief())
    assert not LIVE.search(md), LIVE.search(md)
    assert urls_in(md) == []
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", md)
    assert "Minister resigns" in md and "(link removed)" in md  # still readable


def test_a_url_the_sources_metadata_holds_is_kept():
    brief = hostile_brief()
    brief.sources[0]["url"] = "https://outlet.example/story"
    brief.sections[0].sentences[0].text = "Read it at https://outlet.example/story and https://evil.example/x"
    md = to_markdown(brief)
    assert "https://outlet.example/story" in md and "evil.example/x" not in md


def test_html_escapes_every_field():
    page = to_html(hostile_brief())
    assert "<script>alert" not in page and "<img src=https://evil" not in page
    assert "href=\"javascript" not in page


@pytest.mark.parametrize("text", HOSTILE)
def test_inline_text_is_one_line_and_inert(text):
    out = md_inline(text)
    assert "\n" not in out and not LIVE.search(out) and not urls_in(out)


def test_corpus_show_and_ask_print_no_control_characters(tmp_path):
    article = tmp_path / "a.json"
    article.write_text('{"title": "Quay \\u001b[2J reopened", "outlet": "Harbour \\u009b31m Times", "text": '
                       '"The port authority reopened the northern quay on Monday after repairs. '
                       'Officials said ten ships had waited.\\u001b]0;pwned\\u0007"}')
    base = [sys.executable, "-m", "agent", "--home", str(tmp_path / "home")]
    ingest = subprocess.run(base + ["ingest", str(article)], capture_output=True, text=True, timeout=120)
    aid = ingest.stdout.split()[1]
    runs = [subprocess.run(base + args, capture_output=True, text=True, timeout=300)
            for args in (["corpus", "show", aid], ["corpus", "list"], ["ask", "When did the quay reopen?", "-m", "fake:"])]
    for run in [ingest, *runs]:
        assert run.returncode == 0, run.stderr
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", run.stdout + run.stderr), run.stdout
