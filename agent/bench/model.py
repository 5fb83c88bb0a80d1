"""`bench model`: load time, prompt and generation speed, and generation against the memory-bandwidth bound."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from agent.llm import get_chat_model, resolve_model
from agent.llm.local import LocalChatModel, machine_turn

# A news-like paragraph repeated to make a prompt of a realistic chunk size (~600 tokens).
FILLER = ("The two governments signed the fisheries accord in Hallvik on Tuesday, ending a four-year dispute over "
          "herring quotas, patrol rights and the landing fees charged to each other's trawlers. ")
TASK = "Write a 300-word news report about this accord, in plain paragraphs."


@dataclass
class ModelBench:
    """One model's figures (None where a figure does not apply, e.g. the bound of a remote model)."""

    model: str
    model_bytes: int | None
    load_seconds: float | None
    prompt_tokens: int
    prompt_tokens_per_s: float
    generated_tokens: int
    generated_tokens_per_s: float
    copy_gb_per_s: float
    bound_tokens_per_s: float | None
    share_of_bound: float | None
    runs: int

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def copy_bandwidth(megabytes: int = 256, repeats: int = 5) -> float:
    """Memory copy bandwidth in GB/s (bytes copied per second), best of REPEATS, all cores copying at once."""
    import numpy as np

    threads = os.cpu_count() or 1
    n = megabytes * 2**20 // 8 // threads
    src = [np.random.default_rng(i).random(n) for i in range(threads)]
    dst = [np.empty_like(a) for a in src]
    best = 0.0
    for _ in range(repeats):
        workers = [threading.Thread(target=np.copyto, args=(d, s)) for d, s in zip(dst, src)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best = max(best, n * 8 * threads / (time.perf_counter() - start) / 1e9)  # numpy drops the GIL here
    return best


def _messages(run: int, prompt_words: int) -> list:
    # A different first line per run, so llama.cpp's prompt-prefix reuse cannot skip the prefill being timed.
    repeats = max(1, prompt_words // len(FILLER.split()))
    system = f"Run {run}: you write plain short lines of text."
    return [SystemMessage(content=system), HumanMessage(content=FILLER * repeats + "\n\n" + TASK)]


def _one_run(chat, run: int, prompt_words: int, max_tokens: int) -> tuple[int, float, int, float]:
    """(prompt tokens, seconds to the first token, tokens after the first, seconds after the first)."""
    messages = _messages(run, prompt_words)
    if isinstance(chat, LocalChatModel):
        return _local_run(chat, messages, max_tokens)
    start = time.perf_counter()
    first = end = None
    pieces, usage = 0, {}
    for chunk in chat.stream(messages, max_tokens=max_tokens, temperature=0.0):
        now = time.perf_counter()
        if chunk.content:
            pieces += 1
            first = first or now
            end = now
        usage = chunk.usage_metadata or usage
    if first is None:
        raise RuntimeError("the model generated nothing; cannot time generation")
    prompt_tokens = int(usage.get("input_tokens") or 0)
    generated = int(usage.get("output_tokens") or pieces)
    return prompt_tokens, first - start, max(0, generated - 1), max(end - first, 1e-9)


def _local_run(chat: LocalChatModel, messages: list, max_tokens: int) -> tuple[int, float, int, float]:
    """The same timings for the embedded model, clocked only once this process holds the machine's model turn."""
    tokens = chat.prompt_tokens(messages)
    with machine_turn(chat.model_path):  # other processes' generations queue on this lock: never time the wait
        start = time.perf_counter()
        # One part per token, plus a last part that only carries the finish reason (and usually no text).
        stamps = [time.perf_counter() for part in chat.llama().create_completion(
            prompt=tokens, max_tokens=max_tokens, temperature=0.0, stream=True)
            if part["choices"][0]["finish_reason"] is None or part["choices"][0]["text"]]
    if not stamps:
        raise RuntimeError("the model generated nothing; cannot time generation")
    return len(tokens), stamps[0] - start, len(stamps) - 1, max(stamps[-1] - stamps[0], 1e-9)


def run(name: str | None = None, runs: int = 3, prompt_words: int = 450, max_tokens: int = 128) -> ModelBench:
    """Load the model, then time RUNS prompts of about PROMPT_WORDS words each generating up to MAX_TOKENS."""
    ref = resolve_model(name)
    chat = get_chat_model(ref.name, max_tokens=max_tokens)
    load = None
    if ref.provider == "local":
        start = time.perf_counter()
        chat.llama()  # the first call loads the file; later stages reuse the instance
        load = time.perf_counter() - start
    _one_run(chat, -1, 40, 8)  # warm-up: first-call allocations are not part of the steady state
    results = [_one_run(chat, r, prompt_words, max_tokens) for r in range(runs)]
    p_tok = sum(r[0] for r in results)
    gen = sum(r[2] for r in results)
    size = ref.path.stat().st_size if ref.path else None
    bandwidth = copy_bandwidth()
    # Each generated token streams every weight through the cores once, so a token costs at least model bytes ÷
    # bandwidth. Copying moves each byte twice (read + write), so pure reading can beat this bound somewhat.
    bound = bandwidth * 1e9 / size if size else None
    gen_rate = gen / sum(r[3] for r in results)
    return ModelBench(
        model=ref.name, model_bytes=size, load_seconds=round(load, 2) if load is not None else None,
        prompt_tokens=p_tok // runs, prompt_tokens_per_s=round(p_tok / sum(r[1] for r in results), 1),
        generated_tokens=gen // runs, generated_tokens_per_s=round(gen_rate, 1),
        copy_gb_per_s=round(bandwidth, 2), bound_tokens_per_s=round(bound, 1) if bound else None,
        share_of_bound=round(gen_rate / bound, 2) if bound else None, runs=runs,
    )
