"""Alignment and reconciliation: consensus with independent counts, and each divergence kind decided by rule."""

from datetime import date

from agent.analysis.compare import comparison_json
from tests.helpers import analysed, make_article

PLANNED = "Prime Minister Ana Ruiz was set to arrive in Lisbon on Tuesday for a two-day summit."
ARRIVED_B = "Prime Minister Ana Ruiz arrived in Lisbon on Tuesday for a two-day summit with European leaders."
ARRIVED_C = "Ana Ruiz arrived in Lisbon on Tuesday, opening a summit that runs two days."
QUOTE_B = ("The ministry said it was \"actively promoting peace talks and the political settlement of the crisis\" "
           "in the region.")
QUOTE_D = ("The ministry said it was \"actively encouraging peace talks and the political settlement of the issue\" "
           "in the region.")
DRIFT_B = "The two countries have declared a \"no-limits partnership\" with each other."
DRIFT_C = "The two countries have declared a \"no-limits friendship\" with each other."
# The model only names who/did; code takes the object from the sentence and the modality from its cues.
OVERRIDES = {
    "was set to arrive": {"who": "Prime Minister Ana Ruiz", "did": "was set to arrive"},
    "Ruiz arrived in Lisbon on Tuesday for": {"who": "Prime Minister Ana Ruiz", "did": "arrived"},
    "Ruiz arrived in Lisbon on Tuesday,": {"who": "Ana Ruiz", "did": "arrived"},
    "killed 12": {"who": "The storm", "did": "killed"},
    "killed 15": {"who": "The storm", "did": "killed"},
}


def corpus():
    a = make_article(f"{PLANNED} Officials in Kiev watched the talks closely.", "aaaa", "Preview Post",
                     date(2024, 3, 4))
    b = make_article(f"{ARRIVED_B} {QUOTE_B} {DRIFT_B} The storm killed 12 people in Porto on Monday.", "bbbb",
                     "Wire One", date(2024, 3, 6))
    c = make_article(f"{ARRIVED_C} {DRIFT_C} Officials in Kyiv watched the talks closely. "
                     "The storm killed 15 people in Porto on Monday.", "cccc", "Daily Three", date(2024, 3, 6))
    d = make_article(f"{ARRIVED_B} {QUOTE_D}", "dddd", None, date(2024, 3, 6), derivative_of="bbbb")
    return [a, b, c, d]


def run(store, mode="model"):
    articles = corpus()
    return analysed(store, articles, OVERRIDES, mode).comparison, articles


def kinds(comparison):
    return {d.kind: d for d in comparison.divergences}


def test_arrival_is_consensus_and_derivative_adds_no_vote(store):
    comparison, _ = run(store)
    arrival = next(f for f in comparison.facts if "arrived" in f.text)
    assert "aaaa" in arrival.article_ids  # the planned report joins the fact it announced (the timing rule needs it)
    assert set(arrival.article_ids) >= {"bbbb", "cccc", "dddd"}
    assert arrival.independent_outlets == len({"aaaa", "bbbb", "cccc"} & set(arrival.article_ids))


def test_planned_report_written_before_the_event_is_explained(store):
    comparison, _ = run(store)
    timing = kinds(comparison)["timing_of_report"]
    assert timing.resolution == "event_happened"
    planned_side = timing.sides[0]
    assert planned_side.article_id == "aaaa"
    assert timing.preferred_side is not None and timing.sides[timing.preferred_side].article_id != "aaaa"
    assert "2024-03-05" in timing.rationale


def test_quote_altered_in_copy_prefers_original(store):
    comparison, _ = run(store)
    quote = kinds(comparison)["quote_altered"]
    assert quote.resolution == "prefer_original"
    assert quote.sides[quote.preferred_side].article_id == "bbbb"


def test_wording_drift_between_independents_is_minor(store):
    comparison, _ = run(store)
    drift = kinds(comparison)["wording_drift"]
    assert drift.resolution == "minor_wording"
    assert {s.article_id for s in drift.sides} == {"bbbb", "cccc"}
    assert "partnership" in drift.rationale and "friendship" in drift.rationale


def test_name_variant_is_same_entity(store):
    comparison, _ = run(store)
    names = [d for d in comparison.divergences if d.kind == "name_variant"]
    assert any("Kiev" in d.rationale and "Kyiv" in d.rationale and d.resolution == "same_entity" for d in names)


def test_different_death_tolls_are_a_number_divergence(store):
    comparison, _ = run(store)
    numbers = kinds(comparison)["number_or_date"]
    assert numbers.resolution == "disputed"
    assert "12" in numbers.rationale and "15" in numbers.rationale


def test_json_contract_has_documented_fields(store):
    comparison, articles = run(store)
    data = comparison_json(comparison)
    assert set(data) == {"facts", "divergences", "single_source", "coverage"}
    fact = data["facts"][0]
    assert {"id", "text", "outlets", "independent_outlets", "claim_ids", "sentence_refs"} <= set(fact)
    ref = fact["sentence_refs"][0]
    article = next(a for a in articles if a.id == ref["article_id"])
    assert article.text[ref["start"]:ref["end"]] == ref["text"]
    side = data["divergences"][0]["sides"][0]
    assert {"article_id", "outlet", "claim_ids", "sentence_refs", "text"} <= set(side)


def test_words_after_a_quote_are_not_wording_drift(store):
    a = make_article('He sought "spiritual guidance," from his pastor before the vote.', "q1", "One")
    b = make_article('He sought "spiritual guidance," had a long talk and then voted.', "q2", "Two")
    comparison = analysed(store, [a, b]).comparison
    assert [d for d in comparison.divergences if d.kind == "wording_drift"] == []


def test_two_different_quotations_are_not_one_fact(store):
    a = make_article('Spokesperson Mao Ning said Monday: "We will by no means accept the pressure."', "m1", "One")
    b = make_article('Spokesperson Mao Ning said Monday: "The visit is an opportunity for cooperation."', "m2", "Two")
    comparison = analysed(store, [a, b]).comparison
    assert comparison.facts == [] and len(comparison.single_source) == 2
