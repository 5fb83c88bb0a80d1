"""Casualties: a report that no one was hurt against one that counts people hurt is a contradiction code finds."""

from __future__ import annotations

from datetime import date

from agent.text.harm import casualties, harm_clash
from tests.helpers import analysed, make_article

DENIED = "No one was injured, the fire chief said."
COUNTED = "Two workers were taken to hospital with burns after the fire, hospital officials said."


def test_what_a_sentence_denies_and_what_it_counts():
    assert casualties(DENIED).denied == {"injury"} and not casualties(DENIED).counted
    assert casualties(COUNTED).counted == (("injury", "Two"),) and not casualties(COUNTED).denied
    assert casualties("There were no casualties, police said.").denied == {"injury", "death"}
    assert casualties("At least 14 people died after the ferry capsized.").counted == (("death", "At least 14"),)
    assert not casualties("None of the 48 passengers was injured.").counted  # a figure inside the denial
    assert not casualties("About 60 firefighters fought the blaze.").counted  # counted, but not as harmed


def test_no_one_hurt_clashes_with_people_hurt_or_dead_but_no_one_killed_does_not_clash_with_people_hurt():
    assert harm_clash(DENIED, COUNTED) == "no one hurt in one report, two hurt in the other"
    assert harm_clash(COUNTED, DENIED) is not None
    assert harm_clash(DENIED, "Three people died in the blaze.") is not None
    assert harm_clash("No one was killed in the blast.", COUNTED) is None
    assert harm_clash(DENIED, "About 60 firefighters fought the blaze.") is None


def test_two_outlets_disagreeing_on_casualties_give_a_contradiction_and_an_older_disaster_does_not(store):
    day = date(2026, 3, 9)
    a = make_article(f"A fire broke out at the solvent plant on Monday. {DENIED}", "h1", "Press Agency", day)
    b = make_article(f"{COUNTED} Both men are in stable condition. Two people were killed in a similar fire at the "
                     "plant in 2019.", "h2", "Town Today", day)
    found = analysed(store, [a, b]).comparison.divergences
    clashes = [d for d in found if d.kind == "contradiction"]
    assert len(clashes) == 1, [d.rationale for d in found]
    sides = {s.outlet: s.text for s in clashes[0].sides}
    assert sides == {"Press Agency": DENIED, "Town Today": COUNTED}
    assert clashes[0].resolution == "disputed" and "no one hurt" in clashes[0].rationale
