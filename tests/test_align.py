"""Grouping sentences into facts: joined pairs merge, a derivative copy never stands between two voices."""

from __future__ import annotations

from agent.analysis.align import group_sentences
from agent.analysis.annotate import annotate
from agent.analysis.candidates import Pair
from agent.analysis.judge import Relation
from agent.llm.embed import open_embedder
from tests.helpers import make_article


def test_a_copy_of_one_outlet_does_not_keep_that_outlet_from_a_fact_another_outlet_states():
    original = make_article("The two leaders upgraded their ties to an all-weather strategic partnership in September "
                            "at Samarkand.", "o1", "Wire")
    copy = make_article("The two presidents lifted their relations to an all-weather strategic cooperation in "
                        "September at Samarkand.", "c1", "Copy", derivative_of="o1")
    other = make_article("Those ties were upgraded to an all-weather strategic partnership, the leaders said.", "t1",
                         "Times")
    ann = annotate([original, copy, other], open_embedder("fake").embed)
    o, c, t = ("o1", 0), ("c1", 0), ("t1", 0)
    assert ann.score(c, t) < 1.0  # the copy's reworded sentence is not linked to the Times on its own
    relations = [Relation(Pair(o, c, ann.cosine(o, c), overlap=1.0), "same", "code"),  # the copy: joined first
                 Relation(Pair(o, t, ann.cosine(o, t)), "same", "model", "same")]
    assert sorted(map(sorted, group_sentences(ann, relations))) == [[c, o, t]]
