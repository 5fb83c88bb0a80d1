"""Sentence annotations that date actions: which way from publication a date without its year lies, and what a
sentence reports beneath its attribution."""

from datetime import date

from agent.analysis.annotate import dated_actions, event_time, reported_clause
from agent.text.timeparse import resolve

SUNDAY = date(2018, 12, 23)


def test_a_future_form_dates_ahead_of_publication():
    text = "Trump announced Sunday that Mattis will be leaving the administration on January 1, weeks earlier."
    assert ("leav", "2019-01-01") in dated_actions(text, SUNDAY, future=False)


def test_a_past_form_dates_behind_publication():
    text = "Hope Hicks, a longtime aide, announced her resignation in February."
    assert dated_actions(text, date(2018, 12, 20), future=False) == (("announc", "2018-02"),)


def test_a_date_with_no_verb_form_to_go_by_is_the_nearest():
    assert event_time("His resignation is effective December 31.", SUNDAY, future=False)[0] == "2018-12-31"
    assert resolve("in February", SUNDAY).value == "2019-02"  # two months ahead, not ten behind
    assert resolve("in February", SUNDAY, tense="past").value == "2018-02"


def test_a_passive_future_is_ahead():
    text = "The winner will be announced on March 3."
    assert dated_actions(text, date(2024, 12, 30), future=False) == (("announc", "2025-03-03"),)


def test_the_reported_clause_after_an_opening_attribution_with_a_day():
    text = ("President Trump announced Sunday that the secretary will be leaving on January 1, just days after "
            "his letter made clear his disagreements.")
    assert reported_clause(text).startswith("the secretary will be leaving")


def test_an_infinitive_after_a_past_verb_is_dated_behind():
    text = "Health Minister Ilse Varga refused to resign on Thursday evening, her office said."
    assert dated_actions(text, date(2025, 3, 7), future=False) == (("resign", "2025-03-06"),)


def test_a_passive_expectation_is_dated_ahead():
    text = "An independent inquiry headed by a retired judge is expected to report by September."
    assert dated_actions(text, date(2026, 3, 13), future=False) == (("report", "2026-09"),)


def test_to_and_a_verb_is_a_plan_only_after_a_word_of_intent():
    thursday = date(2016, 9, 29)
    voted = "The House ensured the bill will become law after voting 348-77 to override Wednesday afternoon."
    assert event_time(voted, thursday, future=False)[0] == "2016-09-28"  # the vote of the day before, not next week
    planned = "Lois Lerner plans to invoke the Fifth Amendment on Wednesday."
    assert event_time(planned, thursday, future=False)[0] == "2016-10-05"


def test_a_line_cut_off_with_an_ellipsis_or_a_question_states_no_fact():
    from agent.analysis.annotate import annotate
    from agent.llm.embed import open_embedder
    from tests.helpers import make_article

    text = ("News of major shootings in several cities over the weekend... Police said nine people were shot in "
            "Chicago on Sunday. Who will pay for the extra police patrols in the city?")
    ann = annotate([make_article(text, "e1", "Wire")], open_embedder("fake").embed)
    assert [ann.notes[("e1", i)].reportable for i in range(3)] == [False, True, False]
