"""Sentence splitting: exact offsets always, and the hard cases (abbreviations, initials, quotes, dashes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.ingest.sentences import sentences_for, split_sentences


def texts_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
@settings(max_examples=300, deadline=None)
def test_offsets_slice_back_and_cover_the_text_in_order(text):
    sents = sentences_for("a", text)
    last_end = 0
    for n, s in enumerate(sents):
        assert s.index == n
        assert text[s.start:s.end] == s.text
        assert s.start >= last_end and s.end > s.start  # in order, no overlap, never empty
        assert not text[last_end:s.start].strip()  # nothing but whitespace falls between sentences
        assert s.text == s.text.strip()
        last_end = s.end
    assert not text[last_end:].strip()


WORDS = st.sampled_from(["U.S.", "Mr.", "Feb.", "Gen.", "said", "the", "“We", "go.”", "—", "A.", "Inc.", "3.5",
                         "Dr.", "a.m.", "...", "?", "!", "(AP)", "Putin", "no.", "It", "ends.", "\n", "e.g."])


@given(st.lists(WORDS, max_size=60).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_offsets_hold_on_abbreviation_heavy_text(text):
    for s in sentences_for("a", text):
        assert text[s.start:s.end] == s.text


@pytest.mark.parametrize("text, expected", [
    ("The U.S. Army said so. It left.", ["The U.S. Army said so.", "It left."]),
    ("Mr. Lukashenko met Gen. Li on Feb. 28 in Beijing. Talks went on.",
     ["Mr. Lukashenko met Gen. Li on Feb. 28 in Beijing.", "Talks went on."]),
    ("President Vladimir V. Putin spoke. Then he left.", ["President Vladimir V. Putin spoke.", "Then he left."]),
    ("“We have no closed topics,” he said. “We cooperate.”", ["“We have no closed topics,” he said.", "“We cooperate.”"]),
    ("“Why now?” Mr. Jordan asked. Nobody knew.", ["“Why now?” Mr. Jordan asked.", "Nobody knew."]),
    ("Sanctions hit the firm — a big one. It fell 3.5 percent.", ["Sanctions hit the firm — a big one.",
                                                                 "It fell 3.5 percent."]),
    ("He arrived in the U.S. The visit was short.", ["He arrived in the U.S.", "The visit was short."]),
    ("It starts at 9 a.m. ET on Tuesday. Doors open early.", ["It starts at 9 a.m. ET on Tuesday.", "Doors open early."]),
    ("Apple Inc. said profits rose. The shares fell.", ["Apple Inc. said profits rose.", "The shares fell."]),
    ("One line\nAnother line", ["One line", "Another line"]),
    ("He cited “19 steps.” Ms. Speier said the plan is broad.", ["He cited “19 steps.”",
                                                                  "Ms. Speier said the plan is broad."]),
    ('"We talked." Aides said he has not met Kim.', ['"We talked."', "Aides said he has not met Kim."]),
    ('"It hit us hard!" Trump said in a tweet. Talks go on.', ['"It hit us hard!" Trump said in a tweet.',
                                                               "Talks go on."]),
])
def test_hard_cases(text, expected):
    assert texts_of(text) == expected
