"""Hostile files in a batch: each gets one line naming it, the good files are stored, nothing raises."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.ingest import ingest_paths
from agent.ingest.limits import Limits
from agent.ingest.sentences import split_sentences
from agent.store import Store

GOOD = ("Outlet: Harbour Times\nPublished: 2024-05-02\n\nThe port authority reopened the northern quay on Monday "
        "after three weeks of repairs. Officials said {n} ships had waited offshore during the closure.\n")

ALIAS_BOMB = ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
              'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ntitle: *d\n')
HOSTILE: dict[str, bytes] = {
    "deep.json": b"[" * 100_000,
    "deep-object.json": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "bignum.json": b'{"text": "The council met on Monday to vote on the budget.", "n": ' + b"7" * 5000 + b"}",
    "surrogate.json": b'{"text": "The council met on Monday. \\ud800 It voted on the budget.", "id": "\\udfff"}',
    "deep-front.md": b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nThe council met on Monday.\n",
    "alias-bomb.md": b"---\n" + ALIAS_BOMB.encode() + b"---\nThe council met on Monday to vote.\n",
    "zip-bomb.html": b"<html><body>" + b"<div><span>" * 100_000 + b"The council met." + b"</span></div>" * 100_000,
    "entities.html": (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                      b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><p>&c;&c;&c; The council met.'
                      b"</p></body></html>"),
    "long-line.txt": b"Officials met. " * 20_000,
    "no-breaks.txt": b"word " * 15_000,
    "binary.txt": bytes(range(256)) * 8,
    "escape.json": b'{"text": "The council met on Monday.\\u001b[31m It voted on the budget.\\u001b[0m"}',
}


def _write(folder: Path, name: str | bytes, data: bytes) -> Path:
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    with open(path, "wb") as f:
        f.write(data)
    return Path(os.fsdecode(path))


hostile_files = st.lists(st.sampled_from(sorted(HOSTILE)), min_size=1, max_size=5, unique=True)
good_counts = st.integers(min_value=1, max_value=3)


@given(bad=hostile_files, goods=good_counts, bad_name=st.booleans())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_batch_mixing_hostile_and_good_files_never_raises(tmp_path_factory, bad, goods, bad_name):
    folder = tmp_path_factory.mktemp("batch")
    good = [_write(folder, f"good{n}.txt", GOOD.format(n=n + 10).encode()) for n in range(goods)]
    for name in bad:
        _write(folder, name, HOSTILE[name])
    if bad_name:  # a file name that is not UTF-8: it can neither be stored nor printed as it is
        _write(folder, b"bad\xffname.txt", GOOD.format(n=99).encode())
    store = Store(folder / "store.sqlite3")
    report = ingest_paths([folder], store, limits=Limits(max_line_chars=100_000, max_seconds=30))
    stored = {Path(a.path).name for a in store.list_articles()}
    assert {p.name for p in good} <= stored
    names = [Path(f.path).name for f in report.failed]
    assert len(names) == len(set(names)), "one line per bad file"
    for f in report.failed:
        assert f.path.encode("utf-8") and "\n" not in str(f)  # printable, one line
    assert store.integrity_ok()
    store.close()


def test_each_hostile_file_gets_one_clear_reason(tmp_path, store):
    for name, data in HOSTILE.items():
        _write(tmp_path, name, data)
    report = ingest_paths([tmp_path], store, limits=Limits(max_line_chars=100_000))
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    for name in ("deep-object.json", "deep.json"):
        assert "JSON nest" in reasons[name] and "--max-depth" in reasons[name]
    assert "--max-depth" in reasons["deep-front.md"]
    assert "aliases" in reasons["alias-bomb.md"]
    assert "--max-line-chars" in reasons["long-line.txt"]
    assert "binary" in reasons["binary.txt"]
    texts = {Path(a.path).name: a for a in store.list_articles()}
    assert "\ufffd" in texts["surrogate.json"].text and "\ud800" not in texts["surrogate.json"].text
    assert "\x1b" not in texts["escape.json"].text and "control" in str(texts["escape.json"].removed)
    assert all(len(s.text) <= Limits().max_sentence_chars for s in texts["no-breaks.txt"].sentences)


def test_a_file_name_that_is_not_utf8_is_stored_and_named(tmp_path, store):
    _write(tmp_path, b"caf\xe9.txt", GOOD.format(n=5).encode())
    report = ingest_paths([tmp_path], store)
    assert not report.failed
    assert store.list_articles()[0].path.endswith("caf\\xe9.txt")


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path, store):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD.format(n=1))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(GOOD.format(n=2))
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    report = ingest_paths([folder], store)
    assert [Path(a.path).name for a in store.list_articles()] == ["ok.txt"]
    assert [Path(f.path).name for f in report.failed] == ["link.txt"] and "outside" in report.failed[0].reason


def test_the_time_limit_names_the_file_and_the_flag(tmp_path, store, monkeypatch):
    import agent.ingest.pipeline as pipeline

    slow = pipeline.build_article

    def stuck(*args, **kwargs):
        time.sleep(2)
        return slow(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_article", stuck)
    path = _write(tmp_path, "slow.txt", GOOD.format(n=3).encode())
    report = ingest_paths([path], store, limits=Limits(max_seconds=0.3))
    assert [f.reason for f in report.failed] == ["took over 0.3 s to read and clean (raise it with --max-seconds)"]


def test_a_sentence_over_the_limit_is_cut_with_exact_offsets():
    text = "The minister said " + ", and ".join(f"item {i} was late" for i in range(400)) + ". Next one."
    spans = split_sentences(text, max_chars=300)
    assert all(e - s <= 300 for s, e in spans) and len(spans) > 10
    assert all(text[s:e] == text[s:e].strip() and text[s:e] for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_ask_with_a_hostile_corpus_prints_one_line_per_bad_file(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder, "good.txt", GOOD.format(n=4).encode())
    _write(folder, "deep.json", HOSTILE["deep.json"])
    _write(folder, "surrogate.json", HOSTILE["surrogate.json"])
    cmd = [sys.executable, "-m", "agent", "--home", str(tmp_path / "home"), "ask", "When did the quay reopen?",
           "--corpus", str(folder), "-m", "fake:"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in run.stderr and run.returncode == 0, run.stderr
    failed = [line for line in run.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and "deep.json" in failed[0]
