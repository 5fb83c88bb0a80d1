"""`bench extract` and `bench brief`: cold and warm cost of the stages, and a plain map-reduce summary beside them."""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.brief.compose import make_brief
from agent.analysis.extract import extract_claims
from agent.ingest import ingest_paths
from agent.llm import get_chat_model, open_llm
from agent.analysis.run import analyse
from agent.store import Store
from agent.resources import evals_dir

SAMPLE = evals_dir() / "cases" / "lukashenko-china-2023" / "articles"


@dataclass
class StageCost:
    """One timed run: wall seconds, model calls, tokens, and (local models) llama.cpp's own timings."""

    label: str
    seconds: float
    calls: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    prompt_eval_s: float | None = None
    generation_s: float | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain dict for --json."""
        return asdict(self)


def _contexts(llm) -> list:
    """llama.cpp contexts behind a local model: its own, and the batcher's when batching is on."""
    chat = llm.chat
    if not hasattr(chat, "llama"):
        return []
    from agent.llm.local import _BATCHERS

    return [chat.llama()._ctx.ctx] + [b.decoder.ctx for k, b in _BATCHERS.items() if k[0] == chat.model_path]


def _perf_reset(llm) -> None:
    """Zero llama.cpp's timers (local models only)."""
    import llama_cpp

    for ctx in _contexts(llm):
        llama_cpp.llama_perf_context_reset(ctx)


def perf_counts(llm) -> tuple[float, float, int, int] | None:
    """Prompt seconds, generation seconds, prompt tokens evaluated, tokens generated since the last reset."""
    contexts = _contexts(llm)
    if not contexts:
        return None
    import llama_cpp

    data = [llama_cpp.llama_perf_context(ctx) for ctx in contexts]
    return (sum(d.t_p_eval_ms for d in data) / 1000, sum(d.t_eval_ms for d in data) / 1000,
            sum(d.n_p_eval for d in data), sum(d.n_eval for d in data))


def _perf(llm) -> tuple[float | None, float | None]:
    """Seconds llama.cpp spent on prompt processing and on generation since the last reset."""
    counts = perf_counts(llm)
    return (None, None) if counts is None else counts[:2]


def _cost(label: str, llm, before: dict, start: float, **extra) -> StageCost:
    spent = llm.usage.since(before)
    p_eval, gen = _perf(llm)
    return StageCost(label, round(time.perf_counter() - start, 1), spent["calls"], spent["cache_hits"],
                     spent["prompt_tokens"], spent["completion_tokens"],
                     None if p_eval is None else round(p_eval, 1), None if gen is None else round(gen, 1), extra)


def bench_extract(model: str | None, corpus: Path = SAMPLE) -> list[StageCost]:
    """Extraction of a corpus, cold (fresh cache) then warm (same cache)."""
    with tempfile.TemporaryDirectory() as home:
        store = Store(Path(home) / "bench.sqlite3")
        ingest_paths([str(corpus)], store)
        articles = store.list_articles()
        llm = open_llm(model, store=store)
        results = []
        for label in ("cold", "warm"):
            _perf_reset(llm)
            before, start = llm.usage.snapshot(), time.perf_counter()
            claims, report = extract_claims(articles, llm)
            results.append(_cost(f"extract {label}", llm, before, start, claims=len(claims),
                                 dropped=dict(report.rejections.counts), failed=len(report.failed_chunks)))
        store.close()
    return results


def bench_brief(model: str | None, corpus: Path = SAMPLE, baseline: bool = True) -> list[StageCost]:
    """The whole brief cold and warm, and a plain LangChain map-reduce summary on the same model."""
    results = []
    with tempfile.TemporaryDirectory() as home:
        store = Store(Path(home) / "bench.sqlite3")
        ingest_paths([str(corpus)], store)
        llm = open_llm(model, store=store)
        for label in ("cold", "warm"):
            _perf_reset(llm)
            before, start = llm.usage.snapshot(), time.perf_counter()
            brief = make_brief(analyse(store, llm, per_article=0), llm)  # as `newsagent brief` does
            cited = sum(1 for s in brief.sections for x in s.sentences if x.citations)
            results.append(_cost(f"newsagent brief {label}", llm, before, start, sentences_cited=cited,
                                 facts=sum(len(s.sentences) for s in brief.sections[1:2])))
        articles = store.list_articles()
        store.close()
    if baseline:
        results.append(map_reduce(model, [a.text for a in articles]))
    return results


def map_reduce(model: str | None, texts: list[str]) -> StageCost:
    """A plain LangChain map-reduce summary: summarise each article, then summarise the summaries (no cache)."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from agent.llm.calls import LLM

    chat = get_chat_model(model, max_tokens=400)
    counter = LLM(chat, "bench", store=None, use_cache=False)
    mapper = ChatPromptTemplate.from_messages([("system", "Summarise this news article in a short paragraph."),
                                               ("user", "{text}")]) | chat
    reducer = ChatPromptTemplate.from_messages([("system", "Combine these summaries of news articles about one "
                                                 "event into one summary."), ("user", "{text}")]) | chat
    _perf_reset(counter)
    start = time.perf_counter()
    parts = [mapper.invoke({"text": t}) for t in texts]
    final = reducer.invoke({"text": "\n\n".join(StrOutputParser().invoke(p) for p in parts)})
    messages = parts + [final]
    usage = [m.usage_metadata or {} for m in messages]
    p_eval, gen = _perf(counter)
    return StageCost("LangChain map-reduce", round(time.perf_counter() - start, 1), len(messages), 0,
                     sum(u.get("input_tokens", 0) for u in usage), sum(u.get("output_tokens", 0) for u in usage),
                     None if p_eval is None else round(p_eval, 1), None if gen is None else round(gen, 1),
                     {"sentences_cited": 0, "summary_words": len(str(final.content).split())})
