"""Real multi-outlet events from ../shared/real-events (publisher texts, never copied here; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.ingest import ingest_paths

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-events"
EVENTS = sorted(p for p in REAL.iterdir() if p.is_dir()) if REAL.is_dir() else []

pytestmark = pytest.mark.skipif(not EVENTS, reason=f"{REAL} is absent")


@pytest.mark.parametrize("event", EVENTS, ids=lambda p: p.name)
def test_every_real_article_ingests_with_its_declared_metadata(event, store):
    report = ingest_paths([event], store)
    assert not report.failed
    articles = store.list_articles()
    assert len(articles) == len([p for p in event.iterdir() if p.suffix in (".txt", ".md")])
    for a in articles:
        assert a.outlet and a.outlet_source in ("header:Outlet", "front_matter"), a.path
        assert a.title and len(a.sentences) >= 3
        assert all(a.text[s.start:s.end] == s.text for s in a.sentences)
        assert all(not s.text[:1].islower() for s in a.sentences), a.path  # no split inside a sentence
    # Different outlets writing their own stories about one event are not copies of each other.
    assert [a.path for a in articles if a.derivative_of] == []


def test_without_headers_nothing_is_guessed(tmp_path):
    """Bodies stripped of their Outlet/Published lines: outlet and date stay unknown unless the text names them."""
    import re

    from agent.ingest import parse_file

    for path in sorted(REAL.glob("*/*.txt")):
        body = re.sub(r"^(Outlet|Published): .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
        copy = tmp_path / f"{path.parent.name}-{path.name}"
        copy.write_text(body, encoding="utf-8")
        a = parse_file(copy)
        assert a.published is None, (path, a.published_source)
        assert a.outlet is None or a.outlet_source.startswith("dateline:"), (path, a.outlet_source)
