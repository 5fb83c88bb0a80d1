"""`newsagent serve` through Starlette's test client with the fake model: pages, citations, errors, escaping, CSP."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from agent import config
from agent.resources import evals_dir
from agent.web import create_app
from agent.web.work import BRIEF_FILES
from tests.e2e.hostile import live_markup, write_hostile

SAMPLE = evals_dir() / "cases" / "lukashenko-china-2023" / "articles"
PAGES = ["/corpus", "/brief", "/brief?template=timeline", "/compare", "/chat?session=t1", "/evals"]
CITE = re.compile(r'<a class="cite" href="(/articles/[^"]+)" title="([^"]*)">\[(\d+)\]</a>')


def client_for(home: Path, **kwargs) -> TestClient:
    """A test client of a fresh app over the workspace HOME (the fake model)."""
    return TestClient(create_app(home=home, model="fake:", **kwargs), base_url="http://127.0.0.1")


def close(client: TestClient) -> None:
    """Stop the app's job worker and close its store (so its files can be copied)."""
    client.app.state.web.jobs.shutdown()
    client.app.state.web.store.close()


def post_and_wait(client: TestClient, url: str, data: dict | None = None, files=None):
    """POST a form that starts a job, wait for the job, and return (redirect location, job)."""
    r = client.post(url, data=data or {}, files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    jid = re.search(r"job=(\w+)", r.headers["location"])
    jobs = client.app.state.web.jobs
    jid = jid.group(1) if jid else jobs.recent(1)[0].id
    return r.headers["location"], jobs.wait(jid, timeout=120)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A workspace with the sample corpus ingested and its brief written (made once, copied per test)."""
    home = tmp_path_factory.mktemp("web") / "home"
    client = client_for(home)
    _, job = post_and_wait(client, "/corpus/path", {"path": str(SAMPLE)})
    assert job.state == "done" and len(job.result["added"]) == 5
    _, job = post_and_wait(client, "/brief", {"template": "brief"})
    assert job.state == "done", job.error
    close(client)
    config.set_home(None)
    return home


@pytest.fixture
def client(prepared, tmp_path):
    """A client of a fresh app over a copy of the prepared workspace."""
    home = tmp_path / "copy"
    shutil.copytree(prepared, home)
    c = client_for(home)
    yield c
    close(c)


def test_every_page_renders_with_the_csp_and_no_inline_script(client):
    for page in PAGES:
        r = client.get(page)
        assert r.status_code == 200, page
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "img-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert live_markup(r.text) == [], page


def test_corpus_lists_outlets_dates_derivatives_and_removed_boilerplate(client):
    page = client.get("/corpus").text
    assert "Political IQ" in page and "2023-02-28" in page and "CNN" in page
    # 001 is a copy of CNN's story: the derivative column names the original and the similarity
    assert re.search(r'<a href="/articles/[0-9a-f]+">CNN</a> <small>similarity 0\.\d\d</small>', page)
    assert "<details><summary>15 lines</summary>" in page


def test_brief_citation_opens_the_cited_sentence_highlighted_in_its_article(client):
    page = client.get("/brief").text
    links = CITE.findall(page)
    assert len(links) > 10
    numbers = [int(n) for _, _, n in links]
    firsts = [n for i, n in enumerate(numbers) if n not in numbers[:i]]
    assert firsts == list(range(1, len(firsts) + 1))  # each cited sentence numbered once, in order of first use
    assert re.search(r"\[\d+\]</a><a class=\"cite\"", page)  # separate markers, not the run-together "12345"
    href, title, _ = links[2]
    outlet, sentence = unescape(title).split(": ", 1)
    target = client.get(href.split("#")[0])
    assert target.status_code == 200
    highlighted = re.findall(r'<span id="s(\d+)" class="sent hl">(.*?)</span>', target.text, re.S)
    assert len(highlighted) == 1 and unescape(highlighted[0][1]) == sentence
    assert href.endswith(f"#s{highlighted[0][0]}")
    fragment = client.get(href.split("#")[0] + "&partial=1").text
    assert "<html" not in fragment and 'class="sent hl"' in fragment and outlet in unescape(fragment)


def test_templates_and_formats_switch_and_download(client):
    page = client.get("/brief?view=md").text
    assert "<pre class=\"source-text\">" in page and "[^1]" in page
    data = json.loads(unescape(re.search(r'<pre class="source-text">(.*)</pre>', client.get("/brief?view=json").text,
                                         re.S).group(1)))
    assert data["sections"][0]["sentences"][0]["citations"]
    for fmt in BRIEF_FILES:
        r = client.get(f"/brief/download?template=brief&format={fmt}")
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    html = client.get("/brief/standalone?template=brief")
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", html.headers["content-security-policy"])
    assert "script" not in html.headers["content-security-policy"] and "<script" not in html.text
    timeline = client.get("/brief?template=timeline").text  # not written yet: offers to write it
    assert 'name="template" value="timeline"' in timeline and "Write the brief" in timeline
    assert client.get("/brief?template=nope").status_code == 404


def test_comparison_matrix_and_divergence_versions_side_by_side(client):
    page = client.get("/compare").text
    # the report written before the visit is "planned" where the others report the arrival
    rows = [re.findall(r'class="cell state-(\w+)"', row) for row in re.findall(r"<tr class=.*?</tr>", page, re.S)]
    assert any("planned" in cells and "reported" in cells for cells in rows)
    assert len({len(cells) for cells in rows if cells}) == 1 and "state-none" in page  # one cell per outlet
    divergence = re.search(r'<article class="divergence kind-timing_of_report".*?</article>', page, re.S).group(0)
    assert "Written before vs after the event" in divergence and "independent outlet" in divergence
    sides = re.findall(r'<div class="side.*?<blockquote>(.*?)</blockquote>', divergence, re.S)
    assert len(sides) >= 2 and "this version stands" in divergence
    assert any("set to arrive" in s for s in sides) and any("arrived" in s for s in sides)
    assert "omission" not in re.findall(r'kind-(\w+)', page)


def sse_events(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        event = lines[0].removeprefix("event: ")
        out.append((event, "\n".join(line[6:] for line in lines[1:])))
    return out


def test_chat_streams_a_cited_answer_and_keeps_the_turn(client):
    with client.stream("GET", "/chat/stream", params={"session": "s1", "q": "When did Lukashenko arrive?"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    kinds = [e for e, _ in events]
    assert kinds[0] == "piece" and kinds[-2:] == ["answer", "done"]
    answer = dict(events)["answer"]
    assert "Tuesday" in answer and "abstained" not in answer and CITE.search(answer)
    page = client.get("/chat?session=s1").text
    assert "When did Lukashenko arrive?" in page and CITE.search(page)


def test_chat_abstains_with_the_closest_sentence(client):
    with client.stream("GET", "/chat/stream", params={"session": "s2", "q": "What did Lukashenko eat for dinner?"}) as r:
        answer = dict(sse_events(r.read().decode()))["answer"]
    assert "The corpus does not say." in answer and 'class="answer abstained"' in answer
    closest = re.search(r'<p class="closest">Closest sentence: <a class="cite" href="(/articles/[^"]+)"', answer)
    assert closest and client.get(closest.group(1)).status_code == 200
    assert "Closest sentence" in client.get("/chat?session=s2").text  # the stored turn keeps it


def test_chat_refuses_bad_input(client):
    assert client.get("/chat/stream", params={"session": "../x", "q": "hi"}).status_code == 400
    assert client.get("/chat/stream", params={"session": "s3", "q": ""}).status_code == 400
    r = client.get("/chat/stream", params={"session": "s3", "q": "x"}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert client.get("/chat", follow_redirects=False).status_code == 303  # a new session id


def test_unknown_article_is_a_404_that_says_so(client):
    r = client.get("/articles/ffffffffffff")
    assert r.status_code == 404 and "no article with id &#39;ffffffffffff&#39;" in r.text
    assert "content-security-policy" in r.headers
    assert client.get("/jobs/nope").status_code == 404
    assert client.get("/brief/download?format=exe").status_code == 404


def test_hostile_article_renders_inert_everywhere(client, tmp_path):
    path = write_hostile(tmp_path / "in")
    _, job = post_and_wait(client, "/corpus/upload", files=[("files", ("hostile.txt", path.read_bytes(), "text/plain"))])
    assert job.state == "done" and job.result["added"], job
    aid = job.result["added"][0]["id"]
    pages = ["/corpus", f"/articles/{aid}", f"/articles/{aid}?s=0&partial=1", f"/corpus?job={job.id}"]
    for page in pages:
        text = client.get(page).text
        assert live_markup(text) == [], page
        assert "&lt;script&gt;alert(" in text, page
    article = client.get(f"/articles/{aid}").text
    assert "<code>javascript:alert(1)</code>" in article  # the URL is shown as text, never as a link
    assert "![pic](http://evil.example/pixel.png)" in article  # a Markdown image stays text
    _, job = post_and_wait(client, "/brief", {"template": "brief"})
    assert job.state == "done"
    assert live_markup(client.get("/brief").text) == [] and live_markup(client.get("/compare").text) == []
    with client.stream("GET", "/chat/stream", params={"session": "h", "q": "When did the Minsk summit open?"}) as r:
        answer = dict(sse_events(r.read().decode()))["answer"]
    assert live_markup(answer) == []


def test_bad_uploads_are_refused_with_a_message(client):
    r = client.post("/corpus/upload", data={}, follow_redirects=False)
    assert r.status_code == 400 and "no file uploaded" in r.text
    r = client.post("/corpus/upload", files=[("files", ("run.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert r.status_code == 400 and "unsupported file type" in r.text
    r = client.post("/corpus/upload", files=[("files", ("empty.txt", b"   \n", "text/plain"))])
    assert r.status_code == 400 and "the file is empty" in r.text
    r = client.post("/corpus/path", data={"path": "/no/such/folder"})
    assert r.status_code == 400 and "no such file or folder" in r.text
    r = client.post("/corpus/upload", data={}, headers={"accept": "application/json"})
    assert r.json() == {"error": "no file uploaded: choose one or more article files"}


def test_oversized_uploads_get_413(prepared, tmp_path, monkeypatch):
    c = client_for(tmp_path / "small", max_request=10_000)
    r = c.post("/corpus/upload", files=[("files", ("big.txt", b"word " * 5_000, "text/plain"))])
    assert r.status_code == 413 and "limited to" in r.text
    monkeypatch.setattr("agent.web.routes.corpus.DEFAULT_MAX_BYTES", 1_000)
    r = c.post("/corpus/upload", files=[("files", ("big.txt", b"word " * 1_000, "text/plain"))])
    assert r.status_code == 413 and "over the 1,000-byte cap per file" in r.text
    assert not list((tmp_path / "small").glob("uploads/*/big.txt"))
    close(c)


def test_cross_site_writes_and_foreign_hosts_are_refused(client):
    r = client.post("/brief", data={"template": "brief"}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/brief", data={"template": "brief"}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    r = client.post("/brief", data={"template": "brief"}, headers={"origin": "http://127.0.0.1"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/corpus", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding


def test_static_files_ship_in_the_package(client):
    for path in ("/static/app.js", "/static/app.css", "/static/brief.css", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.content, path
    assert "http" not in client.get("/static/app.js").text.replace("XMLHttpRequest", "")
