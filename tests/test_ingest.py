"""Ingest of the sample corpus and the synthetic cases: boilerplate gone and listed, derivatives, outlets, store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.evals.cases import case_dirs, load_case, resolve_refs
from agent.evals.scorers import score_derivatives, score_leakage
from agent.ingest import ingest_paths, parse_file
from agent.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "evals" / "cases" / "lukashenko-china-2023" / "articles"
CNN, REWRITE = "002_548f13d890e48709.txt", "001_83d94f5220e3496d.txt"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample corpus ingested once into a fresh store: (store, report, articles by file name)."""
    store = Store(tmp_path_factory.mktemp("sample") / "store.sqlite3")
    report = ingest_paths([SAMPLE], store)
    yield store, report, {Path(a.path).name: a for a in store.list_articles()}
    store.close()


def test_every_sample_article_ingests(sample):
    store, report, articles = sample
    assert not report.failed
    assert len(report.added) == 5 and sorted(articles) == sorted(p.name for p in SAMPLE.iterdir())
    for a in articles.values():
        assert len(a.sentences) >= 10
        for s in a.sentences:
            assert a.text[s.start:s.end] == s.text
    assert store.integrity_ok()


def test_obvious_boilerplate_is_gone_and_listed_with_a_reason(sample):
    _, _, articles = sample
    cnn = articles[CNN]
    for line in ("Skip to Content", "The-CNN-Wire", "BE PART OF THE CONVERSATION", "Jump to comments"):
        assert line not in cnn.text
        assert any(line in r.text for r in cnn.removed)
    assert "All rights reserved" not in cnn.text
    assert all(r.reason for a in articles.values() for r in a.removed)
    ap = articles["000_a9aa1eef02347b3f.txt"]
    assert "Kremlin Pool Photo via AP" not in ap.text  # the photo caption
    assert any("photo" in r.reason for r in ap.removed)
    nyt = articles["003_ee42eb2b6abce077.txt"]
    assert "Leave a Reply" not in nyt.text and "Source link" not in nyt.text


def test_real_sentences_survive_cleaning(sample):
    _, _, articles = sample
    assert "arrived in Beijing on Tuesday for a state visit" in articles["000_a9aa1eef02347b3f.txt"].text
    assert "We have no closed topics for cooperation." in articles[CNN].text


def test_the_unattributed_rewrite_is_a_derivative_of_its_source(sample):
    _, _, articles = sample
    rewrite, cnn = articles[REWRITE], articles[CNN]
    assert rewrite.derivative_of == cnn.id and rewrite.similarity >= 0.6
    others = [a for name, a in articles.items() if name != REWRITE]
    assert all(a.derivative_of is None for a in others)


def test_outlets_found_where_the_text_names_them(sample):
    _, _, articles = sample
    assert articles[CNN].outlet == "CNN" and articles[CNN].outlet_source.startswith("byline:")
    iq = articles["004_4cb35ac2d5b655e2.txt"]
    assert iq.outlet == "Political IQ" and iq.published.isoformat() == "2023-02-28"
    assert iq.published_source.startswith("date_line:")
    assert articles[REWRITE].outlet is None  # nothing names it: unknown, not guessed


def test_reingest_is_idempotent_and_copies_are_stored_once(sample, tmp_path):
    store, _, before = sample
    again = ingest_paths([SAMPLE], store)
    assert not again.added and len(again.existing) == 5 and not again.failed
    copy = tmp_path / "copy.txt"
    shutil.copy(SAMPLE / CNN, copy)  # same bytes under another name
    third = ingest_paths([copy], store)
    assert not third.added and [a.id for a in third.existing] == [before[CNN].id]
    assert len(store.list_articles()) == 5


def test_same_cleaned_text_with_different_bytes_is_one_article(store, tmp_path):
    text = (SAMPLE / CNN).read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("\n", "\r\n") + "\n\n", encoding="utf-8")
    report = ingest_paths([tmp_path / "a.txt", tmp_path / "b.txt"], store)
    assert len(report.added) == 1 and len(report.existing) == 1
    assert len(store.list_articles()) == 1


def test_a_copy_ingested_later_links_to_the_stored_original(store):
    ingest_paths([SAMPLE / CNN], store)
    report = ingest_paths([SAMPLE / REWRITE], store)
    cnn = next(a for a in store.list_articles() if a.path.endswith(CNN))
    assert report.added[0].derivative_of == cnn.id
    assert store.get_article(report.added[0].id).derivative_of == cnn.id


def test_an_original_ingested_after_its_copy_takes_over(store):
    ingest_paths([SAMPLE / REWRITE], store)
    ingest_paths([SAMPLE / CNN], store)
    by_name = {Path(a.path).name: a for a in store.list_articles()}
    assert by_name[REWRITE].derivative_of == by_name[CNN].id and by_name[CNN].derivative_of is None


def test_parse_file_is_pure_and_matches_the_stored_article(sample):
    _, _, articles = sample
    parsed = parse_file(SAMPLE / CNN)
    assert parsed.id == articles[CNN].id and parsed.text == articles[CNN].text


@pytest.mark.parametrize("folder", case_dirs(), ids=lambda p: p.name)
def test_cases_gold_boilerplate_and_derivatives_hold(folder, tmp_path):
    case = load_case(folder)
    store = Store(tmp_path / "s.sqlite3")
    report = ingest_paths([case.articles_dir], store)
    assert not report.failed
    articles = {Path(a.path).name: a for a in store.list_articles()}
    gold = resolve_refs(case, articles)
    leak = score_leakage({}, gold, articles.values())
    assert leak.counts["boilerplate_leaked"] == 0, [d for d in leak.details if not d.ok]
    deriv = score_derivatives(articles.values(), gold)
    assert deriv.values == {"precision": 1.0, "recall": 1.0}, [d for d in deriv.details if not d.ok]
    assert all(a.outlet for a in articles.values()) or case.name == "lukashenko-china-2023"
    store.close()


def test_corpus_json_contract(sample, monkeypatch, capsys):
    from agent.cli import ingest_cmd

    store, _, articles = sample
    monkeypatch.setattr(ingest_cmd, "open_store", lambda: store)
    ingest_cmd.list_corpus(ingest_cmd.TableOrJson.json)
    rows = json.loads(capsys.readouterr().out)
    keys = {"id", "path", "title", "outlet", "published", "sentence_count", "derivative_of"}
    assert len(rows) == 5 and all(keys <= set(r) for r in rows)
    ingest_cmd.show(articles[CNN].id[:8], ingest_cmd.TextOrJson.json)
    shown = json.loads(capsys.readouterr().out)
    assert {"id", "path", "title", "outlet", "published", "text", "sentences", "removed", "derivative_of",
            "similarity"} <= set(shown)
    assert all(shown["text"][s["start"]:s["end"]] == s["text"] for s in shown["sentences"])
    assert shown["removed"] and all({"text", "reason"} == set(r) for r in shown["removed"])


def test_two_short_reports_sharing_two_sentences_are_not_a_copy(tmp_path, store):
    from agent.ingest import ingest_paths
    (tmp_path / "a.md").write_text("---\ntitle: Preview\noutlet: Herald\n---\n"
                                   "Minister Elena Marsh was set to open the Harlow bridge on Tuesday.\n"
                                   "The bridge cost 48 million pounds and took three years to build.\n")
    (tmp_path / "b.md").write_text("---\ntitle: Report\noutlet: Times\n---\n"
                                   "Minister Elena Marsh opened the Harlow bridge on Tuesday.\n"
                                   "The bridge cost 48 million pounds and took three years to build.\n")
    ingest_paths([str(tmp_path)], store)
    assert all(a.derivative_of is None for a in store.list_articles())
