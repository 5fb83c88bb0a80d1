"""Batched decoding: the batcher groups concurrent calls; on the real model each sequence keeps its grammar."""

from __future__ import annotations

import json
import threading
from contextlib import nullcontext

import pytest

from agent.llm.batch import Batcher, Done, Job, common_prefix


class RecordingDecoder:
    """Stands in for BatchDecoder: answers each job with its own first token, records group sizes."""

    def __init__(self, slots: int, n_ctx: int = 10_000):
        self.slots, self.n_ctx, self.groups = slots, n_ctx, []
        self.gate = threading.Event()

    def run(self, jobs):
        self.gate.wait(5)
        self.groups.append(len(jobs))
        return [Done(str(j.tokens[0]), len(j.tokens), 1, "stop") for j in jobs]


def test_common_prefix():
    assert common_prefix([[1, 2, 3], [1, 2, 4], [1, 2]]) == 2
    assert common_prefix([[5], [6]]) == 0


def test_concurrent_calls_are_decoded_in_groups_of_at_most_the_slots_and_answers_go_back_to_their_callers():
    decoder = RecordingDecoder(slots=4)
    batcher = Batcher(decoder, nullcontext, wait_s=0.2)
    results = {}

    def call(i: int) -> None:
        results[i] = batcher.submit(Job([i, 99], 8)).text

    threads = [threading.Thread(target=call, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    decoder.gate.set()
    for t in threads:
        t.join(10)
    assert results == {i: str(i) for i in range(10)}
    assert sum(decoder.groups) == 10 and max(decoder.groups) == 4 and len(decoder.groups) <= 4


def test_a_group_never_exceeds_the_context_budget():
    decoder = RecordingDecoder(slots=8, n_ctx=250)
    decoder.gate.set()
    batcher = Batcher(decoder, nullcontext, wait_s=0.2)
    threads = [threading.Thread(target=batcher.submit, args=(Job([i] * 90, 10),)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert decoder.groups and max(decoder.groups) == 2  # 2 × (90 + 10) fits 250, 3 × does not


def test_a_failed_batch_fails_every_caller_in_it():
    class Broken(RecordingDecoder):
        def run(self, jobs):
            raise RuntimeError("llama_decode failed")

    with pytest.raises(RuntimeError, match="llama_decode"):
        Batcher(Broken(slots=2), nullcontext, wait_s=0.01).submit(Job([1], 4))


@pytest.mark.real_model
def test_batched_sequences_each_obey_their_own_grammar_and_match_one_at_a_time():
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.llm import get_chat_model
    from agent.llm.batch import BatchDecoder
    from agent.llm.local import machine_turn, schema_gbnf

    chat = get_chat_model("local:qwen2.5-coder-1.5b")
    colours = ["red", "green", "blue"]
    jobs = []
    for colour in colours:
        schema = {"type": "object", "properties": {"colour": {"type": "string", "enum": [colour, "none"]}},
                  "required": ["colour"]}
        msgs = [SystemMessage(content="Answer in JSON."), HumanMessage(content=f"Name the colour {colour}.")]
        jobs.append(Job(chat.prompt_tokens(msgs), 20, schema_gbnf(json.dumps(schema))))
    decoder = BatchDecoder(chat.llama(), slots=3, n_ctx=2048, threads=2)
    try:
        with machine_turn(chat.model_path):
            together = decoder.run(jobs)
            alone = [decoder.run([j])[0] for j in jobs]
    finally:
        decoder.close()
    assert [json.loads(d.text)["colour"] for d in together] == colours  # each its own grammar, no mix-up
    assert all(d.finish_reason == "stop" for d in together)
    assert [d.text for d in together] == [d.text for d in alone]


def test_the_batcher_is_created_without_deadlocking_on_the_model_load_lock(monkeypatch):
    import agent.llm.batch as batch
    import agent.llm.local as local

    monkeypatch.setattr(local, "load_llama", lambda path, n_ctx: _locked_load())
    monkeypatch.setattr(batch, "BatchDecoder", lambda llama, slots, n_ctx, threads: RecordingDecoder(slots))
    monkeypatch.setattr(local, "_BATCHERS", {})
    chat = local.LocalChatModel(model_path="/nonexistent.gguf", model_name="x", slots=2)
    done = threading.Event()
    threading.Thread(target=lambda: (local.batcher_for(chat), done.set()), daemon=True).start()
    assert done.wait(5), "batcher_for deadlocked"


def _locked_load():
    """What load_llama does: take the process's load lock."""
    from agent.llm.local import _LOAD_LOCK

    with _LOAD_LOCK:
        return object()
