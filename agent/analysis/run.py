"""The stages end to end: stored articles -> verified claims -> comparison (-> brief, in agent.brief.compose)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.analysis.compare import compare
from agent.text.entities import AliasTable
from agent.analysis.extract import PER_ARTICLE, ExtractReport, extract_claims
from agent.llm import LLM
from agent.prompts import load_prompt
from agent.store import Store
from agent.types import Article, Claim, Comparison, RunRecord

StageProgress = Callable[[str, int, int], None]


@dataclass
class Analysis:
    """Everything `compare` knows: the articles, their verified claims, the comparison, and what it cost."""

    articles: list[Article]
    claims: list[Claim]
    comparison: Comparison
    extract_report: ExtractReport
    run: RunRecord
    aliases: AliasTable | None = field(default=None, repr=False)


def select_articles(store: Store, article_ids: list[str] | None = None) -> list[Article]:
    """The stored articles to work on (all of them by default), oldest ingest first."""
    if article_ids:
        return [store.get_article(a) for a in article_ids]
    return store.list_articles()


def analyse(store: Store, llm: LLM, article_ids: list[str] | None = None, progress: StageProgress | None = None,
            per_article: int = PER_ARTICLE, concurrency: int = 4) -> Analysis:
    """Extract, verify, align and reconcile the chosen articles."""
    articles = select_articles(store, article_ids)
    if not articles:
        raise ValueError("no articles to analyse")
    run = RunRecord(model=llm.name)
    before = llm.usage.snapshot()
    t0 = time.perf_counter()
    claims, report = extract_claims(articles, llm, per_article=per_article, concurrency=concurrency,
                                    progress=(lambda d, n: progress("extract", d, n)) if progress else None)
    store.save_claims(llm.model_id, [a.id for a in articles], claims)
    run.stage_seconds["extract"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    aliases = AliasTable.from_texts({a.id: a.text for a in articles})
    comparison = compare(claims, articles, aliases)
    run.stage_seconds["compare"] = round(time.perf_counter() - t1, 2)
    if progress:
        progress("compare", 1, 1)
    account(run, llm, before, time.perf_counter() - t0)
    run.prompt_hashes["extract_claims"] = load_prompt("extract_claims").hash
    return Analysis(articles, claims, comparison, report, run, aliases)


def account(run: RunRecord, llm: LLM, before: dict, seconds: float) -> None:
    """Add the model usage since BEFORE and the elapsed seconds to a run record."""
    spent = llm.usage.since(before)
    run.model_calls += spent["calls"]
    run.cache_hits += spent["cache_hits"]
    run.prompt_tokens += spent["prompt_tokens"]
    run.completion_tokens += spent["completion_tokens"]
    run.tokens = run.prompt_tokens + run.completion_tokens
    run.seconds = round(run.seconds + seconds, 2)
