"""`bench batch`: generated tokens/s with 1, 2, 4, 8 sequences decoded per step on the embedded model."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from agent.bench.model import FILLER
from agent.llm import get_chat_model
from agent.llm.batch import BatchDecoder, Job
from agent.llm.local import LocalChatModel, machine_turn, schema_gbnf

QUESTION = "In one paragraph, what did report {n} of this accord say about patrols? Write it in your own words."


@dataclass
class BatchRow:
    """One width: tokens generated, seconds after the prefill, and the speed against one sequence."""

    sequences: int
    prompt_tokens: int
    prefill_s: float
    generated: int
    generation_s: float
    tokens_per_s: float
    speedup: float = 1.0
    same_as_alone: bool | None = None

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def _jobs(chat: LocalChatModel, n: int, max_tokens: int, grammar: str | None) -> list[Job]:
    """N prompts with a shared ~450-token prefix and a different last line each (like extraction chunks)."""
    out = []
    for i in range(n):
        msgs = [SystemMessage(content="You summarise news reports."),
                HumanMessage(content=FILLER * 15 + "\n\n" + QUESTION.format(n=i + 1))]
        out.append(Job(chat.prompt_tokens(msgs), max_tokens, grammar))
    return out


def run(model: str | None = None, widths: tuple[int, ...] = (1, 2, 4, 8), max_tokens: int = 64,
        grammar: bool = False, repeats: int = 1) -> list[BatchRow]:
    """Decode WIDTHS sequences at once (fresh prefix each time) and time the generation steps; with REPEATS,
    the widths take turns and each keeps its fastest round (a shared machine's noise only ever slows a round)."""
    chat = get_chat_model(model, max_tokens=max_tokens)
    if not isinstance(chat, LocalChatModel):
        raise ValueError("bench batch measures the embedded model (local:…)")
    gbnf = schema_gbnf(json.dumps(_Summary.model_json_schema())) if grammar else None
    threads = os.cpu_count() or 1
    decoder = BatchDecoder(chat.llama(), max(widths), 8192, threads)
    rows, alone = {}, None
    try:
        for width in [w for _ in range(repeats) for w in widths]:
            jobs = _jobs(chat, width, max_tokens, gbnf)
            decoder.kept = []  # time the prefill too, never reuse the previous width's
            with machine_turn(chat.model_path):
                start = time.perf_counter()
                done, prefill = _timed_run(decoder, jobs)
                total = time.perf_counter() - start
            gen = sum(d.completion_tokens for d in done)
            alone = alone or done[0].tokens
            row = BatchRow(width, sum(len(j.tokens) for j in jobs), round(prefill, 2), gen, round(total - prefill, 2),
                           round(gen / max(total - prefill, 1e-9), 1), same_as_alone=done[0].tokens == alone)
            if width not in rows or row.tokens_per_s > rows[width].tokens_per_s:
                rows[width] = row
    finally:
        decoder.close()
    rows = [rows[w] for w in widths]
    for r in rows:
        r.speedup = round(r.tokens_per_s / rows[0].tokens_per_s, 2)
    return rows


def _timed_run(decoder: BatchDecoder, jobs: list[Job]) -> tuple[list, float]:
    """Run JOBS, returning the results and the seconds spent before the first generation step."""
    marks: dict[str, float] = {}
    original = decoder._generate

    def timed(js, nxt):
        marks["prefill_end"] = time.perf_counter()
        return original(js, nxt)

    decoder._generate = timed
    try:
        start = time.perf_counter()
        done = decoder.run(jobs)
    finally:
        decoder._generate = original
    return done, marks["prefill_end"] - start


class _Summary(BaseModel):
    """A grammar-constrained answer for the grammar variant of the benchmark."""

    summary: str
