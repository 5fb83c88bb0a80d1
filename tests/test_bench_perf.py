"""The performance benchmarks' arithmetic and their fake-endpoint sweep (tables, not timed tests)."""

from __future__ import annotations

import pytest

from agent.bench.floor import StageFloor, _strings, rates
from agent.bench.scale import ScaleRow, growth


def test_the_floor_uses_the_rates_llama_cpp_reached_on_the_tokens_it_really_evaluated():
    a = StageFloor("extract", 100.0, 5000, 4200, 900, 300, prompt_eval_s=40.0, generation_s=50.0, evaluated=4000,
                   generated=600)
    b = StageFloor("brief", 10.0, 800, 500, 100, 80, prompt_eval_s=5.0, generation_s=5.0, evaluated=500,
                   generated=60)
    assert rates(a, b) == (100.0, 12.0)
    a.floor_s = 4200 / 100 + 300 / 12
    assert a.above == round(100 - 67.0, 1)


def test_answer_values_keep_the_strings_not_the_json_syntax():
    assert _strings({"S1": {"who": "Xi", "did": "met"}, "n": 3, "l": ["a", {"b": "c"}]}) == ["Xi", "met", "a", "c"]


def test_growth_exponent_tells_linear_from_all_pairs():
    linear = [ScaleRow(1000, 0, {"align": 1.0}), ScaleRow(10000, 0, {"align": 10.0})]
    pairs = [ScaleRow(1000, 0, {"align": 1.0}), ScaleRow(10000, 0, {"align": 100.0})]
    assert growth(linear, "align") == 1.0 and growth(pairs, "align") == 2.0
    assert growth(linear, "missing") is None


@pytest.mark.allow_loopback
def test_fake_endpoint_sweep_gets_faster_with_concurrency_and_counts_back_pressure():
    from agent.bench.concurrency import fake_sweep

    rows = fake_sweep([1, 8], latency=0.1, capacity=2, articles=8, retry_after="0.01")
    one, eight = rows
    assert one.failed_chunks == 0 and one.throttled == 0 and one.peak_inflight == 1
    assert eight.throttled > 0 and eight.peak_inflight > 2  # above 2 in flight the endpoint answers 429
    assert eight.throttled >= 3 * eight.failed_chunks  # a chunk fails only after the SDK's 3 attempts were refused
    assert eight.seconds < one.seconds
