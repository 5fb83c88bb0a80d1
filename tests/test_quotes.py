"""Tests for quotation spans, speakers, and quote or phrase comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.text.quotes import find_quotes, phrase_drift, quote_relation, quote_similarity, same_quote

REAL = Path(__file__).resolve().parents[2] / "shared/real-events"


def quotes(sentence: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in find_quotes(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("“We will not accept pressure,” Interior Ministry spokesperson Anna Berg said Monday.",
         [("We will not accept pressure,", "Anna Berg")]),
        ("“Talks went well,” said Mr. Okafor, a senior fellow at the Lagos Institute.",
         [("Talks went well,", "Okafor")]),
        ('"It is over," Premier Dana Holt told reporters.', [("It is over,", "Dana Holt")]),
        ("In an interview, Holt said that now is “a unique moment ... to stop the conflict.”",
         [("a unique moment ... to stop the conflict.", "Holt")]),
        ("“We share no secrets,” Holt told Berg, per the readout, adding “we never worked against anyone.”",
         [("We share no secrets,", "Holt"), ("we never worked against anyone.", "Holt")]),
        ("Ankara responded to the charges, saying it was “actively promoting talks,” while others were "
         "“arming both sides.”",
         [("actively promoting talks,", "Ankara"), ("arming both sides.", "Ankara")]),
        ("Finance Minister Tomas Hale pledged to “support the currency,” according to a ministry readout.",
         [("support the currency,", "Tomas Hale")]),
        ("The country’s top diplomat, Lina Ost, warned that it would face “real costs” if it went ahead.",
         [("real costs", "Lina Ost")]),
        ("“The deal is done,” Ned Ford, the Trade Department spokesman, said on Monday.",
         [("The deal is done,", "Ned Ford")]),
        ("Officials agreed to an “all-weather strategic partnership” on Friday.",
         [("all-weather strategic partnership", None)]),
        ("“I will not resign,” he said.", [("I will not resign,", None)]),
        ("The plan drew “strong interest,” according to the Daily Ledger.", [("strong interest,", "Daily Ledger")]),
    ],
)
def test_quotes_and_speakers(sentence, expected):
    assert quotes(sentence) == expected


def test_quote_cut_at_either_edge_of_the_sentence():
    got = quotes("We will by no means accept coercion,” Anna Berg said.")
    assert got == [("We will by no means accept coercion,", "Anna Berg")]
    assert quotes("Berg said: “The talks will go on") == [("The talks will go on", "Berg")]


def test_single_curly_quotes_but_not_apostrophes():
    got = quotes("Critics called it Moscow’s ‘little ally’ and the allies’ ‘expanding influence’.")
    assert [t for t, _ in got] == ["little ally", "expanding influence"]
    assert quotes("The countries’ leaders and Russia’s ties don’t change.") == []


def test_nested_single_quotes_stay_inside_the_double_quote():
    got = quotes("“They call Minsk a ‘little ally’ here,” read a Daily Ledger editorial.")
    assert got == [("They call Minsk a ‘little ally’ here,", "Daily Ledger")]


def test_straight_quotes_pair_by_context():
    assert [t for t, _ in quotes('He said the "rule of law" matters and "order" too.')] == ["rule of law", "order"]


def test_a_quote_continues_after_its_attribution():
    text = "“We are ready,” said Rep. Zoe Lane of Ohio. “We have been for months.”"
    assert quotes(text) == [("We are ready,", "Zoe Lane"), ("We have been for months.", "Zoe Lane")]


PIECES = ["“", "”", '"', "‘", "’", "said", "Ann Lee", ",", ".", "we", "s", " "]


@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_quote_spans_slice_back(tokens):
    sentence = " ".join(tokens)
    for q in find_quotes(sentence):
        assert sentence[q.start : q.end] == q.text and q.text


def test_same_quote_ignores_case_punctuation_and_ellipses():
    assert same_quote("a unique situation ... to put a stop", "A unique situation… to put a stop.")
    assert not same_quote("a unique situation", "a unique position")


def test_quote_similarity_and_relation():
    a, b = "pouring lethal weapons into the battlefield", "pouring dangerous weapons into the battlefield"
    assert quote_similarity(a, b) == pytest.approx(5 / 6)
    assert quote_relation("peace talks", "we want peace talks now") == "fragment"
    assert quote_relation("We want peace.", "we want, peace") == "same"
    assert quote_relation(a, b) == "altered"
    assert quote_relation("no limits", "a brutal crackdown followed") == "unrelated"


def test_phrase_drift_finds_swapped_words():
    drift = phrase_drift("all-weather comprehensive strategic partnership",
                         "an all-weather comprehensive strategic cooperation")
    assert drift is not None and drift.swaps == (("partnership", "cooperation"),)
    drift = phrase_drift("actively encouraging peace talks and settlement of the issue",
                         "actively promoting peace talks and settlement of the crisis")
    assert drift is not None and drift.swaps == (("encouraging", "promoting"), ("issue", "crisis"))


@pytest.mark.parametrize(("a", "b"), [
    ("all-weather partnership", "All-weather partnership!"),
    ("an occasion to promote progress in overall cooperation",
     "an opportunity to pursue progress in the all-round cooperation between both"),
    ("peace talks", "a brutal crackdown"),
    ("strategic partnership", "strategic partnership with Russia"),
])
def test_phrase_drift_none_when_identical_or_unrelated(a, b):
    assert phrase_drift(a, b) is None


@pytest.mark.skipif(not REAL.is_dir(), reason="real-events folder absent")
def test_real_events_quotes_are_found_and_mostly_attributed():
    found = attributed = 0
    for path in sorted(REAL.glob("*/*.txt")):
        for para in path.read_text().split("\n"):
            for q in find_quotes(para):
                assert para[q.start : q.end] == q.text
                found += 1
                attributed += q.speaker is not None
    assert found > 300 and attributed > 0.4 * found
