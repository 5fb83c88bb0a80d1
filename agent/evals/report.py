"""A run's report for people: Markdown and HTML, worst cases first, with what failed and what was missed."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from agent.evals.record import HEADLINE, CaseResult, EvalRun
from agent.evals.results import Detail

# Scorer -> the heading its failures get in a case's section, in the order a reader wants them.
FAILURE_SECTIONS = (
    ("citations", "Brief sentences that fail (unsupported, uncited or invalid citations)"),
    ("judge", "Brief sentences the judge rejected"),
    ("brief_coverage", "Gold facts the brief missed"),
    ("claims:fact", "Key facts no claim covers"),
    ("claims:claim", "Claims not grounded in the sentences they cite"),
    ("divergences", "Divergences missed, wrongly resolved, or invented"),
    ("qa", "Questions answered wrongly"),
    ("rubric", "Memo rubric items not met"),
    ("leakage", "Boilerplate or injected canaries in the output"),
    ("derivatives", "Derivative links wrong"),
    ("facts", "Consensus facts missing or over-counted"),
)
PER_SECTION = 12  # failures listed per scorer and case; the run JSON keeps more


@dataclass
class Block:
    """One piece of a report: a heading, a paragraph, a list or a table."""

    kind: str  # h1 | h2 | h3 | p | ul | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"


def _head(run: EvalRun) -> list[Block]:
    dirty = " (uncommitted changes)" if run.dirty else ""
    facts = [f"model: {run.model}", f"suite: {run.suite} ({len(run.cases)} cases)", f"created: {run.created}",
             f"code: {run.code_version}{dirty}", f"scorer version: {run.scorer_version}",
             f"judge: {run.judge_model or 'none'}", f"cache: {'off (fresh calls)' if run.no_cache else 'on'}",
             f"tokens: {run.tokens:,.0f}", f"seconds: {run.seconds:,.1f}"]
    blocks = [Block("h1", f"Eval run {run.run_id}"), Block("ul", items=facts)]
    if run.prompt_hashes:
        blocks.append(Block("table", header=["prompt", "hash"], rows=sorted(map(list, run.prompt_hashes.items()))))
    return blocks


def _metrics(run: EvalRun) -> list[Block]:
    rows = []
    for metric in run.metric_names():
        s = run.summary(metric)
        if s is not None:
            rows.append([metric, _num(s.mean), _num(s.low), _num(s.high), _num(s.stdev), str(s.n)])
    return [Block("h2", "Metrics (mean over cases)"),
            Block("table", header=["metric", "mean", "min", "max", "stdev", "cases"], rows=rows)]


def _failure_lines(details: list[Detail]) -> list[str]:
    lines = [f"{d.item}: {d.why}" if d.why else d.item for d in details[:PER_SECTION]]
    if len(details) > PER_SECTION:
        lines.append(f"... and {len(details) - PER_SECTION} more in the run JSON")
    return lines


def _case(result: CaseResult) -> list[Block]:
    blocks = [Block("h3", f"{result.case}: quality {result.quality():.3f}")]
    shown = [[m, _num(result.metrics[m])] for m in HEADLINE if m in result.metrics]
    shown += [["tokens", _num(result.tokens)], ["seconds", f"{result.seconds:.1f}"]]
    blocks.append(Block("table", header=["metric", "value"], rows=shown))
    if result.errors:
        blocks += [Block("p", "Errors (counted as failures, not skipped):"), Block("ul", items=result.errors)]
    for key, title in FAILURE_SECTIONS:
        scorer, _, prefix = key.partition(":")
        failed = [d for d in result.failures.get(scorer) or [] if d.item.startswith(prefix)]
        if failed:
            blocks += [Block("p", f"{title}:"), Block("ul", items=_failure_lines(failed))]
    return blocks


def report_blocks(run: EvalRun) -> list[Block]:
    """The whole report as blocks: run facts, metric means, then every case worst first."""
    blocks = _head(run) + _metrics(run) + [Block("h2", "Cases, worst first")]
    for result in sorted(run.cases, key=lambda c: (c.quality(), c.case)):
        blocks += _case(result)
    return blocks


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(run: EvalRun) -> str:
    """The run's report as Markdown."""
    out = []
    for b in report_blocks(run):
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(b.kind[1])} {b.text}\n")
        elif b.kind == "p":
            out.append(f"{b.text}\n")
        elif b.kind == "ul":
            out.append("\n".join(f"- {i.replace(chr(10), ' ')}" for i in b.items) + "\n")
        else:
            lines = ["| " + " | ".join(map(_md_cell, b.header)) + " |", "|" + "---|" * len(b.header)]
            lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in b.rows]
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def _html_block(b: Block) -> str:
    e = html.escape
    if b.kind in ("h1", "h2", "h3", "p"):
        return f"<{b.kind}>{e(b.text)}</{b.kind}>"
    if b.kind == "ul":
        return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>"
    head = "".join(f"<th>{e(h)}</th>" for h in b.header)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
         "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
         "text-align:left}h3{margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}li{margin:.2rem 0}")


def html_report(run: EvalRun) -> str:
    """The run's report as one self-contained HTML page (no scripts, text escaped)."""
    body = "\n".join(_html_block(b) for b in report_blocks(run))
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(run.run_id)}"
            f"</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")
