"""The real embedded model through the whole chain on a tiny synthetic event (kept small for CI's time)."""

from __future__ import annotations

import pytest

from agent.brief.compose import make_brief
from agent.brief.citecheck import span_ok
from agent.ingest import ingest_paths
from agent.llm import open_llm
from agent.analysis.run import analyse

pytestmark = pytest.mark.real_model
MODEL = "local:qwen2.5-coder-1.5b"

PREVIEW = """---
title: Minister to open Harlow bridge
outlet: Harlow Herald
published: 2025-05-05
---
Transport Minister Elena Marsh was set to open the new Harlow river bridge on Tuesday.
The bridge cost 48 million pounds and took three years to build.
"""
REPORT = """---
title: Harlow bridge opens
outlet: Valley Times
published: 2025-05-06
---
Transport Minister Elena Marsh opened the new Harlow river bridge on Tuesday.
"This bridge joins two towns that were always one community," Marsh told the crowd.
The bridge cost 48 million pounds and took three years to build.
"""


def test_small_event_end_to_end_with_the_real_model(tmp_path, store):
    (tmp_path / "preview.md").write_text(PREVIEW)
    (tmp_path / "report.md").write_text(REPORT)
    report = ingest_paths([str(tmp_path)], store)
    assert not report.failed
    llm = open_llm(MODEL, store=store)
    analysis = analyse(store, llm, per_article=3)
    assert analysis.claims and not analysis.extract_report.failed_chunks
    opened = [c for c in analysis.claims if "open" in c.predicate.lower()]
    assert {c.modality for c in opened} >= {"planned_or_expected"}
    timing = [d for d in analysis.comparison.divergences if d.kind == "timing_of_report"]
    assert timing and timing[0].resolution == "event_happened"
    brief = make_brief(analysis, llm)
    by_id = {a.id: a for a in analysis.articles}
    sentences = [s for sec in brief.sections for s in sec.sentences]
    assert sentences and all(s.citations and all(span_ok(c, by_id) for c in s.citations) for s in sentences)
    calls = llm.usage.calls
    make_brief(analyse(store, llm, per_article=3), llm)
    assert llm.usage.calls == calls  # the re-run is served from the cache
