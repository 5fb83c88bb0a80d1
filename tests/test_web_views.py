"""The page data built from the pipeline's JSON forms, the standalone HTML brief, and `serve`'s bind notice."""

from __future__ import annotations

import re

from agent.brief.html import to_html
from agent.cli.serve_cmd import bind_notice
from agent.types import Brief, BriefSection, Citation, CitedSentence, RunRecord
from agent.web import views
from tests.e2e.hostile import live_markup


def analysis_json() -> dict:
    """A stored analysis: three outlets, one fact each reports differently, one fact only one reports."""
    ref = {"article_id": "a1", "index": 0, "start": 0, "end": 10, "text": "He will go."}
    return {
        "comparison": {
            "facts": [{"id": "F1", "text": "he goes", "independent_outlets": 2, "claim_ids": ["c1", "c2", "c3"],
                       "modality": "asserted_past", "sentence_refs": [ref],
                       "article_modality": {"a1": "planned_or_expected", "a2": "asserted_past", "a3": "hedged"}}],
            "single_source": [{"id": "F2", "text": "it rained", "independent_outlets": 1, "claim_ids": ["c4"],
                               "sentence_refs": [ref | {"article_id": "a3"}],
                               "article_modality": {"a3": "asserted_past"}}],
            "divergences": [{"id": "D1", "kind": "timing_of_report", "cluster_ids": ["F1"], "resolution": "event_happened",
                             "preferred_side": 1, "rationale": "one wrote before", "confidence": 0.6,
                             "sides": [{"article_id": "a1", "outlet": "One", "text": "He will go.",
                                        "sentence_refs": [ref]},
                                       {"article_id": "a2", "outlet": "Two", "text": "He went.",
                                        "sentence_refs": [ref | {"article_id": "a2", "text": "He went."}]}],
                             "some_new_field": {"ignored": True}}],
            "coverage": {"One": ["F1"], "Two": ["F1"], "Three": ["F1", "F2"]},
        },
        "articles": [{"id": "a1", "label": "One"}, {"id": "a2", "label": "Two"},
                     {"id": "a3", "label": "Three", "derivative_of": "a2"}],
    }


def test_matrix_reads_each_outlets_modality_and_coverage():
    m = views.matrix(analysis_json())
    assert [o["name"] for o in m["outlets"]] == ["One", "Two", "Three"]
    assert m["outlets"][2]["copy_of"] == "Two"
    agreed, single = m["rows"]
    assert [c["state"] for c in agreed["cells"]] == ["planned", "reported", "hedged"]
    assert [c["label"] for c in single["cells"]] == ["not reported", "not reported", "reported"]
    assert single["single"] and not agreed["single"]


def test_divergences_show_both_versions_the_explanation_and_the_count():
    (d,) = views.divergences(analysis_json())
    assert d["kind_label"] == "Written before vs after the event" and d["rationale"] == "one wrote before"
    assert [s["text"] for s in d["sides"]] == ["He will go.", "He went."]
    assert [s["preferred"] for s in d["sides"]] == [False, True] and d["independent"] == 2


def test_views_survive_missing_and_renamed_fields():
    assert views.matrix({}) == {"outlets": [], "rows": []}
    assert views.divergences({"comparison": {"divergences": [{"kind": "new_kind"}]}})[0]["kind_label"] == "new kind"
    page = views.brief_page({"sections": [{"title": "T", "sentences": [{"text": "x", "citations": [{}]}]}]})
    assert page["title"] == "Brief" and page["sections"][0]["sentences"][0]["cites"][0]["n"] == 1


def test_brief_numbers_each_cited_sentence_once_in_order_of_use():
    cite = lambda aid, i: {"article_id": aid, "index": i, "outlet": aid, "text": f"{aid}{i}"}
    page = views.brief_page({"title": "B", "sections": [
        {"title": "S", "sentences": [{"text": "one", "citations": [cite("a", 1), cite("b", 2)]},
                                     {"text": "two", "citations": [cite("b", 2), cite("c", 0)]}]},
        {"title": "Empty", "sentences": []}]})
    assert [[c["n"] for c in s["cites"]] for s in page["sections"][0]["sentences"]] == [[1, 2], [2, 3]]
    assert [s["title"] for s in page["sections"]] == ["S"]


def five_source_brief(text: str = "Ana arrived <b>on</b> Tuesday.") -> Brief:
    """A brief whose one sentence cites five outlets."""
    cites = [Citation(article_id=f"a{n}", index=n, start=0, end=5, text=f"Sentence {n} <img src=x onerror=alert(1)>",
                      outlet=f"Outlet {n}") for n in range(5)]
    return Brief(title="Brief <script>x</script>", sections=[BriefSection(title="Bottom line", sentences=[
        CitedSentence(text=text, citations=cites)])], run=RunRecord(model="fake"),
        sources=[{"article_id": "a0", "outlet": "Outlet 0", "title": "<i>T</i>", "published": "2023-02-28",
                  "derivative_of": None, "similarity": None, "removed": []}])


def test_standalone_html_has_separate_linked_markers_inline_css_and_nothing_live():
    page = to_html(five_source_brief())
    markers = re.findall(r'<a class="cite" href="#n(\d)" title="Outlet (\d): Sentence \d [^"]*">\[(\d)\]</a>', page)
    assert [m[2] for m in markers] == ["1", "2", "3", "4", "5"] and all(a == c for a, _, c in markers)
    assert "12345" not in page and "<sup>" not in page
    for n in range(1, 6):
        assert re.search(rf'<li id="n{n}">Outlet {n - 1}, sentence {n - 1}: “Sentence', page)
    assert "<style>" in page and "a.cite" in page and "<link" not in page and "<script" not in page
    assert live_markup(page) == [] and "&lt;b&gt;on&lt;/b&gt;" in page


def test_serve_says_where_it_listens_and_warns_off_localhost():
    for host in ("127.0.0.1", "localhost", "::1"):
        message, warning = bind_notice(host, 8000)
        assert not warning and "this machine only" in message
    message, warning = bind_notice("0.0.0.0", 8080)
    assert warning and "http://0.0.0.0:8080/" in message and "no login" in message
    assert bind_notice("::", 8000)[1] and "http://[::]:8000/" in bind_notice("::", 8000)[0]
