"""The optional LLM judge: does a brief sentence's cited text support it? Unusable answers are counted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


from agent.errors import ModelOutputError
from agent.evals.cases import Case
from agent.evals.gold import ResolvedGold
from agent.evals.results import Detail, ScoreResult, ratio
from agent.evals.runner import Judge, Predictions
from agent.evals.scorers import brief_sentences
from agent.brief.judge import judge_prompt, judge_statement
from agent.prompts import Prompt

def _sources(sentence: Mapping) -> list[str]:
    cites = sentence.get("citations") if isinstance(sentence.get("citations"), list) else []
    return [c["text"] for c in cites if isinstance(c, Mapping) and isinstance(c.get("text"), str)]


def judge_brief(brief: Any, llm: Any, prompt: Prompt) -> ScoreResult:
    """Ask the judge about every brief sentence; an unusable answer counts as unsupported and as a parse failure."""
    res = ScoreResult(scorer="judge")
    sentences = brief_sentences(brief, res)
    supported = failed = 0
    for k, s in enumerate(sentences):
        item = f"sentence:{k} {s['text'][:80]!r}"
        sources = _sources(s)
        if not sources:
            res.details.append(Detail(item=item, ok=False, why="cites nothing (not asked)", score=0.0))
            continue
        try:
            verdict = judge_statement(llm, prompt, s["text"], sources, "eval-judge")
        except ModelOutputError as exc:
            failed += 1
            res.details.append(Detail(item=item, ok=False, why=f"judge answer unusable: {exc}"))
            continue
        supported += verdict.supported
        res.details.append(Detail(item=item, ok=verdict.supported, why=verdict.reason if not verdict.supported else "",
                                  score=float(verdict.supported)))
    res.counts.update(sentences=len(sentences), supported=supported, parse_failures=failed)
    res.values.update(support_rate=ratio(supported, len(sentences), 0.0),
                      parse_failures=float(failed), parse_failure_rate=ratio(failed, len(sentences), 0.0))
    return res


def llm_judge(model: str) -> Judge:
    """A judge backed by MODEL (cached in the workspace like every other call)."""
    from agent.llm import open_llm
    from agent.store import open_store

    llm, prompt = open_llm(model, store=open_store()), judge_prompt()

    def judge(case: Case, preds: Predictions, gold: ResolvedGold) -> ScoreResult:
        return judge_brief(preds.brief, llm, prompt)

    return judge
