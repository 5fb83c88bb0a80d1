"""Several sequences decoded per step on one llama.cpp context: a shared prompt prefix, a grammar per sequence."""

from __future__ import annotations

import ctypes
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    """One completion: prompt tokens, an optional GBNF grammar, a token cap."""

    tokens: list[int]
    max_tokens: int
    grammar: str | None = None


@dataclass
class Done:
    """What one sequence produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" or "length"
    tokens: list[int] = field(default_factory=list)


def common_prefix(seqs: list[list[int]]) -> int:
    """Length of the longest prefix all SEQS share."""
    n = min(len(s) for s in seqs)
    first = seqs[0]
    for i in range(n):
        if any(s[i] != first[i] for s in seqs[1:]):
            return i
    return n


class BatchDecoder:
    """Its own context on a loaded model (n_seq_max slots, one unified KV cache); not thread-safe: one caller."""

    def __init__(self, llama: Any, slots: int, n_ctx: int, threads: int, n_batch: int = 512):
        import llama_cpp as lc

        self.lc, self.llama, self.slots, self.n_batch, self.n_ctx = lc, llama, slots, n_batch, n_ctx
        params = lc.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch, params.n_seq_max = n_ctx, n_batch, n_batch, slots
        params.n_threads, params.n_threads_batch, params.kv_unified, params.no_perf = threads, threads, True, False
        self.ctx = lc.llama_init_from_model(llama._model.model, params)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a batched context")
        self.vocab = lc.llama_model_get_vocab(llama._model.model)
        self.mem = lc.llama_get_memory(self.ctx)
        self.batch = lc.llama_batch_init(max(n_batch, slots), 0, slots)
        self.kept: list[int] = []  # the prefix left in sequence 0 by the last run, reused when it matches

    def close(self) -> None:
        """Free the context and the batch."""
        if self.ctx:
            self.lc.llama_batch_free(self.batch)
            self.lc.llama_free(self.ctx)
            self.ctx = None

    # --- batch plumbing -----------------------------------------------------------------
    def _put(self, n: int, token: int, pos: int, seq: int, logits: bool) -> None:
        b = self.batch
        b.token[n], b.pos[n], b.n_seq_id[n], b.logits[n] = token, pos, 1, int(logits)
        b.seq_id[n][0] = seq

    def _decode(self, n: int) -> None:
        self.batch.n_tokens = n
        if self.lc.llama_decode(self.ctx, self.batch) != 0:
            raise RuntimeError("llama_decode failed (context full?)")

    def _prefill(self, jobs: list[Job], prefix: int) -> list[int]:
        """Decode the shared prefix once (into sequence 0), copy it to every slot, then each job's rest."""
        lc, first = self.lc, jobs[0].tokens
        keep = common_prefix([self.kept, first[:prefix]]) if self.kept else 0
        lc.llama_memory_seq_rm(self.mem, 0, keep, -1)
        for s in range(1, self.slots):
            lc.llama_memory_seq_rm(self.mem, s, 0, -1)
        for start in range(keep, prefix, self.n_batch):
            chunk = first[start:min(prefix, start + self.n_batch)]
            for n, tok in enumerate(chunk):
                self._put(n, tok, start + n, 0, False)
            self._decode(len(chunk))
        self.kept = first[:prefix]
        for s in range(1, len(jobs)):
            lc.llama_memory_seq_cp(self.mem, 0, s, 0, prefix)
        return self._suffixes(jobs, prefix)

    def _suffixes(self, jobs: list[Job], prefix: int) -> list[int]:
        """Decode each job's tokens after the prefix; sample its first token as soon as its last one is in."""
        items = [(s, pos, tok) for s, job in enumerate(jobs) for pos, tok in enumerate(job.tokens) if pos >= prefix]
        first: list[int] = [0] * len(jobs)
        for start in range(0, len(items), self.n_batch):
            chunk = items[start:start + self.n_batch]
            lasts = {}
            for n, (s, pos, tok) in enumerate(chunk):
                last = pos == len(jobs[s].tokens) - 1
                self._put(n, tok, pos, s, last)
                if last:
                    lasts[s] = n
            self._decode(len(chunk))
            for s, n in lasts.items():
                first[s] = self._sample(s, n)
        return first

    # --- sampling -----------------------------------------------------------------------
    def _samplers(self, jobs: list[Job]) -> None:
        lc = self.lc
        self.chains = []
        for job in jobs:
            chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
            if job.grammar:
                grammar = lc.llama_sampler_init_grammar(self.vocab, job.grammar.encode(), b"root")
                if not grammar:
                    raise ValueError("llama.cpp rejected the grammar")
                lc.llama_sampler_chain_add(chain, grammar)
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_greedy())
            self.chains.append(chain)

    def _sample(self, seq: int, idx: int) -> int:
        return int(self.lc.llama_sampler_sample(self.chains[seq], self.ctx, idx))  # also accepts the token

    def _piece(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self.lc.llama_token_to_piece(self.vocab, token, buf, 64, 0, False)
        return buf.raw[:max(n, 0)]

    # --- the run ------------------------------------------------------------------------
    def run(self, jobs: list[Job]) -> list[Done]:
        """Decode JOBS (at most `slots`) together until each stops or reaches its cap."""
        if not 0 < len(jobs) <= self.slots:
            raise ValueError(f"1..{self.slots} jobs per run, got {len(jobs)}")
        prefix = min(common_prefix([j.tokens for j in jobs]), min(len(j.tokens) for j in jobs) - 1)
        self._samplers(jobs)
        try:
            nxt = self._prefill(jobs, prefix)
            return self._generate(jobs, nxt)
        finally:
            for chain in self.chains:
                self.lc.llama_sampler_free(chain)
            self.chains = []

    def _generate(self, jobs: list[Job], nxt: list[int]) -> list[Done]:
        out: list[list[int]] = [[] for _ in jobs]
        finish: list[str | None] = [None] * len(jobs)
        pos = [len(j.tokens) for j in jobs]
        while True:
            live = []
            for s, job in enumerate(jobs):
                if finish[s]:
                    continue
                if self.lc.llama_vocab_is_eog(self.vocab, nxt[s]):
                    finish[s] = "stop"
                    continue
                out[s].append(nxt[s])
                if len(out[s]) >= job.max_tokens:
                    finish[s] = "length"
                    continue
                live.append(s)
            if not live:
                break
            for n, s in enumerate(live):
                self._put(n, nxt[s], pos[s], s, True)
                pos[s] += 1
            self._decode(len(live))
            for n, s in enumerate(live):
                nxt[s] = self._sample(s, n)
        return [Done(b"".join(self._piece(t) for t in toks).decode("utf-8", errors="ignore"), len(j.tokens),
                     len(toks), f or "stop", toks) for j, toks, f in zip(jobs, out, finish)]


class Batcher:
    """Collects completions that threads ask for at about the same time and decodes them as one batch."""

    def __init__(self, decoder: BatchDecoder, turn: Any, wait_s: float = 0.05):
        self.decoder, self.turn, self.wait_s = decoder, turn, wait_s
        self._cond = threading.Condition()
        self._pending: list[tuple[Job, Future]] = []
        self._leading = False

    def submit(self, job: Job) -> Done:
        """Decode JOB with whatever else is pending; the first waiting thread leads the batches."""
        future: Future = Future()
        with self._cond:
            self._pending.append((job, future))
            self._cond.notify_all()
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead()
        return future.result()

    def _fitting(self) -> list[tuple[Job, Future]]:
        """The pending jobs that fit one run: at most `slots`, and prompts plus caps within the context."""
        group, budget = [], self.decoder.n_ctx
        for job, future in self._pending[:self.decoder.slots]:
            need = len(job.tokens) + job.max_tokens
            if group and need > budget:
                break
            group.append((job, future))
            budget -= need
        return group

    def _lead(self) -> None:
        while True:
            with self._cond:
                deadline = time.monotonic() + self.wait_s
                while len(self._pending) < self.decoder.slots and (left := deadline - time.monotonic()) > 0:
                    self._cond.wait(left)
                group = self._fitting()
                del self._pending[:len(group)]
                if not group:
                    self._leading = False
                    return
            try:
                with self.turn():
                    done = self.decoder.run([job for job, _ in group])
                for (_, future), result in zip(group, done):
                    future.set_result(result)
            except Exception as exc:  # every caller in the batch sees the failure
                for _, future in group:
                    future.set_exception(exc)
