"""Articles to verified claims: code picks the sentences, the model states each as who/did/what, code checks."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, create_model

from agent.analysis.annotate import Annotations
from agent.analysis.select import chunk_article, numbered_text
from agent.text.entities import AliasTable
from agent.errors import ModelOutputError
from agent.llm import LLM
from agent.prompts import load_prompt
from agent.analysis.select import Pick, pick_sentences
from agent.types import Article, Chunk, Claim
from agent.analysis.verify import Rejections, tidy, verify_claim

PER_ARTICLE = 6  # sentences extracted per article (those other outlets state first): cost is linear in it
CHUNK_TOKENS = 900
PER_CALL = 8  # sentences per model call: bounds what one runaway answer can cost
ProgressFn = Callable[[int, int], None]


class ClaimDraft(BaseModel):
    """What the model says one sentence is about: its subject and main verb phrase, copied from the sentence."""

    # Word-capped by the grammar: generation is the stage's cost, and code takes the rest of the fact from the
    # sentence. A word pattern, not maxLength (which llama.cpp expands char by char); words are capped too, or
    # a small model glues a whole clause into one "word". Named fields, not a [who, did] pair: the pair saves
    # a sixth of the tokens but the 1.5B model then splits sentences in halves instead of naming who and did.
    who: str = Field(pattern=r'^[^ "\\]{1,16}( [^ "\\]{1,16}){0,5}$')
    did: str = Field(pattern=r'^[^ "\\]{1,16}( [^ "\\]{1,16}){0,4}$')


@dataclass
class ExtractReport:
    """What extraction did: claims kept, drops by reason, failed chunks, model cost."""

    kept: int = 0
    projected: int = 0
    rejections: Rejections = field(default_factory=Rejections)
    failed_chunks: list[str] = field(default_factory=list)
    tokens: int = 0
    calls: int = 0
    cache_hits: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        """The JSON summary of the `extract` command."""
        return {"kept": self.kept, "projected": self.projected,
                "dropped_by_reason": dict(self.rejections.counts), "failed_chunks": self.failed_chunks,
                "tokens": self.tokens, "calls": self.calls, "cache_hits": self.cache_hits,
                "seconds": round(self.seconds, 2)}


@dataclass(frozen=True)
class Job:
    """One model call: an article's chunk and the picked sentences in it."""

    article: Article
    chunk: Chunk
    ids: list[int]


def draft_schema(ids: list[int]) -> type[BaseModel]:
    """A schema with exactly one required key per requested sentence, so the model cannot skip or loop."""
    fields = {f"S{i}": (ClaimDraft, ...) for i in ids}
    return create_model("SentenceClaims", **fields)  # type: ignore[call-overload]


def claim_id(article_id: str, sentence_ids: list[int], predicate: str) -> str:
    """A stable id for a claim."""
    digest = hashlib.sha1(f"{article_id}|{sentence_ids}|{predicate}".encode()).hexdigest()[:6]
    return f"{article_id[:6]}-s{sentence_ids[0]}-{digest}"


def plan_jobs(articles: list[Article], picks: list[Pick], chunk_tokens: int = CHUNK_TOKENS) -> list[Job]:
    """Group each article's picked sentences (not the near-copies) by chunk."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for p in picks:
        if p.copy_of is None:
            wanted[p.article_id].add(p.index)
    jobs = []
    for article in articles:
        for chunk in chunk_article(article, chunk_tokens):
            ids = [i for i in chunk.sentence_ids if i in wanted[article.id]]
            jobs += [Job(article, chunk, ids[k:k + PER_CALL]) for k in range(0, len(ids), PER_CALL)]
    return jobs


def run_job(job: Job, llm: LLM) -> list[Claim]:
    """Ask the model for one chunk's claims (unverified)."""
    prompt = load_prompt("extract_claims")
    article = job.article
    shown = numbered_text(article, job.ids)
    values = {"outlet": article.outlet or "unknown", "published": str(article.published or "unknown"),
              "sentences": shown, "keys": ", ".join(f"S{i}" for i in job.ids)}
    answer = llm.structured(prompt, values, draft_schema(job.ids), purpose="extract",
                            max_tokens=40 * len(job.ids) + 30)
    claims = []
    for i in job.ids:
        draft: ClaimDraft = getattr(answer, f"S{i}")
        subject, predicate = tidy(draft.who), tidy(draft.did)
        claims.append(Claim(id=claim_id(article.id, [i], predicate), article_id=article.id, sentence_ids=[i],
                            subject=subject, predicate=predicate))
    return claims


def project(claim: Claim, article: Article, index: int) -> Claim:
    """A claim of another article carried onto this article's near-identical sentence."""
    copy = claim.model_copy(deep=True, update={"article_id": article.id, "sentence_ids": [index],
                                               "notes": [f"projected from {claim.id} (near-identical sentence)"]})
    copy.id = claim_id(article.id, [index], claim.predicate)
    return copy


def extract_claims(articles: list[Article], llm: LLM, *, per_article: int = PER_ARTICLE, concurrency: int = 4,
                   progress: ProgressFn | None = None, priority: set[tuple[str, int]] | None = None,
                   ann: Annotations | None = None) -> tuple[list[Claim], ExtractReport]:
    """Verified claims for every article (PRIORITY sentences first), and what was kept, dropped and spent."""
    start, before = time.perf_counter(), llm.usage.snapshot()
    report = ExtractReport()
    picks = pick_sentences(articles, per_article, priority)
    jobs = plan_jobs(articles, picks)
    raw = _run_jobs(jobs, llm, report, concurrency, progress)
    by_sentence = {(c.article_id, c.sentence_ids[0]): c for c in raw}
    by_id = {a.id: a for a in articles}
    for p in picks:
        if p.copy_of is not None and p.copy_of in by_sentence:
            raw.append(project(by_sentence[p.copy_of], by_id[p.article_id], p.index))
            report.projected += 1
    aliases = ann.aliases if ann else AliasTable.from_texts({a.id: a.text for a in articles})
    notes = ann.notes if ann else {}
    shown = {a.id: {p.index for p in picks if p.article_id == a.id} for a in articles}
    claims = [c for c in (verify_claim(c, by_id[c.article_id], shown[c.article_id], aliases, report.rejections,
                                       notes.get((c.article_id, c.sentence_ids[0])))
                          for c in raw) if c is not None]
    report.kept = len(claims)
    _account(report, llm, before, start)
    return claims, report


def _run_jobs(jobs: list[Job], llm: LLM, report: ExtractReport, concurrency: int,
              progress: ProgressFn | None) -> list[Claim]:
    """Run the calls CONCURRENCY at a time, as far as the model runs calls in parallel (see `LLM.workers`)."""
    workers = llm.workers(concurrency)
    done, claims = 0, []

    def one(job: Job) -> list[Claim]:
        try:
            return run_job(job, llm)
        except ModelOutputError as exc:
            report.failed_chunks.append(f"{job.article.label} chunk {job.chunk.index}: {type(exc).__name__}: "
                                        f"{str(exc)[:120]}")
            return []

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(one, jobs):
            claims.extend(result)
            done += 1
            if progress:
                progress(done, len(jobs))
    return claims


def _account(report: ExtractReport, llm: LLM, before: dict, start: float) -> None:
    spent = llm.usage.since(before)
    report.tokens, report.calls, report.cache_hits = spent["tokens"], spent["calls"], spent["cache_hits"]
    report.seconds = time.perf_counter() - start

