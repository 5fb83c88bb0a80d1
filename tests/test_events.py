"""Event clustering: the scorer, nearest neighbours, average linkage, incremental joins, and the model's band."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from agent.evals.clustering import bcubed, shipped_events
from agent.events import decide, list_events, update_events
from agent.events.cluster import link
from agent.events.features import Features
from agent.events.neighbours import nearest
from agent.events.similarity import APART, Scorer
from agent.ingest import ingest_paths
from agent.llm.embed import FakeEmbedder
from agent.llm.fake import fake_llm

FAKE = FakeEmbedder()


def mixed_folder(tmp_path: Path, events: dict[str, list[Path]] | None = None) -> dict[str, str]:
    """Copy every shipped case's articles into one folder; return file name -> event."""
    folder = tmp_path / "mixed"
    folder.mkdir(exist_ok=True)
    gold = {}
    for event, paths in (events or shipped_events()).items():
        for p in paths:
            name = f"{event}--{p.name}"
            shutil.copy(p, folder / name)
            gold[name] = event
    return gold


def predicted_by_file(store) -> dict[str, str]:
    return {Path(a.path).name: e.id for e in list_events(store) for a in e.articles}


# --- the scorer -----------------------------------------------------------------------------------------
def test_bcubed_perfect_merged_and_split():
    gold = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert bcubed({"a": 1, "b": 1, "c": 2, "d": 2}, gold).f1 == 1.0
    merged = bcubed({"a": 1, "b": 1, "c": 1, "d": 1}, gold)
    assert (merged.precision, merged.recall, merged.merged, merged.split) == (0.5, 1.0, 1, 0)
    split = bcubed({"a": 1, "b": 2, "c": 3, "d": 3}, gold)
    assert (split.precision, split.recall, split.merged, split.split) == (1.0, 0.75, 0, 1)
    assert bcubed({}, gold).recall == 0.5  # unclustered items stand alone


# --- neighbours and linkage -----------------------------------------------------------------------------
def test_blocked_top_k_equals_brute_force_and_leaves_each_row_out():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(300, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rows = np.arange(300)
    idx, sims = nearest(vecs, vecs, 5, block=64, query_rows=rows)
    full = vecs @ vecs.T
    np.fill_diagonal(full, -np.inf)
    assert np.array_equal(idx, np.argsort(-full, axis=1)[:, :5])
    assert np.allclose(sims, np.sort(full, axis=1)[:, ::-1][:, :5])


def test_average_linkage_does_not_chain_and_stored_events_never_merge():
    scores = {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): 0.1}

    def total(x: str, y: str) -> float:
        return scores.get((min(x, y), max(x, y)), 0.0)

    groups = link([], ["a", "b", "c"], set(scores), total, 0.7)
    assert sorted(map(sorted, groups)) == [["a", "b"], ["c"]]  # a-b-c is a chain, not one event
    fixed = link([["a"], ["c"]], ["b"], set(scores), total, 0.7)
    assert fixed[0] == ["a", "b"] and fixed[1] == ["c"]  # b joins one stored event; the two stay apart


def test_articles_a_fortnight_apart_are_two_events_whatever_they_say():
    vec = np.ones(4, np.float32) / 2
    same = {"w": 3}
    feats = {"a": Features("a", date(2024, 1, 1), vec, same, same), "b": Features("b", date(2024, 1, 15), vec, same,
                                                                                     same)}
    score = Scorer(feats).score("a", "b")
    assert score.cosine > 0.99 and score.total == APART and "14 days apart" in score.why()


def test_in_a_folder_of_one_story_the_names_every_article_shares_still_count():
    vec = np.eye(4, dtype=np.float32)  # leads worded apart: the names must carry the pair
    feats = {x: Features(x, date(2018, 10, 26), vec[i], {"sayoc": 2, "florida": 1, f"n{x}": 1, f"m{x}": 1},
                         {f"w{x}": 1}) for i, x in enumerate("abc")}
    score = Scorer(feats).score("a", "b")
    # Plain IDF over three articles weighs the shared names at a seventeenth of each article's own: names 0.03.
    assert score.names > 0.3  # with the background prior: 0.37


# --- update_events --------------------------------------------------------------------------------------
def test_shipped_cases_mixed_in_one_folder_come_apart_into_their_events(store, tmp_path):
    gold = mixed_folder(tmp_path)
    ingest_paths([tmp_path / "mixed"], store)
    report = update_events(store, FAKE, None, mode="rules")
    score = bcubed(predicted_by_file(store), gold)
    assert score.f1 == 1.0 and score.merged == 0 and report.created == len(set(gold.values()))
    assert report.asked == 0


def test_new_articles_join_stored_events_without_reclustering(store, tmp_path):
    gold = mixed_folder(tmp_path)
    files = sorted((tmp_path / "mixed").iterdir())
    first, later = files[::2], files[1::2]
    ingest_paths(first, store)
    update_events(store, FAKE, None, mode="rules")
    before = {e.id: set(e.article_ids) for e in list_events(store)}
    ingest_paths(later, store)
    report = update_events(store, FAKE, None, mode="rules")
    after = {e.id: set(e.article_ids) for e in list_events(store)}
    assert report.new == len(later) and report.joined > 0
    assert all(before[i] <= after[i] for i in before)  # stored events keep their id and their articles
    assert bcubed(predicted_by_file(store), gold).merged == 0
    again = update_events(store, FAKE, None, mode="rules")
    assert again.new == 0 and {e.id: set(e.article_ids) for e in list_events(store)} == after


def test_only_new_articles_are_read_and_embedded(store, tmp_path):
    mixed_folder(tmp_path)
    files = sorted((tmp_path / "mixed").iterdir())
    ingest_paths(files[:-1], store)
    update_events(store, FAKE, None, mode="rules")

    seen: list[str] = []

    class Counting(FakeEmbedder):
        def embed(self, texts):
            seen.extend(texts)
            return super().embed(texts)

    ingest_paths(files[-1:], store)
    update_events(store, Counting(), None, mode="rules")
    newest = store.list_articles()[-1]
    assert seen and set(seen) <= {newest.title, *[s.text for s in newest.sentences]}


def test_the_model_is_asked_only_about_pairs_in_the_uncertain_band(store, tmp_path):
    mixed_folder(tmp_path)
    ingest_paths([tmp_path / "mixed"], store)
    llm = fake_llm(respond=lambda messages, kwargs: {
        k: "different" for k in kwargs["response_format"]["schema"]["properties"]}, store=store)
    report = update_events(store, FAKE, llm, mode="model")
    asked = [m for call in llm.chat.calls for role, m in call["messages"] if role == "human"]
    assert report.asked > 0 and len(asked) == -(-report.asked // decide.PER_CALL)
    assert report.by["model"] == report.asked and report.by["code"] > report.by["model"]
    assert all("<<<PAIRS>>>" in m for m in asked)


def test_a_model_verdict_overrides_the_score_inside_the_band_only():
    from agent.events.similarity import PairScore

    inside, outside = PairScore(0.6, 0, 0, 0, 0.6), PairScore(0.9, 0.5, 0.5, 0, 1.4)
    decided = decide.decide({("a", "b"): inside, ("a", "c"): outside}, {("a", "b"): "same"})
    assert decided[("a", "b")].value == decide.SAME_VALUE and decided[("a", "b")].by == "model"
    assert decided[("a", "c")].value == 1.4 and decided[("a", "c")].by == "code"
    assert decide.uncertain({("a", "b"): inside, ("a", "c"): outside}) == [("a", "b")]


def test_the_fake_model_answers_the_event_schema_with_valid_labels():
    from agent.llm.fake import RESPONDERS

    user = ("[P1]\nA (X, 2024-01-01): Ferry sinks on Lake Ulken | The ferry sank on the lake.\n"
            "B (Y, 2024-01-01): Lake Ulken ferry sinks | A ferry sank on Lake Ulken.\n"
            "[P2]\nA (X, 2024-01-01): Ferry sinks | The ferry sank.\nB (Y, 2024-01-01): Chess club wins | Won.")
    schema = decide.verdicts_schema(2).model_json_schema()
    answer = decide.verdicts_schema(2).model_validate(RESPONDERS["EventPairs"](user, schema))
    assert (answer.P1, answer.P2) == ("same", "different")


REAL = Path(__file__).resolve().parents[2] / "shared" / "real-events"


def _minilm_installed() -> bool:
    from agent.llm import registry

    return registry.is_verified(registry.EMBEDDING_REGISTRY[registry.DEFAULT_EMBEDDING])


@pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is absent")
@pytest.mark.skipif(not _minilm_installed(), reason="MiniLM not pulled (newsagent models pull all-minilm-l6-v2)")
def test_real_events_mixed_together_reach_the_target_with_no_merged_event():
    from agent.evals.clustering import folder_events, run_suite
    from agent.llm.embed import open_embedder

    result = run_suite("real", folder_events(REAL), open_embedder("minilm"), None, mode="rules")
    assert result.score.items >= 50 and result.score.gold == 16
    assert result.score.f1 >= 0.95 and result.score.merged == 0, result.events


def test_route_picks_the_event_a_question_names_and_lists_events_when_asked_what_happened(store, tmp_path):
    from agent.events import route

    mixed_folder(tmp_path)
    ingest_paths([tmp_path / "mixed"], store)
    update_events(store, FAKE, None, mode="rules")
    ferry = route("How many people were on board the Aqsunqar?", store, FAKE)
    assert ferry.sure and [len(e.articles) for e in ferry.events] == [3]
    assert all("Aqsunqar" in store.get_article(a).text for a in ferry.article_ids)
    assert route("What happened today?", store, FAKE).overview
    vague = route("Why is the sky blue?", store, FAKE)
    count = len(list_events(store))
    assert not vague.sure and len(vague.events) == count and f"all {count} events" in vague.describe()
