"""QA bench: per local model, latency to the first answer token and to the checked answer, plus gold QA scores.

Run: `python -m agent.bench.qa [CASE_DIR] -m local:qwen2.5-coder-1.5b -m local:qwen2.5-coder-0.5b [--mode stream]`
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.evals.cases import load_case, resolve_refs
from agent.evals.scorers import score_qa
from agent.store import Store
from agent.resources import evals_dir

DEFAULT_CASE = evals_dir() / "cases" / "lukashenko-china-2023"


@dataclass
class QABench:
    """One model on one case: latencies (seconds), QA scores, and what each question got."""

    model: str
    mode: str
    questions: int
    first_token_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)

    def row(self) -> list[str]:
        """The table row: medians and maxima of both latencies, then the scores."""
        med = lambda xs: f"{statistics.median(xs):.1f}" if xs else "-"  # noqa: E731
        top = lambda xs: f"{max(xs):.1f}" if xs else "-"  # noqa: E731
        return [self.model, self.mode, str(self.questions), med(self.first_token_s), top(self.first_token_s),
                med(self.answer_s), top(self.answer_s), f"{self.scores.get('qa_accuracy', 0):.2f}",
                f"{self.scores.get('abstention_precision', 0):.2f}", f"{self.scores.get('abstention_recall', 0):.2f}"]


def _ask(question: str, store: Store, llm, history: list, mode: str) -> tuple[object, float | None, float]:
    """One answer with its time to the first streamed token (None when nothing streamed) and in total."""
    from agent.qa.answer import Answer, answer, stream_answer

    start, first = time.perf_counter(), None
    if mode == "structured":
        result = answer(question, store, llm, history=history)
        return result, None, time.perf_counter() - start
    result = None
    for piece in stream_answer(question, store, llm, history=history):
        if isinstance(piece, Answer):
            result = piece
        elif first is None:
            first = time.perf_counter() - start
    return result, first, time.perf_counter() - start


def run(model: str, case_dir: Path = DEFAULT_CASE, mode: str = "stream", limit: int | None = None) -> QABench:
    """Ingest the case into a fresh store and ask its gold questions (follow-ups with their conversation)."""
    from agent.ingest import ingest_paths
    from agent.llm import open_llm

    case = load_case(case_dir)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        report = ingest_paths([case.articles_dir], store)
        by_file = {Path(a.path).name: a for a in report.added + report.existing}
        gold = resolve_refs(case, by_file)
        llm = open_llm(model, store=None, use_cache=False)
        questions = case.gold.questions[:limit] if limit else case.gold.questions
        bench, preds, turns = QABench(model, mode, len(questions)), {}, {}
        for q in questions:
            history = list(turns.get(q.follows, [])) if q.follows else []
            result, first, total = _ask(q.q, store, llm, history, mode)
            turns[q.id] = history + [(q.q, result)]
            preds[q.id] = result.to_json()
            bench.answer_s.append(total)
            if first is not None:
                bench.first_token_s.append(first)
            bench.details.append({"id": q.id, "kind": q.kind, "answer": result.answer, "abstained": result.abstained,
                                  "notes": result.notes, "seconds": round(total, 2)})
            print(f"{model} {q.id}: {total:.1f}s abstained={result.abstained} {result.answer[:100]!r} "
                  f"{[c.index for c in result.citations]} {result.notes[-1:]}", file=sys.stderr, flush=True)
        store.close()
    scored = score_qa(preds, gold, {a.id: a for a in by_file.values()})
    bench.scores = dict(scored.values) | {k: float(v) for k, v in scored.counts.items()}
    for d, detail in zip(bench.details, [x for x in scored.details if x.item.split()[0][2:] in preds]):
        d.update(ok=detail.ok, why=detail.why)
    return bench


def print_table(results: list[QABench]) -> None:
    """Print the per-model table."""
    from rich.console import Console
    from rich.table import Table

    table = Table("model", "mode", "questions", "first token s (median)", "max", "answer s (median)", "max",
                  "qa accuracy", "abstention precision", "abstention recall", title="bench qa")
    for r in results:
        table.add_row(*r.row())
    Console().print(table)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: bench each -m model on a case and print the table (and details with --details)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=DEFAULT_CASE)
    parser.add_argument("-m", "--model", action="append", dest="models")
    parser.add_argument("--mode", choices=["stream", "structured"], default="stream")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--details", action="store_true", help="print each question's answer and verdict")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    results = [run(m, args.case, args.mode, args.limit) for m in args.models or ["local:qwen2.5-coder-1.5b"]]
    print_table(results)
    if args.details:
        for r in results:
            for d in r.details:
                mark = "ok " if d.get("ok") else "BAD"
                print(f"{mark} {r.model} {d['id']:<24} {d['seconds']:>5}s abst={d['abstained']!s:<5} "
                      f"{d['answer'][:110]!r} {d.get('why', '')} {d['notes'][-1:] if d['abstained'] else ''}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
