"""`bench floor`: the cold brief per stage against the model's floor, the warm re-run, and map-reduce beside it."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent.bench.pipeline import SAMPLE, _perf_reset, map_reduce, perf_counts
from agent.ingest import ingest_paths
from agent.llm import get_chat_model, open_llm
from agent.store import Store


@dataclass
class StageFloor:
    """One stage: what it spent, and the least the model could spend on the same job."""

    stage: str
    seconds: float
    prompt_tokens: int  # processed by the model (re-reads, templates and re-asks included)
    read_tokens: int  # what must be read once
    completion_tokens: int
    write_tokens: int  # what must be written: the answers' values, not their JSON syntax
    prompt_eval_s: float | None = None
    generation_s: float | None = None
    evaluated: int = 0  # prompt tokens llama.cpp really evaluated (the rest came from its prefix cache)
    generated: int = 0
    floor_s: float = 0.0
    in_brief: bool = True  # False: measured beside the brief (claims run for `extract` and the evals only)

    @property
    def above(self) -> float:
        """Seconds spent above the floor."""
        return round(self.seconds - self.floor_s, 1)

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self) | {"above_s": self.above}


@dataclass
class FloorReport:
    """The table's rows and the lines under it."""

    model: str
    prompt_rate: float
    generation_rate: float
    stages: list[StageFloor] = field(default_factory=list)
    warm_s: float = 0.0
    map_reduce_s: float | None = None
    corpus_tokens: int = 0

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self) | {"stages": [s.as_dict() for s in self.stages]}


def token_count(model: str | None, text: str) -> int:
    """Tokens of TEXT in the model's own tokenizer (words × 1.3 for remote models)."""
    chat = get_chat_model(model)
    if hasattr(chat, "llama"):
        return len(chat.llama().tokenize(text.encode("utf-8"), add_bos=False, special=False))
    return int(len(text.split()) * 1.3)


def answer_values(store: Store, purpose: str, since_id: int) -> list[str]:
    """The string values of the cached answers logged for PURPOSE since a call-log id."""
    rows = store.query("SELECT DISTINCT key FROM llm_calls WHERE purpose=? AND id>? AND cache_hit=0",
                       (purpose, since_id))
    values: list[str] = []
    for row in rows:
        cached = store.cache_get(row["key"])
        if cached is not None:
            values += _strings(json.loads(cached["response"], strict=False))
    return values


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _last_call_id(store: Store) -> int:
    return int(store.query("SELECT COALESCE(MAX(id), 0) AS n FROM llm_calls")[0]["n"])


def measure_stage(name: str, purpose: str, fn, llm, store: Store, model: str | None, read_text):
    """Run FN once (cold), timing it and counting what it read (READ_TEXT, or READ_TEXT(result)) and wrote."""
    _perf_reset(llm)
    before, since, start = llm.usage.snapshot(), _last_call_id(store), time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    spent = llm.usage.since(before)
    read_text = read_text(result) if callable(read_text) else read_text
    counts = perf_counts(llm)
    written = " ".join(answer_values(store, purpose, since))
    stage = StageFloor(name, round(seconds, 1), spent["prompt_tokens"], token_count(model, read_text),
                       spent["completion_tokens"], token_count(model, written) if written else 0)
    if counts:
        stage.prompt_eval_s, stage.generation_s = round(counts[0], 1), round(counts[1], 1)
        stage.evaluated, stage.generated = counts[2], counts[3]
    return stage, result


def run(model: str | None, corpus: Path = SAMPLE, baseline: bool = True) -> FloorReport:
    """The cold brief stage by stage against its floor (the claims stage beside it: `extract` runs it, the brief
    does not), then the warm re-run and the map-reduce summary."""
    from agent.analysis.extract import extract_claims
    from agent.analysis.run import analyse
    from agent.brief.compose import make_brief

    with tempfile.TemporaryDirectory() as home:
        store = Store(Path(home) / "bench.sqlite3")
        ingest_paths([str(corpus)], store)
        articles = store.list_articles()
        llm = open_llm(model, store=store)
        compare, analysis = measure_stage("compare (pairs judged)", "compare",
                                          lambda: analyse(store, llm, per_article=0), llm, store, model, judged_text)
        listing = lead_listing(analysis.comparison)
        brief, _ = measure_stage("brief (lead)", "brief", lambda: make_brief(analysis, llm), llm, store, model,
                                 listing)
        claims, _ = measure_stage("claims (extract only)", "extract",
                                  lambda: extract_claims(articles, llm, ann=analysis.ann), llm, store, model,
                                  "\n".join(a.text for a in articles))
        claims.in_brief = False
        start = time.perf_counter()
        make_brief(analyse(store, llm, per_article=0), llm)
        warm = time.perf_counter() - start
        store.close()
    report = FloorReport(llm.name, *rates(compare, brief, claims), [compare, brief, claims], round(warm, 2),
                         corpus_tokens=token_count(model, "\n".join(a.text for a in articles)))
    for s in report.stages:
        s.floor_s = round(s.read_tokens / report.prompt_rate + s.write_tokens / report.generation_rate, 1)
    if baseline:
        report.map_reduce_s = map_reduce(model, [a.text for a in articles]).seconds
    return report


def lead_listing(comparison) -> str:
    """The facts the lead is written from, as the model is shown them: what the lead must read."""
    from agent.brief.lead import lead_facts, listing

    return listing(lead_facts(comparison), comparison)


def judged_text(analysis) -> str:
    """The sentences of the pairs the model was asked about (the controls too), each once, as it was shown them:
    what judging must read at the least."""
    from agent.analysis.candidates import candidate_pairs
    from agent.analysis.judge import _band, controls, shown, sure, to_ask

    ann = analysis.ann
    pairs = candidate_pairs(ann)
    asked = to_ask(ann, _band(pairs), [r for r in analysis.relations if sure(r.pair)])
    asked += list(controls(ann, pairs) or ())
    return "\n".join(shown(ann, k) for k in sorted({k for p in asked for k in (p.a, p.b)}))


def rates(*stages: StageFloor) -> tuple[float, float]:
    """Prompt and generation tokens/s the model reached in these very stages (llama.cpp's own timers)."""
    p_s = sum(s.prompt_eval_s or 0 for s in stages)
    g_s = sum(s.generation_s or 0 for s in stages)
    if not p_s or not g_s:  # a remote model: its wall time is all we know
        total = sum(s.seconds for s in stages) or 1.0
        return round(sum(s.prompt_tokens for s in stages) / total, 1), round(
            sum(s.completion_tokens for s in stages) / total, 1)
    return (round(sum(s.evaluated for s in stages) / p_s, 1), round(sum(s.generated for s in stages) / g_s, 1))
