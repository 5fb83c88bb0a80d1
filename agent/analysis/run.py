"""The stages end to end: stored articles -> annotated sentences -> facts and their relations -> verified claims
-> the comparison (-> the brief, in agent.brief.compose)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent import config
from agent.analysis.align import group_sentences
from agent.analysis.annotate import Annotations, Key, annotate
from agent.analysis.candidates import candidate_pairs
from agent.analysis.compare import compare
from agent.analysis.extract import PER_ARTICLE, ExtractReport, extract_claims
from agent.analysis.judge import Mode, Relation, relate
from agent.llm import LLM
from agent.llm.embed import embed_cached, open_embedder
from agent.prompts import load_prompt
from agent.store import Store
from agent.text.entities import AliasTable
from agent.types import Article, Claim, Comparison, RunRecord

StageProgress = Callable[[str, int, int], None]


@dataclass
class Analysis:
    """Everything the comparison knows: articles, annotated sentences, relations, claims, facts, and the cost."""

    articles: list[Article]
    claims: list[Claim]
    comparison: Comparison
    extract_report: ExtractReport
    run: RunRecord
    ann: Annotations | None = field(default=None, repr=False)
    relations: list[Relation] = field(default_factory=list, repr=False)
    mode: Mode = "model"

    @property
    def aliases(self) -> AliasTable | None:
        """The corpus's names grouped into entities."""
        return self.ann.aliases if self.ann else None


def select_articles(store: Store, article_ids: list[str] | None = None) -> list[Article]:
    """The stored articles to work on (all of them by default), oldest ingest first."""
    if article_ids:
        return [store.get_article(a) for a in article_ids]
    return store.list_articles()


def embedder_for(llm: LLM):
    """The sentence embedder: NEWSAGENT_EMBEDDER, else the fake one for the fake model, else MiniLM."""
    name = os.environ.get("NEWSAGENT_EMBEDDER") or ("fake" if llm.name.startswith("fake") else "minilm")
    return open_embedder(name)


def analyse(store: Store, llm: LLM, article_ids: list[str] | None = None, progress: StageProgress | None = None,
            per_article: int = PER_ARTICLE, concurrency: int = 4, mode: Mode | None = None) -> Analysis:
    """Annotate, relate, group and reconcile the chosen articles, and extract PER_ARTICLE claims from each (0: none).

    MODE: "model" asks the model about uncertain pairs, "rules" decides them by code; default `config.compare_mode()`.
    """
    mode = mode or config.compare_mode()
    articles = select_articles(store, article_ids)
    if not articles:
        raise ValueError("no articles to analyse")
    run, before, t0 = RunRecord(model=llm.name), llm.usage.snapshot(), time.perf_counter()
    embedder = embedder_for(llm)
    ann = annotate(articles, lambda texts: embed_cached(embedder, texts, store))
    relations, asked = relate(ann, candidate_pairs(ann), llm, mode)
    run.model_checks.update(asked)
    groups = group_sentences(ann, relations)
    _tick(progress, "compare", run, t0)
    claims, report = [], ExtractReport()
    if per_article > 0:  # the comparison and the brief stand on sentences: claims are for `extract` and the evals
        t1 = time.perf_counter()
        claims, report = extract_claims(articles, llm, per_article=per_article, concurrency=concurrency,
                                        priority=shared_sentences(groups, ann), ann=ann,
                                        progress=(lambda d, n: progress("extract", d, n)) if progress else None)
        run.stage_seconds["extract"] = round(time.perf_counter() - t1, 2)
    comparison = compare(ann, relations, groups, claims)
    account(run, llm, before, time.perf_counter() - t0)
    run.prompt_hashes.update({name: load_prompt(name).hash for name in ("extract_claims", "compare_pairs")})
    return Analysis(articles, claims, comparison, report, run, ann, relations, mode)


def _tick(progress: StageProgress | None, stage: str, run: RunRecord, start: float) -> None:
    run.stage_seconds[stage] = round(time.perf_counter() - start, 2)
    if progress:
        progress(stage, 1, 1)


def shared_sentences(groups: list[list[Key]], ann: Annotations) -> set[Key]:
    """Sentences in facts that two or more independent outlets state: where extraction spends first."""
    return {k for g in groups if len({ann.outlet(x) for x in g}) > 1 for k in g}


def account(run: RunRecord, llm: LLM, before: dict, seconds: float) -> None:
    """Add the model usage since BEFORE and the elapsed seconds to a run record."""
    spent = llm.usage.since(before)
    run.model_calls += spent["calls"]
    run.cache_hits += spent["cache_hits"]
    run.prompt_tokens += spent["prompt_tokens"]
    run.completion_tokens += spent["completion_tokens"]
    run.tokens = run.prompt_tokens + run.completion_tokens
    run.seconds = round(run.seconds + seconds, 2)
