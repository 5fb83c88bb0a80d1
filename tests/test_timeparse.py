"""Tests for finding time expressions and resolving them by news conventions."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.text.timeparse import TimeValue, compatible, find_time_expressions, resolve, to_interval

TUESDAY = date(2023, 2, 28)
CASE = Path(__file__).resolve().parents[1] / "evals/cases/lukashenko-china-2023/articles"
REAL = Path(__file__).resolve().parents[2] / "shared/real-events"


def value(text: str, published: date | None = TUESDAY, tense=None) -> str | None:
    return resolve(text, published, tense=tense).value


def test_finds_dates_weekdays_and_relative_phrases():
    text = ("On Tuesday, Feb. 28, 2023, the talks began; the 2020 election was held in September "
            "a decade ago, and more than a year ago troops moved. Last week, Monday night, he left.")
    assert [e.text for e in find_time_expressions(text)] == [
        "Tuesday, Feb. 28, 2023", "2020", "September", "a decade ago", "more than a year ago", "Last week",
        "Monday night",
    ]


def test_numbers_that_are_not_years_are_skipped():
    assert find_time_expressions("It cost $2023 and rose 2019% over 1,999 days, a 2020-style plan.") == []


def test_may_is_a_month_only_in_a_time_context():
    assert [e.text for e in find_time_expressions("They may meet in May; May Day.")] == ["May"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Feb. 28, 2023", "2023-02-28"), ("February 24, 2022", "2022-02-24"), ("28 February 2023", "2023-02-28"),
    ("2023-02-28", "2023-02-28"), ("February 2022", "2022-02"), ("in 2020", "2020"),
])
def test_absolute_dates_resolve_without_a_publication_date(text, expected):
    assert value(text, None) == expected


@pytest.mark.parametrize("text", ["Tuesday", "last week", "in September", "yesterday", "a year ago", "Feb. 28"])
def test_relative_expressions_need_a_publication_date(text):
    got = resolve(text, None)
    assert got.value is None and got.note


@pytest.mark.parametrize(("text", "tense", "expected"), [
    ("on Tuesday", "past", "2023-02-28"),      # the publication day counts
    ("Tuesday", "future", "2023-02-28"),
    ("Wednesday", "past", "2023-02-22"),
    ("Wednesday", "future", "2023-03-01"),
    ("Wednesday", None, "2023-02-22"),
    ("Monday night", None, "2023-02-27"),
    ("last Tuesday", None, "2023-02-21"),
    ("next Tuesday", None, "2023-03-07"),
    ("Tuesday, Feb. 28", None, "2023-02-28"),
])
def test_weekdays_follow_the_news_convention(text, tense, expected):
    assert value(text, tense=tense) == expected


@pytest.mark.parametrize(("text", "expected", "precision"), [
    ("yesterday", "2023-02-27", "day"), ("today", "2023-02-28", "day"), ("tomorrow", "2023-03-01", "day"),
    ("last week", "2023-02-20/2023-02-26", "week"), ("this week", "2023-02-27/2023-03-05", "week"),
    ("next week", "2023-03-06/2023-03-12", "week"), ("last month", "2023-01", "month"),
    ("earlier this month", "2023-02-01/2023-02-28", "range"), ("last year", "2022", "year"),
    ("a year ago", "2022", "year"), ("more than a year ago", "../2022-02-28", "range"),
    ("a decade ago", "2013", "year"), ("since 1994", "1994-01-01/2023-02-28", "range"),
    ("three days ago", "2023-02-25", "day"), ("the past two weeks", "2023-02-14/2023-02-28", "range"),
])
def test_relative_phrases(text, expected, precision):
    got = resolve(text, TUESDAY)
    assert (got.value, got.precision) == (expected, precision)


def test_months_and_seasons_take_the_year_from_tense():
    assert value("in September", tense="past") == "2022-09"
    assert value("in September", tense="future") == "2023-09"
    assert value("in the spring", tense="future") == "2023-03-01/2023-05-31"
    assert value("summer of 2021", None) == "2021-06-01/2021-08-31"


def test_dates_without_a_year_prefer_the_year_their_weekday_fits():
    got = resolve("Thursday, March 2", date(2023, 3, 31), tense="future")
    assert got.value == "2023-03-02" and "weekday" in got.note
    assert "does not match" in resolve("Friday, Feb. 28, 2023", None).note


def test_ranges():
    assert value("from Tuesday through Thursday", tense="future") == "2023-02-28/2023-03-02"
    assert value("from 2010 to 2013", None) == "2010-01-01/2013-12-31"


def test_vague_counts_are_not_guessed():
    got = resolve("a few days ago", TUESDAY)
    assert got.value is None and "vague" in got.note


def test_intervals_and_compatibility():
    assert to_interval("2023-02") == (date(2023, 2, 1), date(2023, 2, 28))
    assert to_interval("../2022-02-28") == (None, date(2022, 2, 28))
    tuesday = resolve("Tuesday", TUESDAY, tense="past")
    assert compatible(tuesday, resolve("Feb. 28", TUESDAY)) is True
    assert compatible(tuesday, resolve("this week", TUESDAY)) is True
    assert compatible(tuesday, resolve("last week", TUESDAY)) is False
    assert compatible(tuesday, TimeValue("x", None, "day")) is None


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
       st.sampled_from(["Tuesday", "Sunday", "last Friday", "next Monday"]), st.sampled_from(["past", "future", None]))
def test_weekdays_resolve_to_that_weekday_within_a_week(published, text, tense):
    got = date.fromisoformat(resolve(text, published, tense=tense).value)
    assert got.strftime("%A") == text.split()[-1]
    assert abs((got - published).days) <= 7


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
def test_past_is_never_after_and_future_never_before_publication(published):
    assert date.fromisoformat(value("Thursday", published, "past")) <= published
    assert date.fromisoformat(value("Thursday", published, "future")) >= published
    assert to_interval(value("in March", published, "past"))[0] <= published
    assert to_interval(value("in March", published, "future"))[1] >= published


def test_sample_case_dates():
    text = (CASE / "004_4cb35ac2d5b655e2.txt").read_text()
    found = {e.text for e in find_time_expressions(text)}
    assert {"February 28, 2023", "Tuesday", "February 24, 2022", "Last week"} <= found


@pytest.mark.skipif(not REAL.is_dir(), reason="real-events folder absent")
def test_real_events_expressions_slice_back_and_resolve():
    total = resolved = 0
    for path in sorted(REAL.glob("*/*.txt")):
        text = path.read_text()
        m = re.search(r"^Published: (\d{4}-\d{2}-\d{2})", text, re.M)
        published = date.fromisoformat(m.group(1)) if m else None
        for e in find_time_expressions(text):
            assert text[e.start : e.end] == e.text
            total += 1
            resolved += resolve(e.text, published).value is not None
    assert total > 300 and resolved > 0.9 * total - 40


def test_a_day_first_date_followed_by_a_number_is_the_month_first_date():
    from agent.text.numbers import extract_quantities

    text = "Fifteen of the 19 Sept. 11 hijackers were Saudi nationals."
    assert [e.text for e in find_time_expressions(text)] == ["Sept. 11"]
    assert [q.text for q in extract_quantities(text)] == ["Fifteen", "19"]  # the count of hijackers, not the day
    assert [e.text for e in find_time_expressions("It opened on 19 Sept. 2016.")] == ["19 Sept. 2016"]
