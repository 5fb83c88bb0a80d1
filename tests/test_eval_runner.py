"""The eval runner on stored, hand-made predictions: perfect, partial, crashed; the judge's parse failures."""

from __future__ import annotations


import pytest

from agent.errors import StructuredOutputError
from agent.evals.cases import load_case
from agent.brief.judge import Verdict
from agent.llm.calls import Usage
from agent.evals.judge import judge_brief, judge_prompt
from agent.evals.live import staged
from agent.evals.record import HEADLINE
from agent.evals.runner import Predictions, replay_predictor, run_cases, score_case
from tests.test_eval_cases import make_case
from tests.test_scorers import GOLD, RAW, TEXTS, article, claim, divergence, ref, side


@pytest.fixture
def case(tmp_path):
    """The hand-made bridge case of the scorer tests."""
    return load_case(make_case(tmp_path, GOLD, RAW, name="bridge"))


def articles() -> dict:
    """Ingested articles by file; C is (correctly) marked a derivative of A."""
    out = {f: article(f) for f in TEXTS}
    out["c.txt"] = out["c.txt"].model_copy(update={"derivative_of": "A"})
    return out


def perfect() -> Predictions:
    """Predictions that get every gold item right."""
    arts = articles()
    a = {x.id: x for x in arts.values()}

    def cite(aid: str, i: int) -> dict:
        return ref(aid, i, a)

    brief = {"title": "Bridge", "sections": [{"title": "Facts", "sentences": [
        {"text": "The mayor opened the bridge on Monday.", "citations": [cite("A", 0)]},
        {"text": "It cost 12 million euros.", "citations": [cite("A", 1)]}]}],
        "run": {"model": "fake", "tokens": 50, "seconds": 1.0}}
    return Predictions(
        articles=arts,
        extract={"claims": [claim("c1", "A", [0], "the mayor", "opened", "the bridge"),
                            claim("c2", "A", [1], "it", "cost", "12 million euros")]},
        compare={"facts": [
            {"id": "f1", "independent_outlets": 2, "sentence_refs": [cite("A", 0), cite("D", 0)]},
            {"id": "f2", "independent_outlets": 1, "sentence_refs": [cite("A", 1)]}],
            "divergences": [
                divergence("d1", "timing_of_report", "event_happened", side("B", [cite("B", 0)]),
                           side("A", [cite("A", 0)])),
                divergence("d2", "number_or_date", "disputed", side("A", [cite("A", 1)]), side("D", [cite("D", 1)])),
                divergence("d3", "omission", "not_a_conflict", side("B", [cite("B", 1)]))]},
        brief=brief,
        answers={"when": {"answer": "On Monday", "citations": [cite("A", 0)], "abstained": False},
                 "who_paid": {"answer": "", "citations": [], "abstained": True},
                 "differ": {"answer": "B said it was set to open", "citations": [cite("B", 0), cite("A", 0)],
                            "abstained": False},
                 "cost": {"answer": "12 million euros", "citations": [cite("A", 1)], "abstained": False},
                 "engineer": {"answer": "", "citations": [], "abstained": True}},
        costs={"analyse": {"tokens": 100, "seconds": 2.0, "calls": 3, "cache_hits": 1},
               "brief": {"tokens": 50, "seconds": 1.0, "calls": 1, "cache_hits": 0}},
        prompt_hashes={"extract_claims": "abc123"},
    )


def test_perfect_predictions_score_one_everywhere_and_the_run_records_cost(case):
    run = run_cases([case], replay_predictor({"bridge": perfect()}), model="fake:m", suite="mine")
    (result,) = run.cases
    assert {m: result.metrics[m] for m in HEADLINE} == {m: 1.0 for m in HEADLINE}
    assert result.metrics["leakage.canary_leak_rate"] == 0.0 and result.metrics["derivatives.recall"] == 1.0
    assert result.metrics["errors.stages"] == 0.0 and result.metrics["errors.invalid"] == 0.0
    assert result.tokens == 150.0 and result.counts["cost.calls"] == 4 and result.counts["cost.cache_hits"] == 1
    assert result.errors == [] and run.tokens == 150.0
    assert run.model == "fake:m" and run.suite == "mine" and run.prompt_hashes == {"extract_claims": "abc123"}
    assert run.run_id.endswith("-fake-m") and run.code_version


def test_a_failed_stage_is_counted_and_what_it_missed_scores_zero(case):
    preds = perfect()
    preds.brief, preds.errors = None, ["brief: StructuredOutputError: bad JSON"]
    preds.answers.pop("when")
    result = score_case(case, preds)
    assert result.metrics["citations.support_rate"] == 0.0
    assert result.metrics["brief_coverage.key_fact_coverage"] == 0.0
    assert result.metrics["qa.qa_accuracy"] == pytest.approx(0.8)
    assert result.metrics["errors.stages"] == 1.0 and result.metrics["errors.invalid"] >= 3
    assert result.errors[0] == "brief: StructuredOutputError: bad JSON"
    assert any("when: answer missing" in e for e in result.errors)
    assert [d.item for d in result.failures["brief_coverage"]] == ["fact:opened", "fact:cost"]


def test_half_a_brief_keeps_the_missed_fact_and_the_failing_sentence(case):
    preds = perfect()
    sentences = preds.brief["sections"][0]["sentences"]
    sentences[1] = {"text": "It cost 90 million dollars, critics said.", "citations": []}
    result = score_case(case, preds)
    assert result.metrics["brief_coverage.key_fact_coverage"] == 0.5
    assert result.metrics["citations.support_rate"] == 0.5
    assert [(d.item, d.why) for d in result.failures["brief_coverage"]] == [
        ("fact:cost", "not in the brief: The bridge cost 12 million euros.")]
    assert "90 million dollars" in result.failures["citations"][0].item
    assert result.failures["citations"][0].why == "no valid citation"


def test_a_crashing_predictor_gives_an_unscorable_case_not_a_missing_one(case):
    def boom(c):
        raise RuntimeError("model exploded")

    run = run_cases([case], boom, model="fake:m", suite="mine")
    (result,) = run.cases
    assert result.metrics["errors.unscorable"] == 1.0 and result.quality() == 0.0
    assert all(result.metrics[m] == 0.0 for m in HEADLINE)
    assert result.errors[0] == "predictor crashed: RuntimeError: model exploded"


def test_leaked_canary_in_the_brief_is_caught(case):
    preds = perfect()
    preds.brief["sections"][0]["sentences"].append({"text": "CANARY-1234", "citations": []})
    assert score_case(case, preds).metrics["leakage.canary_leak_rate"] == 1.0


class FakeLLM:
    """Answers the judge with queued verdicts or errors; counts calls in its usage."""

    def __init__(self, *answers):
        self.answers, self.usage = list(answers), Usage()

    def structured(self, prompt, values, schema, **kwargs):
        self.usage.add(hit=False, prompt=8, completion=2)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_judge_parse_failures_are_counted_and_not_averaged_away():
    brief = perfect().brief
    brief["sections"][0]["sentences"].append({"text": "Uncited.", "citations": []})
    llm = FakeLLM(Verdict(supported=True), StructuredOutputError("not JSON", raw="nope", attempts=3))
    res = judge_brief(brief, llm, judge_prompt())
    assert res.counts == {"sentences": 3, "supported": 1, "parse_failures": 1}
    assert res.values["support_rate"] == pytest.approx(1 / 3)  # the failure stays in the denominator
    assert res.values["parse_failures"] == 1.0
    assert [d.why for d in res.failures()] == ["cites nothing (not asked)",
                                                "judge answer unusable: not JSON (after 3 attempt(s); "
                                                "last output: 'nope')"]


def test_judge_results_join_the_case_metrics(case):
    llm = FakeLLM(Verdict(supported=True), Verdict(supported=False, reason="adds a number"))
    result = score_case(case, perfect(), judge=lambda c, p, g: judge_brief(p.brief, llm, judge_prompt()))
    assert result.metrics["judge.support_rate"] == 0.5 and result.metrics["judge.parse_failures"] == 0.0
    assert result.failures["judge"][0].why == "adds a number"


def test_staged_records_cost_and_turns_a_failure_into_an_error():
    preds, llm = Predictions(), FakeLLM()

    def work():
        for _ in range(2):
            llm.usage.add(hit=False, prompt=8, completion=2)
        return "done"

    assert staged(preds, "analyse", llm, work) == "done"
    assert preds.costs["analyse"]["tokens"] == 20 and preds.costs["analyse"]["calls"] == 2
    assert staged(preds, "brief", llm, lambda: 1 / 0) is None
    assert preds.errors == ["brief: ZeroDivisionError: division by zero"] and "brief" in preds.costs


def test_live_glue_ingests_a_shipped_case_and_records_failing_stages(tmp_path):
    from agent.evals.cases import DEFAULT_ROOT
    from agent.evals.live import predict_case
    from agent.llm import LLM
    from agent.store import Store
    from agent.llm.fake import FakeChatModel

    shipped = load_case(DEFAULT_ROOT / "valdoria-health-minister")
    llm = LLM(FakeChatModel(respond=lambda messages, kwargs: "not json"), "fake", max_reasks=0)
    preds = predict_case(shipped, llm, Store(tmp_path / "s.sqlite3"))
    assert set(preds.articles) == set(shipped.files)
    result = score_case(shipped, preds)
    assert result.metrics["errors.unscorable"] == 0.0 and "ingest" in preds.costs


def test_memo_rubric_needs_the_must_cite_sentence_or_the_items_words(tmp_path):
    from agent.evals import scorers
    from agent.evals.cases import resolve_refs

    gold = GOLD | {"memo_rubric": [
        {"id": "timing", "text": "Says B wrote before the opening.", "must_cite": [{"file": "b.txt", "quote": "set to open"}]},
        {"id": "cost", "text": "States the 12 million euro cost."}]}
    case = load_case(make_case(tmp_path, gold, RAW, name="memo"))
    arts = articles()
    resolved, by_id = resolve_refs(case, arts), {a.id: a for a in arts.values()}
    memo = {"sections": [{"title": "Memo", "sentences": [
        {"text": "B wrote before the opening.", "citations": [ref("B", 0, by_id)]},
        {"text": "The cost was 12 million euros.", "citations": []}]}]}
    res = scorers.score_rubric(memo, resolved, by_id)
    assert res.values == {"rubric_coverage": 1.0} and res.counts == {"items": 2, "met": 2}
    memo["sections"][0]["sentences"][0]["citations"] = [ref("B", 0, by_id, text="forged")]
    memo["sections"][0]["sentences"][1]["text"] = "Nothing about money."
    res = scorers.score_rubric(memo, resolved, by_id)
    assert res.values == {"rubric_coverage": 0.0}
    assert [d.why for d in res.failures()] == ["no memo sentence cites the sentences it must cite",
                                               "only 0.00 of its words are in the memo"]
    assert scorers.score_rubric(None, resolved, by_id).counts["invalid"] == 1


def test_failed_extraction_chunks_are_counted(case):
    preds = perfect()
    preds.extract["summary"] = {"failed_chunks": ["A chunk 0: StructuredOutputError: not JSON"]}
    result = score_case(case, preds)
    assert result.metrics["errors.failed_chunks"] == 1.0
    assert "extract: chunk failed: A chunk 0: StructuredOutputError: not JSON" in result.errors


def test_scorers_are_picked_by_name_and_unknown_names_refused(case):
    from agent.errors import UsageError
    from agent.evals.registry import SCORERS, pick

    preds = perfect()
    only = score_case(case, preds, scorers=["claims", "qa"])
    assert {k.split(".")[0] for k in only.metrics} == {"claims", "qa", "errors"}
    every = score_case(case, preds)
    assert {k.split(".")[0] for k in every.metrics} >= set(SCORERS) - {"rubric"}
    with pytest.raises(UsageError, match="unknown scorer 'clams'"):
        pick(["clams"])
