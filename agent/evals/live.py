"""The glue to the real stages: each case in a fresh store → ingest → analyse → brief → questions."""

from __future__ import annotations

import importlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent import config
from agent.evals.cases import Case
from agent.evals.record import model_slug
from agent.evals.runner import Predictions, Predictor

StageProgress = Callable[[str, int, int], None]  # (stage, done, total), as agent.analysis.run reports it
MEMO_TEMPLATE = "exec-memo"  # the prompt the memo rubric is scored against


def case_store_path(workdir: Path, case: Case, model: str) -> Path:
    """A fresh store file for one case and model (the folder is emptied first)."""
    folder = workdir / case.name / model_slug(model)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder / "store.sqlite3"


def as_json(obj: Any) -> Any:
    """A stage result as the plain JSON its `--format json` prints."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, (list, tuple)):
        return [as_json(o) for o in obj]
    return obj


def answer_json(ans: Any) -> dict:
    """The `ask --format json` fields the QA scorer reads."""
    if hasattr(ans, "model_dump"):
        return ans.model_dump(mode="json")
    return {"answer": getattr(ans, "answer", ""), "abstained": getattr(ans, "abstained", None),
            "citations": as_json(list(getattr(ans, "citations", []) or []))}


def prompt_hashes() -> dict[str, str]:
    """The hash of every prompt file present (recorded with the run, so prompt changes are visible)."""
    from agent.prompts import available_prompts, load_prompt

    return {name: load_prompt(name).hash for name in available_prompts()}


def staged(preds: Predictions, name: str, llm: Any, fn: Callable[[], Any]) -> Any:
    """Run one stage: its tokens, calls, cache hits and seconds recorded; a failure recorded, result None."""
    before = llm.usage.snapshot() if llm is not None else {}
    start = time.perf_counter()
    try:
        return fn()
    except Exception as exc:  # the case goes on: what this stage should have produced scores as missing
        preds.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        return None
    finally:
        spent = llm.usage.since(before) if llm is not None else {}
        cost = {k: spent.get(k, 0) for k in ("tokens", "calls", "cache_hits", "failures")}
        preds.costs[name] = cost | {"seconds": round(time.perf_counter() - start, 3)}


def ingest_case(case: Case, store: Any, preds: Predictions) -> None:
    """Ingest the case's articles; each file maps to its article by name, failures recorded."""
    from agent.ingest import ingest_paths

    report = staged(preds, "ingest", None, lambda: ingest_paths([case.articles_dir], store))
    if report is None:
        return
    preds.articles = {Path(a.path).name: a for a in report.existing + report.added}
    preds.errors.extend(f"ingest: {e}" for e in report.failed)


def ask_all(case: Case, store: Any, llm: Any, qa: Any, preds: Predictions) -> None:
    """Ask every gold question; a follow-up is asked with its conversation so far."""
    turns: dict[str, list] = {}
    for q in case.gold.questions:
        history = list(turns.get(q.follows, [])) if q.follows else []
        ans = staged(preds, f"qa:{q.id}", llm, lambda: qa.answer(q.q, store, llm, history=history or None))
        if ans is not None:
            preds.answers[q.id] = answer_json(ans)
            turns[q.id] = history + [(q.q, ans)]
    qa_costs = [preds.costs.pop(k) for k in [k for k in preds.costs if k.startswith("qa:")]]
    if qa_costs:
        preds.costs["qa"] = {k: round(sum(c[k] for c in qa_costs), 3) for k in qa_costs[0]}


def _summary(report: Any) -> Any:
    return report.summary() if hasattr(report, "summary") else as_json(report)


def briefs(case: Case, analysis: Any, llm: Any, preds: Predictions) -> None:
    """The brief, and the memo when the case has a rubric for it."""
    brief_mod = importlib.import_module("agent.brief.compose")
    brief = staged(preds, "brief", llm, lambda: brief_mod.make_brief(analysis, llm))
    preds.brief = as_json(brief)
    if brief is not None:
        preds.prompt_hashes.update(brief.run.prompt_hashes)
    if case.gold.memo_rubric:
        memo = staged(preds, "memo", llm, lambda: brief_mod.make_brief(analysis, llm, template=MEMO_TEMPLATE))
        preds.memo = as_json(memo)


def predict_case(case: Case, llm: Any, store: Any, progress: StageProgress | None = None) -> Predictions:
    """One case through the real stages with LLM, in STORE (fresh, holding only this case)."""
    pipeline, qa = importlib.import_module("agent.analysis.run"), importlib.import_module("agent.qa.answer")
    preds = Predictions()
    ingest_case(case, store, preds)
    analysis = staged(preds, "analyse", llm, lambda: pipeline.analyse(store, llm, progress=progress))
    if analysis is not None:
        preds.extract = {"claims": as_json(analysis.claims), "summary": _summary(analysis.extract_report)}
        preds.compare = as_json(analysis.comparison)
        preds.prompt_hashes.update(analysis.run.prompt_hashes)
        briefs(case, analysis, llm, preds)
    ask_all(case, store, llm, qa, preds)
    return preds


def pipeline_predictor(model: str, *, no_cache: bool = False, workdir: Path | None = None,
                       progress: StageProgress | None = None) -> Predictor:
    """A predictor running each case through the real pipeline with MODEL; calls cached in the workspace."""
    from agent.llm import open_llm
    from agent.store import Store, open_store

    for module in ("agent.analysis.run", "agent.brief.compose", "agent.qa.answer"):  # fail now, once, rather than once per case
        importlib.import_module(module)
    workdir = workdir or config.home_dir() / "eval-work"
    # The cache and call log live in the workspace store, so a re-run is cheap even though each case's
    # articles go into a fresh store of their own.
    llm = open_llm(model, store=open_store(), use_cache=not no_cache)
    hashes = prompt_hashes()

    def predict(case: Case) -> Predictions:
        store = Store(case_store_path(workdir, case, model))
        try:
            preds = predict_case(case, llm, store, progress)
        finally:
            store.close()
        preds.prompt_hashes = hashes | preds.prompt_hashes
        return preds

    return predict
