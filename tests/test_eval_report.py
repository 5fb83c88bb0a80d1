"""The run report on a hand-made run: worst case first, failing brief sentences, missed gold, escaping."""

from __future__ import annotations

from agent.evals.record import CaseResult, EvalRun
from agent.evals.report import html_report, markdown_report
from agent.evals.results import Detail


def hand_made_run() -> EvalRun:
    """Two cases: `good` scores well; `bad` has an unsupported sentence, a missed fact and a stage error."""
    good = CaseResult(case="good", metrics={"citations.support_rate": 1.0, "brief_coverage.key_fact_coverage": 1.0},
                      tokens=100, seconds=2.0)
    bad = CaseResult(
        case="bad",
        metrics={"citations.support_rate": 0.5, "brief_coverage.key_fact_coverage": 0.0, "qa.qa_accuracy": 0.5},
        failures={
            "citations": [Detail(item="sentence:1 'Seventeen people died | officials said.'", ok=False,
                                 why="support 0.20", score=0.2)],
            "brief_coverage": [Detail(item="fact:dead", ok=False, why="not in the brief: 14 people died.")],
            "claims": [Detail(item="claim:c9", ok=False, why="only 0.10 of 'x' found", score=0.1),
                       Detail(item="fact:missing", ok=False, why="no claim cites: 9 are missing.")],
            "leakage": [Detail(item="canaries:'<script>alert(1)</script>'", ok=False, why="found in brief")],
        },
        errors=["qa:who: StructuredOutputError: bad JSON"],
        tokens=300, seconds=5.0)
    return EvalRun(run_id="20260101-000000-local-m", created="2026-01-01T00:00:00+00:00", suite="synthetic",
                   model="local:m", code_version="0.1.0+abc-dirty", dirty=True, prompt_hashes={"brief": "0123abcd"},
                   cases=[good, bad], tokens=400, seconds=7.0)


def test_markdown_puts_the_worst_case_first_with_its_failures():
    md = markdown_report(hand_made_run())
    assert md.startswith("# Eval run 20260101-000000-local-m")
    assert md.index("### bad: quality 0.333") < md.index("### good: quality 1.000")
    assert "- model: local:m" in md and "(uncommitted changes)" in md and "| brief | 0123abcd |" in md
    bad = md[md.index("### bad"):md.index("### good")]
    assert "Brief sentences that fail" in bad and "Seventeen people died \\| officials said" not in bad  # list, not table
    assert "- sentence:1 'Seventeen people died | officials said.': support 0.20" in bad
    assert "Gold facts the brief missed:\n\n- fact:dead: not in the brief: 14 people died." in bad
    assert "Key facts no claim covers:\n\n- fact:missing: no claim cites: 9 are missing." in bad
    assert "Claims not grounded in the sentences they cite:\n\n- claim:c9" in bad
    assert "- qa:who: StructuredOutputError: bad JSON" in bad


def test_markdown_metric_table_has_mean_and_spread():
    md = markdown_report(hand_made_run())
    assert "| metric | mean | min | max | stdev | cases |" in md
    assert "| citations.support_rate | 0.750 | 0.500 | 1.000 | 0.354 | 2 |" in md
    assert "| qa.qa_accuracy | 0.500 | 0.500 | 0.500 | 0.000 | 1 |" in md


def test_html_is_escaped_and_self_contained():
    page = html_report(hand_made_run())
    assert page.startswith("<!doctype html>") and "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("bad: quality") < page.index("good: quality")
    assert "<li>fact:dead: not in the brief: 14 people died.</li>" in page
