"""The comparison asks the model about uncertain pairs, checks it with control pairs, and code finds conflicts."""

from __future__ import annotations

from datetime import date

import pytest


from agent.analysis.annotate import annotate
from agent.analysis.candidates import candidate_pairs, number_clash
from agent.analysis.judge import check, relate
from agent.llm.embed import open_embedder
from agent.llm.fake import fake_llm
from tests.helpers import analysed, make_article, pipeline_respond

WALKOUT = "Dock workers walked off the job on Friday to protest new shift rules at the Korvala port terminals."
STRIKE = "Stevedores at the Korvala port terminals struck at the end of last week over changes to their rotas."


def corpus():
    a = make_article(f"The Korvala port board accepted the resignation of director Lena Varis on Tuesday. {WALKOUT} "
                     "Container traffic grew by a tenth last year.", "aaaa", "Korvala Tribune", date(2026, 3, 10))
    b = make_article(f"The Korvala port board accepted director Lena Varis's resignation on Tuesday. {STRIKE} "
                     "Environmental groups criticised the north basin expansion.", "bbbb", "Baltic Journal",
                     date(2026, 3, 11))
    return [a, b]


def saying(shared_fact):
    """A fake model whose pair answers are SHARED_FACT(a_text, b_text) (the fact both state, or "none")."""
    base = pipeline_respond()

    def respond(messages, kwargs):
        if ((kwargs.get("response_format") or {}).get("schema") or {}).get("title") == "SharedFact":
            user = str(messages[-1].content)
            a = user.split("\nA ", 1)[1].split("\nB ", 1)[0]
            b = user.split("\nB ", 1)[1].split("\n<<<END PAIR>>>", 1)[0]
            return {"shared": shared_fact(a, b)}
        return base(messages, kwargs)

    return respond


def joined(analysis, x: str, y: str) -> bool:
    return any({x, y} <= {r.text for r in f.sentence_refs} for f in analysis.comparison.facts)


def truthful(a: str, b: str) -> str:
    """Names the fact the walkout and the strike share, and the resignation; "none" for anything else."""
    if any(WALKOUT[:20] in t for t in (a, b)) and any(STRIKE[:20] in t for t in (a, b)):
        return "Workers at the Korvala port terminals struck"
    return "The Korvala port board accepted Lena Varis's resignation" if "Varis" in a and "Varis" in b else "none"


def test_a_model_that_passes_the_controls_joins_a_paraphrase_code_alone_misses(store, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_EMBEDDER", "fake")
    rules = analysed(store, corpus(), mode="rules")
    assert not joined(rules, WALKOUT, STRIKE)  # no shared words: code alone cannot see it
    model = analysed(store, corpus(), respond=saying(truthful))
    assert joined(model, WALKOUT, STRIKE)
    assert model.run.model_checks["failed_controls"] == 0 and model.run.model_checks["model_decided"] >= 1


def test_a_shared_fact_one_sentence_does_not_state_joins_nothing(store, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_EMBEDDER", "fake")
    copier = analysed(store, corpus(), respond=saying(lambda a, b: a.split("): ", 1)[1]))  # copies sentence A
    assert not joined(copier, WALKOUT, STRIKE)
    assert not any(r.by == "model" and r.label != "different" and r.pair.cosine < 0.9 for r in copier.relations)


def test_a_model_that_finds_nothing_shared_fails_the_near_identical_control(store, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_EMBEDDER", "fake")
    blind = analysed(store, corpus(), respond=saying(lambda a, b: "none"))
    assert blind.run.model_checks["failed_controls"] >= 1


def test_verify_shared_wants_the_fact_in_both_sentences():
    from agent.analysis.shared import verify_shared

    a = make_article("Dock workers walked off the job on Friday at the Korvala port terminals.", "v1", "One")
    b = make_article("The Korvala port board accepted the resignation of director Lena Varis.", "v2", "Two")
    c = make_article("Korvala port dock workers walked out on Friday over shift rules.", "v3", "Three")
    ann = annotate([a, b, c], open_embedder("fake").embed)
    said = verify_shared(ann, {(("v1", 0), ("v3", 0)): "Korvala port dock workers walked out on Friday",
                               (("v1", 0), ("v2", 0)): "Dock workers walked off the job at Korvala",
                               (("v2", 0), ("v3", 0)): "none"})
    assert said == {(("v1", 0), ("v3", 0)): "same", (("v1", 0), ("v2", 0)): "different",
                    (("v2", 0), ("v3", 0)): "different"}


def test_code_finds_the_conflicting_figure_in_a_pair_the_model_calls_same():
    a = make_article("At least 14 people died when the ferry capsized on Friday evening.", "f1", "One")
    b = make_article("Seventeen people were killed when the ferry capsized on Friday evening.", "f2", "Two")
    ann = annotate([a, b], open_embedder("fake").embed)
    (pair,) = [p for p in candidate_pairs(ann) if {p.a[0], p.b[0]} == {"f1", "f2"}]
    assert number_clash(ann.notes[pair.a], ann.notes[pair.b])
    label, why = check(ann, pair, "same")
    assert label == "number" and "14" in why and "Seventeen" in why


def test_rules_mode_never_calls_the_model_for_comparison(store):
    llm = fake_llm(respond=pipeline_respond(), store=store)
    for a in corpus():
        store.save_article(a)
    ann = annotate(corpus(), open_embedder("fake").embed)
    relations, asked = relate(ann, candidate_pairs(ann), llm, mode="rules")
    assert asked["pairs_asked"] == 0 and not any(c for c in llm.chat.calls)
    assert all(r.by in ("code", "rules") for r in relations)


def test_one_action_of_the_same_person_dated_apart_is_a_date_conflict_even_when_the_model_says_different():
    from agent.analysis.candidates import Pair
    from agent.analysis.judge import one_action_dated_apart

    a = make_article("The mayor said that Lena Varis will leave the port board at the end of February.", "d1", "One",
                     date(2026, 12, 20))
    b = make_article("The board announced Sunday that Lena Varis will be leaving the port board on January 1.", "d2",
                     "Two", date(2026, 12, 23))
    ann = annotate([a, b], open_embedder("fake").embed)
    ka, kb = ("d1", 0), ("d2", 0)
    pair = Pair(ka, kb, 0.7)  # close in meaning (the fake embedder cannot say so; a sentence model does)
    assert one_action_dated_apart(ann, pair)
    label, why = check(ann, pair, "same")
    assert label == "date" and "2027-01-01" in why and "2027-02" in why
    assert "“leave”" in why and "leav:" not in why  # the reader sees the sentence's verb, not its key
    far = Pair(ka, kb, 0.3)
    assert not one_action_dated_apart(ann, far)  # far apart in meaning: two facts, whatever their dates


def test_one_action_planned_in_one_outlet_and_done_in_another_is_joined_for_the_timing_rule():
    from agent.analysis.candidates import Pair
    from agent.analysis.judge import one_action_planned_and_done

    a = make_article("Lois Lerner plans to invoke the Fifth Amendment at the hearing on Wednesday, the paper reports.",
                     "p1", "Early Post", date(2013, 5, 21))
    b = make_article("She then invoked her Fifth Amendment right and declined to testify at the hearing.", "p2",
                     "Late Times", date(2013, 5, 22))
    c = make_article("Lois Lerner will testify before the committee on Wednesday.", "p3", "Other", date(2013, 5, 21))
    ann = annotate([a, b, c], open_embedder("fake").embed)
    assert ann.notes[("p1", 0)].verb == ann.notes[("p2", 0)].verb
    assert one_action_planned_and_done(ann, Pair(("p1", 0), ("p2", 0), 0.6))
    label, why = check(ann, Pair(("p1", 0), ("p2", 0), 0.6), "same")
    assert label == "status" and "planned" in why  # the timing rule, not a contradiction, explains it
    assert not one_action_planned_and_done(ann, Pair(("p1", 0), ("p2", 0), 0.4))  # far in meaning
    assert not one_action_planned_and_done(ann, Pair(("p3", 0), ("p2", 0), 0.6))  # another action


def test_the_outlets_the_model_echoes_are_not_part_of_the_shared_fact():
    from agent.analysis.shared import verify_shared, without_outlets

    a = make_article("This followed a 97-1 vote hours earlier in the Senate.", "t1", "Fox News")
    b = make_article("The final vote in the Senate was 97-1.", "t2", "HuffPost")
    ann = annotate([a, b], open_embedder("fake").embed)
    echoed = "Fox News and HuffPost reported the same 97-1 Senate vote."
    assert without_outlets(echoed, ["Fox News", "HuffPost"]) == "97-1 Senate vote"
    assert verify_shared(ann, {(("t1", 0), ("t2", 0)): echoed}) == {(("t1", 0), ("t2", 0)): "same"}


def test_a_negation_conflicts_only_with_the_action_it_negates():
    from agent.analysis.judge import negates

    texts = {"n1": "Fire chief Goran Petric said the fire had been contained by Monday morning.",
             "n2": "The fire is contained, but it is not yet extinguished, fire chief Goran Petric said.",
             "n3": "The fire was not contained until Tuesday, fire chief Goran Petric said.",
             "n4": "Health Minister Ilse Varga refused to resign on Thursday evening.",
             "n5": "Health Minister Ilse Varga resigned on Thursday evening.",
             "n6": "Varga said she quit because Orsk had called her a liar, something Orsk has denied.",
             "n7": "Pavel Orsk denied to the Ledger that he had ever called Varga a liar."}
    ann = annotate([make_article(t, k, k.upper(), date(2026, 3, 9)) for k, t in texts.items()],
                   open_embedder("fake").embed)
    note = {k: ann.notes[(k, 0)] for k in texts}
    assert not negates(note["n2"], note["n1"])  # what is not done is the extinguishing, not the containing
    assert negates(note["n3"], note["n1"]) and negates(note["n4"], note["n5"])
    assert not negates(note["n7"], note["n6"])  # the claim reported with its denial agrees with the denial


@pytest.mark.real_model
def test_a_fact_told_in_one_clause_of_a_long_sentence_is_verified_against_that_clause():
    from agent.analysis.shared import main_clause, verify_shared

    long_a = ("To answer its critics, Norway issued a proposal on Friday that set out broad principles for ending the "
              "whaling dispute, but it was widely dismissed by Denmark's allies for lacking detail.")
    b = ("Oslo on Friday issued a proposal calling for a pause in whaling, but its fishing minister has also praised "
         "the “unbreakable bond” with Icelandic skippers, defended the seizure of three Danish trawlers and their "
         "crews in the Barents Sea, and refused to call it a seizure.")
    c = "Denmark's fisheries minister said on Friday that the trawler crews would be flown home, the agency reported."
    arts = [make_article(t, k, k.upper(), date(2026, 3, 9)) for k, t in (("c1", long_a), ("c2", b), ("c3", c))]
    ann = annotate(arts, open_embedder("minilm").embed)
    copied = "Norway issued a proposal on Friday that set out broad principles for ending the whaling dispute"
    assert main_clause(copied) == "Norway issued a proposal on Friday"
    said = verify_shared(ann, {(("c1", 0), ("c2", 0)): copied, (("c1", 0), ("c3", 0)): copied,
                               (("c2", 0), ("c3", 0)): "Danish trawler crews were seized"})
    # The shared statement is the copy's first clause, and B tells it in its own first clause (its whole sentence,
    # mostly about other things, is further from it in meaning).
    assert said[(("c1", 0), ("c2", 0))] == "same"
    assert said[(("c1", 0), ("c3", 0))] == "different"  # C states neither the proposal nor its details
    assert said[(("c2", 0), ("c3", 0))] == "different"  # a clause's closeness never stands in for the words


def test_a_short_statement_joins_but_a_description_only_one_sentence_states_in_passing_does_not():
    from agent.analysis.shared import states_something, verify_shared

    a = make_article("“I will not quit,” said Ms. Varga, who tried to end the questions about her health.", "s1", "One")
    b = make_article("“I will not quit,” Varga said after a meeting with the board, according to the Ledger.", "s2",
                     "Two")
    c = make_article("Ilse Varga, the embattled health minister of Valdoria, declared on Wednesday that she would stay.",
                     "s3", "Three")
    d = make_article("Valdoria's health minister Ilse Varga hinted on Tuesday that she might quit her post.", "s4",
                     "Four")
    e = make_article("Ilse Varga is the health minister of Valdoria and has led it since 2019.", "s5", "Five")
    ann = annotate([a, b, c, d, e], open_embedder("fake").embed)
    assert states_something("Varga will not quit") and not states_something("Valdoria minister")
    said = verify_shared(ann, {(("s1", 0), ("s2", 0)): "Ms. Varga will not quit",
                               (("s3", 0), ("s4", 0)): "Ilse Varga is the health minister of Valdoria",
                               (("s3", 0), ("s5", 0)): "Ilse Varga is the health minister of Valdoria"})
    assert said[(("s1", 0), ("s2", 0))] == "same"  # two content words and a verb state a fact
    assert said[(("s3", 0), ("s4", 0))] == "different"  # who she is, said in passing: not what either reports
    assert said[(("s3", 0), ("s5", 0))] == "different"  # one of the two still says it only in passing


def test_the_same_words_credited_to_two_different_people_are_an_attribution_conflict():
    from agent.analysis.candidates import Pair

    words_ = "Travellers may need to wait on the far side of the bridge while officers process those already inside"
    texts = {"w1": f"“{words_},” said Pete Orsk, director of field operations at the Tavra crossing.",
             "w2": f"“{words_},” Border Commissioner Lena Varis said in a statement.",
             "w3": f"“{words_},” Mr. Orsk told reporters on Monday."}
    ann = annotate([make_article(t, k, k.upper(), date(2026, 3, 9)) for k, t in texts.items()],
                   open_embedder("fake").embed)
    label, why = check(ann, Pair(("w1", 0), ("w2", 0), 0.9), "same")
    assert label == "speaker" and "Pete Orsk" in why and "Lena Varis" in why
    label, _ = check(ann, Pair(("w1", 0), ("w3", 0), 0.9), "same")
    assert label != "speaker"  # one man, named two ways


def test_a_pair_sharing_only_a_name_and_a_title_is_never_joined_without_asking(store):
    from agent.analysis.candidates import Pair
    from agent.analysis.judge import sure

    a = make_article("Senate Democratic Leader Olav Brekke said all options should be on the table.", "h1", "One")
    b = make_article("Senator Olav Brekke of Tavra, the Democratic leader, is a longtime supporter of gun rights.", "h2",
                     "Two")
    ann = annotate([a, b], open_embedder("fake").embed)
    names_only = Pair(("h1", 0), ("h2", 0), cosine=0.46, overlap=0.42)  # as measured on a real event with MiniLM
    assert names_only.score >= 1.0 and not sure(names_only)
    relations, _ = relate(ann, [names_only], llm=None, mode="rules")
    assert not any(r.joins for r in relations)
    assert sure(Pair(("h1", 0), ("h2", 0), cosine=0.8, overlap=0.3))


def test_one_group_counted_differently_by_two_outlets_is_a_number_conflict():
    from agent.analysis.candidates import Pair
    from agent.analysis.judge import one_count_told_apart

    texts = {"c1": "More than 150 migrants, part of a caravan that crossed Tavra in March, waited at the Oskeld gate.",
             "c2": "After walking through Tavra, about 200 migrants prepared to present themselves at the Oskeld gate.",
             "c3": "Officials plan to pull all 2,000 troops out of Tavra by the spring.",
             "c4": "About 7,000 troops will be withdrawn from Vendra in the coming months."}
    ann = annotate([make_article(t, k, k.upper(), date(2026, 3, 9)) for k, t in texts.items()],
                   open_embedder("fake").embed)
    migrants = Pair(("c1", 0), ("c2", 0), 0.56)
    assert one_count_told_apart(ann, migrants)
    label, why = check(ann, migrants, "same")
    assert label == "number" and "150" in why and "200" in why
    assert not one_count_told_apart(ann, Pair(("c1", 0), ("c2", 0), 0.4))  # far apart in meaning
    assert not one_count_told_apart(ann, Pair(("c3", 0), ("c4", 0), 0.56))  # troops of two places, no shared name
