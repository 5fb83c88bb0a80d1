"""The lead follows the comparison: a version the comparison set aside is never stated as current."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from agent.brief.compose import make_brief
from agent.ingest import ingest_paths
from agent.llm.fake import fake_llm
from agent.text.modality import classify
from tests.helpers import analysed, make_article, pipeline_respond

SAMPLE = Path(__file__).resolve().parents[1] / "evals" / "cases" / "lukashenko-china-2023" / "articles"


def bridge():
    """One report written before the opening, two after it."""
    before = make_article("Mayor Ana Ruiz is expected to open the Kessel bridge on Tuesday, the city said. "
                          "The bridge links the old town to the port.", "pre1", "City Radio", date(2024, 5, 6))
    after = make_article("Mayor Ana Ruiz opened the Kessel bridge on Tuesday, the city said. "
                         "The bridge links the old town to the port.", "post", "Harbour Gazette", date(2024, 5, 8))
    also = make_article("Mayor Ana Ruiz opened the new Kessel bridge on Tuesday, the city said. "
                        "It cost 12 million euros.", "pos2", "Daily Post", date(2024, 5, 8))
    return [before, after, also]


def stating(*sentences: str):
    """A fake model that writes the lead as given (citing fact 1) and answers everything else as the fake does."""
    base = pipeline_respond()

    def respond(messages, kwargs):
        if ((kwargs.get("response_format") or {}).get("schema") or {}).get("title") == "Lead":
            return {"sentences": [{"text": s, "facts": [1]} for s in sentences]}
        return base(messages, kwargs)

    return respond


def lead_of(brief):
    return next(s for s in brief.sections if s.title == "Bottom line").sentences


def test_planned_version_of_an_event_that_happened_is_never_the_lead(store):
    analysis = analysed(store, bridge())
    timing = [d for d in analysis.comparison.divergences if d.kind == "timing_of_report"]
    assert timing and timing[0].resolution == "event_happened" and timing[0].set_aside
    llm = fake_llm(respond=stating("Mayor Ana Ruiz is expected to open the Kessel bridge on Tuesday.",
                                   "Mayor Ana Ruiz opened the Kessel bridge on Tuesday."), store=store)
    brief = make_brief(analysis, llm)
    texts = [s.text for s in lead_of(brief)]
    assert "Mayor Ana Ruiz opened the Kessel bridge on Tuesday." in texts
    assert all(classify(t).modality != "planned_or_expected" for t in texts), texts
    assert brief.run.unsupported_removed >= 1
    prompt = next(c for c in llm.chat.calls if "<<<FACTS>>>" in c["messages"][-1][1])["messages"][-1][1]
    assert "expected to open" not in prompt  # the model is shown the version that stands


def test_a_moved_schedule_is_stated_in_its_later_version(store):
    first = make_article("Lena Varis will leave the Port of Korvala at the end of April, the board said on Tuesday.",
                         "k1", "Korvala Tribune", date(2026, 3, 10))
    later = make_article("Lena Varis will leave the Port of Korvala on March 31, a month earlier than planned, "
                         "the board said on Saturday.", "k2", "Baltic Cargo Journal", date(2026, 3, 14))
    analysis = analysed(store, [first, later])
    moved = [d for d in analysis.comparison.divergences if d.kind == "number_or_date"]
    assert moved and moved[0].resolution == "superseded"
    assert moved[0].sides[moved[0].preferred_side].article_id == "k2"
    brief = make_brief(analysis, fake_llm(respond=stating("Lena Varis will leave the port at the end of April."),
                                          store=store))
    lead = " ".join(s.text for s in lead_of(brief))
    assert "April" not in lead and "March 31" in lead
    agreed = next(sec for sec in brief.sections if sec.title.startswith("What the outlets agree"))
    # The first outlet's version was set aside: the later date is not something the two agree on.
    assert not any("March 31" in s.text for s in agreed.sentences)


@pytest.mark.real_model
def test_sample_corpus_lead_never_states_the_planned_arrival(store, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_EMBEDDER", "minilm")
    report = ingest_paths([str(SAMPLE)], store)
    articles = report.added + report.existing
    planned = "was set to arrive"
    analysis = analysed(store, articles, respond=stating(
        "Belarusian President Alexander Lukashenko was set to arrive in China on Tuesday for a state visit."))
    assert any(d.kind == "timing_of_report" and d.resolution == "event_happened"
               for d in analysis.comparison.divergences)
    brief = make_brief(analysis, fake_llm(respond=stating(
        "Belarusian President Alexander Lukashenko was set to arrive in China on Tuesday for a state visit."),
        store=store))
    assert lead_of(brief) and not any(planned in s.text for s in lead_of(brief))
    agreed = next(s for s in brief.sections if s.title == "What the outlets agree on").sentences
    assert not any(planned in s.text for s in agreed)
    assert os.environ["NEWSAGENT_EMBEDDER"] == "minilm"


def test_a_fact_is_stated_by_a_sentence_that_closes_its_quotation_when_one_does():
    from agent.brief.versions import reads_whole, statement_ref
    from agent.types import FactCluster, SentenceRef

    cut = SentenceRef(article_id="a", index=3, start=0, end=32, text="“I have not done anything wrong.")
    whole = SentenceRef(article_id="b", index=5, start=0, end=60,
                        text="“I have not done anything wrong,” she said before refusing to testify.")
    fact = FactCluster(id="f1", text=cut.text, claim_ids=[], sentence_refs=[cut, whole], article_ids=["a", "b"],
                       outlets=["A", "B"], independent_outlets=2)
    assert not reads_whole(cut.text) and reads_whole(whole.text)
    assert statement_ref(fact, set()) == whole


def test_a_quotation_of_several_sentences_is_stated_whole_from_its_own_article():
    from agent.brief.lead import fact_sentence
    from agent.types import Comparison, FactCluster

    a = make_article("Lerner appeared on Wednesday. “I have not done anything wrong. I have not broken any laws,” "
                     "she said. The panel adjourned.", "a", outlet="A")
    b = make_article("She told the panel: “I have not done anything wrong. I did not lie.” Then she left.", "b",
                     outlet="B")
    cut = a.ref(1)
    assert cut.text == "“I have not done anything wrong."
    fact = FactCluster(id="f1", text=cut.text, claim_ids=[], sentence_refs=[cut, b.ref(0)], article_ids=["a", "b"],
                       outlets=["A", "B"], independent_outlets=2)
    stated = fact_sentence(fact, {"a": a, "b": b}, Comparison(facts=[fact], single_source=[], coverage={},
                                                                divergences=[]))
    assert stated.text == "“I have not done anything wrong. I have not broken any laws,” she said."
    assert [(c.article_id, c.index) for c in stated.citations] == [("a", 1), ("a", 2), ("b", 0)]
    never_closed = make_article("“I have not done anything wrong. The panel adjourned.", "c", outlet="C")
    lone = FactCluster(id="f2", text="x", claim_ids=[], sentence_refs=[never_closed.ref(0)], article_ids=["c"],
                       outlets=["C"], independent_outlets=1)
    alone = fact_sentence(lone, {"c": never_closed}, Comparison(facts=[], single_source=[lone], coverage={},
                                                                 divergences=[]))
    assert alone.text == "“I have not done anything wrong."  # no sentence closes it: nothing is joined


def test_the_event_one_outlet_wrote_before_is_the_first_fact_the_lead_is_given(store):
    from agent.brief.lead import lead_facts

    analysis = analysed(store, bridge())
    timing = next(d for d in analysis.comparison.divergences if d.kind == "timing_of_report")
    louder = analysis.comparison.facts[0].model_copy(update={"id": "F-louder", "independent_outlets": 5})
    comparison = analysis.comparison.model_copy(update={"facts": [louder] + analysis.comparison.facts})
    assert lead_facts(comparison)[0].id in timing.cluster_ids  # the outcome first, before a fact more outlets state


def test_a_lead_sentence_adding_a_date_its_facts_do_not_state_is_refused(store):
    analysis = analysed(store, bridge())
    llm = fake_llm(respond=stating("Mayor Ana Ruiz opened the Kessel bridge on May 9, 2023.",
                                   "Mayor Ana Ruiz opened the Kessel bridge on Tuesday."), store=store)
    brief = make_brief(analysis, llm)
    texts = [s.text for s in lead_of(brief)]
    assert "Mayor Ana Ruiz opened the Kessel bridge on Tuesday." in texts
    assert not any("2023" in t for t in texts) and brief.run.unsupported_removed >= 1


def test_the_title_is_never_a_headline_stating_one_version_of_a_conflict_as_settled(store):
    day = date(2026, 3, 9)
    denial = make_article("A fire broke out at the Karbon solvent plant on Monday. No one was injured, the chief said. "
                          "The plant makes solvents for paint. Firefighters contained the blaze by noon.", "t1",
                          "Press Agency", day).model_copy(update={"title": "Plant fire contained, no injuries"})
    counted = make_article("Two workers were taken to hospital with burns after a fire at the Karbon solvent plant. "
                           "The plant makes solvents for paint.", "t2", "Town Today", day
                           ).model_copy(update={"title": "Fire hits Karbon solvent plant"})
    analysis = analysed(store, [denial, counted])
    assert any(d.kind == "contradiction" for d in analysis.comparison.divergences)
    brief = make_brief(analysis, fake_llm(respond=pipeline_respond(), store=store))
    assert brief.title == "Brief: Fire hits Karbon solvent plant"
    after = analysed(store, [denial.model_copy(update={"title": "Fire at the Karbon solvent plant is contained"}),
                             counted])
    assert make_brief(after, fake_llm(respond=pipeline_respond(), store=store)).title == \
        "Brief: Fire at the Karbon solvent plant is contained"  # the article with more agreed facts, now neutral


def test_a_fact_sentence_opening_on_a_pronoun_comes_with_the_sentence_before_it_that_names_who(store):
    day = date(2026, 3, 9)
    one = make_article("Health Minister Ana Ruiz lost a vote of no confidence in parliament on Monday. She then "
                       "resigned from the cabinet and left the building.", "r1", "Daily Post", day)
    two = make_article("Ana Ruiz faced the vote after months of hospital scandals. She then resigned from the cabinet "
                       "and left the building.", "r2", "City News", day)
    brief = make_brief(analysed(store, [one, two]), fake_llm(respond=pipeline_respond(), store=store))
    agreed = next(s for s in brief.sections if s.title == "What the outlets agree on").sentences
    told = next(s for s in agreed if "She then resigned" in s.text)
    assert told.text.startswith(("Health Minister Ana Ruiz lost", "Ana Ruiz faced the vote"))
    assert len(told.citations) == 3  # the sentence before, the fact's sentence, and the other outlet's


def test_a_section_never_states_a_sentence_twice_and_a_headline_taking_a_side_is_said_to_be_one():
    from agent.brief.compose import without_repeats
    from agent.types import Citation, CitedSentence

    def said(text, *indices):
        return CitedSentence(text=text, origin="source", citations=[
            Citation(article_id="a", outlet="A", index=i, start=0, end=1, text=text) for i in indices])

    alone, told = said("There were 540 shootings.", 3), said("There were 540 shootings. Those may rise.", 3, 4)
    kept = without_repeats([alone, told, said("Police made arrests.", 7)])
    assert [s.text for s in kept] == [told.text, "Police made arrests."]
    assert [c.index for c in kept[0].citations] == [3, 4]


def test_when_every_headline_states_one_version_the_title_says_whose_it_is(store):
    day = date(2026, 7, 6)
    one = make_article("At least 150 people were killed in shootings over the holiday weekend, the archive said. "
                       "Police in Chicago made several arrests.", "w1", "Wire One", day
                       ).model_copy(update={"title": "At least 150 killed in weekend shootings"})
    two = make_article("More than 180 people were killed in shootings over the holiday weekend, the archive said. "
                       "Police in Chicago made several arrests.", "w2", "Wire Two", day
                       ).model_copy(update={"title": "Weekend shootings kill more than 180"})
    analysis = analysed(store, [one, two])
    assert any(d.kind == "number_or_date" for d in analysis.comparison.divergences)
    got = make_brief(analysis, fake_llm(respond=pipeline_respond(), store=store)).title
    assert got.endswith("'s headline; the outlets' versions differ)"), got
