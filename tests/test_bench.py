"""Benchmarks run end to end on small inputs (figures are printed by the CLI, not asserted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from agent.bench import ingest as bench_ingest
from agent.bench import model as bench_model


def test_bench_ingest_small_corpus_finds_its_planted_copies(tmp_path):
    result = bench_ingest.run(120, words=200, copy_rate=0.1, seed=3, workdir=tmp_path)
    assert result.failed == 0 and result.planted_copies > 0
    assert result.copies_found == result.planted_copies and result.false_copies == 0
    assert result.articles == 120  # spun copies are articles too, stored with derivative_of
    assert result.articles_per_s > 0 and set(result.phase_seconds) >= {"read", "clean", "derivatives", "store"}


def test_synthetic_corpus_is_deterministic(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert bench_ingest.write_corpus(tmp_path / "a", 30, 100, 0.2, 1) == bench_ingest.write_corpus(
        tmp_path / "b", 30, 100, 0.2, 1)
    assert (tmp_path / "a" / "a000007.txt").read_text() == (tmp_path / "b" / "a000007.txt").read_text()


class StreamingFake(BaseChatModel):
    """Streams a fixed answer token by token and reports usage on the last chunk, like the local model."""

    words: list[str] = ["one", " two", " three", " four", " five"]

    @property
    def _llm_type(self) -> str:
        return "streaming-fake"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="".join(self.words)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for n, word in enumerate(self.words, start=1):
            usage = {"input_tokens": 100, "output_tokens": n, "total_tokens": 100 + n} if n == len(self.words) else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=word, usage_metadata=usage))


def test_bench_model_with_a_streaming_fake(monkeypatch):
    monkeypatch.setattr(bench_model, "get_chat_model", lambda name, max_tokens: StreamingFake())
    monkeypatch.setattr(bench_model, "copy_bandwidth", lambda: 10.0)
    r = bench_model.run("openai-compatible:http://127.0.0.1:9/v1#fake", runs=2, prompt_words=50, max_tokens=8)
    assert (r.prompt_tokens, r.generated_tokens, r.runs) == (100, 4, 2)  # the first token is timed as prefill
    assert r.prompt_tokens_per_s > 0 and r.generated_tokens_per_s > 0
    assert r.model_bytes is None and r.bound_tokens_per_s is None and r.load_seconds is None


def test_copy_bandwidth_is_measured():
    assert bench_model.copy_bandwidth(megabytes=16, repeats=2) > 0.05
