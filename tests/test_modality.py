"""Tests for modality cues that govern a claim's predicate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.text.modality import classify
from agent.types import MODALITIES

CASE = Path(__file__).resolve().parents[1] / "evals/cases/lukashenko-china-2023/articles"
REAL = Path(__file__).resolve().parents[2] / "shared/real-events"


@pytest.mark.parametrize(("sentence", "predicate", "modality", "cue", "who"), [
    ("Premier Dana Holt arrived in Oslo on Tuesday for a visit that will be watched for signs of a thaw.",
     "arrived", "asserted_past", "arrived", None),
    ("Premier Dana Holt was set to arrive in Oslo on Tuesday.", "arrive", "planned_or_expected", "was set to", None),
    ("Holt is due in Oslo to begin a three-day visit.", "begin", "planned_or_expected", "is due in Oslo to", None),
    ("Holt is expected to meet the king.", "meet", "planned_or_expected", "is expected to", None),
    ("Holt will meet the king, the palace said on Sunday.", "meet", "planned_or_expected", "will", "palace"),
    ("Ann Berg said Holt will visit Bergen next month.", "visit", "planned_or_expected", "will", "Ann Berg"),
    ("Ann Berg said the visit showed growing ties.", "showed", "attributed", "said", "Ann Berg"),
    ("Rival officials have warned that Oslo is considering sending weapons.",
     "considering", "attributed", "warned", "Rival officials"),
    ("Oslo has repeatedly denied that it has considered supplying weapons.", "considered", "denied", "denied", "Oslo"),
    ("The ministry dismissed reports that troops had crossed the border.",
     "crossed", "denied", "dismissed reports", "ministry"),
    ("Holt may prioritise trade ties during the visit.", "prioritise", "hedged", "may", None),
    ("Holt reportedly met the envoy in secret.", "met", "hedged", "reportedly", None),
    ("Holt is believed to have met the envoy.", "met", "hedged", "is believed to have", None),
    ("Holt met the envoy on Wednesday, according to a readout from the Norwegian government.",
     "met", "attributed", "according to", "Norwegian government"),
    ("Holt arrived in Oslo, state media reported.", "arrived", "attributed", "reported", "state media"),
    ("Holt arrived in Oslo, and officials said talks would follow.", "arrived", "asserted_past", "arrived", None),
    ("The talks are continuing in Geneva.", "continue", "ongoing", "are continuing", None),
    ("“We are ready,” Interior Ministry spokesperson Mao Ning said Monday.",
     "said", "attributed", "said", "Mao Ning"),
])
def test_the_cue_that_governs_the_predicate(sentence, predicate, modality, cue, who):
    got = classify(sentence, predicate)
    assert (got.modality, got.cue, got.attributed_to) == (modality, cue, who)


def test_a_cue_inside_a_quote_does_not_govern_a_predicate_outside_it():
    got = classify("Holt arrived on Monday and said “we will stay for a week.”", "arrived")
    assert got.modality == "asserted_past"


def test_no_explicit_cue_gives_none():
    assert classify("Holt has long had close ties with Oslo.", "have").modality is None
    assert classify("A quiet day in the capital.") == classify("A quiet day in the capital.", None)
    assert classify("A quiet day in the capital.").modality is None


def test_without_a_predicate_the_main_verb_is_used():
    assert classify("Oslo on Friday issued a proposal calling for talks.").modality == "asserted_past"
    assert classify("Holt is expected to make a visit in the spring.").modality == "planned_or_expected"


def test_adjectival_participles_are_not_past_tense_verbs():
    assert classify("A Kyiv-based subsidiary and its damaged ties.").modality is None


def _sentences(path: Path) -> list[str]:
    return [s for p in path.read_text().split("\n") for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“])", p) if len(s) > 30]


def test_sample_case_timing_of_report():
    late = [s for s in _sentences(CASE / "000_a9aa1eef02347b3f.txt") if "arrived in Beijing on Tuesday" in s]
    early = [s for s in _sentences(CASE / "004_4cb35ac2d5b655e2.txt") if "was set to arrive" in s]
    assert classify(late[0], "arrive").modality == "asserted_past"
    assert classify(early[0], "arrive").modality == "planned_or_expected"


@pytest.mark.skipif(not REAL.is_dir(), reason="real-events folder absent")
def test_real_event_sentences_get_valid_modalities():
    seen = set()
    for path in sorted(REAL.glob("*/*.txt"))[:12]:
        for sentence in _sentences(path):
            got = classify(sentence)
            assert got.modality is None or got.modality in MODALITIES
            assert got.cue is None or got.cue.lower() in sentence.lower()
            seen.add(got.modality)
    assert {"asserted_past", "attributed", "planned_or_expected", "hedged"} <= seen
