"""Tests for quantity extraction and comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.text.numbers import extract_quantities, same_quantity, words_to_number

REAL = Path(__file__).resolve().parents[2] / "shared/real-events"


def got(text: str) -> list[tuple[str, float, str | None]]:
    return [(q.text, q.value, q.unit) for q in extract_quantities(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Exports rose 33% to $5 billion.", [("33%", 33, "percent"), ("$5 billion", 5e9, "USD")]),
    ("a 1,000-kilometer (621-mile) frontier", [("1,000-kilometer", 1000, "km"), ("621-mile", 621, "mile")]),
    ("A 68-year-old general", [("68-year-old", 68, "age")]),
    ("a 12-point plan for a three-day visit", [("12-point", 12, "point"), ("three-day", 3, "days")]),
    ("more than 12,000 troops", [("more than 12,000", 12000, None)]),
    ("half of its trade and two-thirds of its debt", [("half", 0.5, "fraction"), ("two-thirds", 2 / 3, "fraction")]),
    ("the 2020 election and 2,000 soldiers", [("2020", 2020, "year"), ("2,000", 2000, None)]),
    ("$5bn, €3m and 2.5 percentage points",
     [("$5bn", 5e9, "USD"), ("€3m", 3e6, "EUR"), ("2.5 percentage points", 2.5, "percentage_point")]),
    ("two hundred and five people and a dozen eggs", [("two hundred and five", 205, None), ("a dozen", 12, None)]),
])
def test_extracts_quantities_with_units(text, expected):
    assert [(t, pytest.approx(v), u) for t, v, u in got(text)] == expected


@pytest.mark.parametrize("text", [
    "G7 leaders flew F-16s after Covid-19 and 9/11.",
    "the No. 2 official met at 3:30 and again at 7 p.m. on the 1st",
    "one of the allies said the vote was 97-1",
    "He arrived on Feb. 28, 2023, three days ago.",
])
def test_codes_times_dates_and_pronoun_one_are_not_quantities(text):
    assert got(text) == []


def test_qualifiers_and_counted_nouns():
    q = extract_quantities("about 7,000 troops and up to 10 dollars")
    assert [(x.qualifier, x.noun) for x in q] == [("about", "troops"), ("less", None)]


def test_same_quantity():
    a, b, km, mi, k12, k14, pct, half, more, exact = extract_quantities(
        "$5 billion; $5bn; 1,000 km; 621 miles; killed 12; killed 14; 50%; half; more than 12,000; 12,500"
    )
    assert same_quantity(a, b) is True
    assert same_quantity(km, mi) is True
    assert same_quantity(k12, k14) is False
    assert same_quantity(pct, half) is True
    assert same_quantity(more, exact) is True
    assert same_quantity(exact, more) is True
    assert same_quantity(a, pct) is None


def test_qualified_bounds_conflict():
    less, more = extract_quantities("fewer than 100 people, more than 200 people")
    assert same_quantity(less, more) is False


@given(st.integers(min_value=0, max_value=9999))
def test_number_words_round_trip(n):
    ones = "zero one two three four five six seven eight nine".split()
    teens = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
    tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

    def say(k: int) -> str:
        if k < 10:
            return ones[k]
        if k < 20:
            return teens[k - 10]
        if k < 100:
            return tens[k // 10] + ("-" + ones[k % 10] if k % 10 else "")
        if k < 1000:
            return ones[k // 100] + " hundred" + (" and " + say(k % 100) if k % 100 else "")
        return say(k // 1000) + " thousand" + (" " + say(k % 1000) if k % 1000 else "")

    assert words_to_number(say(n)) == n


@given(st.text(alphabet="0123456789,.$%- abcmkbn", max_size=40))
def test_spans_slice_back(text):
    for q in extract_quantities(text):
        assert text[q.start : q.end] == q.text


@pytest.mark.skipif(not REAL.is_dir(), reason="real-events folder absent")
def test_real_events_quantities():
    units = set()
    for path in sorted(REAL.glob("*/*.txt")):
        text = path.read_text()
        for q in extract_quantities(text):
            assert text[q.start : q.end] == q.text
            units.add(q.unit)
    assert {"year", "percent", "USD", "age", "days", None} <= units
