"""Tests for proper-name spans and the corpus alias table."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.text.entities import AliasTable, find_names, split_title
from agent.text.norm import same_spelling

CASE = Path(__file__).resolve().parents[1] / "evals/cases/lukashenko-china-2023/articles"
REAL = Path(__file__).resolve().parents[2] / "shared/real-events"


def names(text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.title) for m in find_names(text)]


# --- find_names ------------------------------------------------------------------------------
def test_titles_are_split_off_and_initials_kept():
    got = names("President Aleksandr G. Lukashenko met Russian President Vladimir V. Putin and Mr. Xi.")
    assert got == [("Aleksandr G. Lukashenko", "President"), ("Vladimir V. Putin", "Russian President"), ("Xi", "Mr.")]


def test_multiword_titles_with_of_and_acronyms():
    got = names("U.S. Secretary of State Antony Blinken spoke to Foreign Minister Qin Gang.")
    assert got == [("Antony Blinken", "U.S. Secretary of State"), ("Qin Gang", "Foreign Minister")]


def test_particles_hyphens_and_arabic_articles():
    got = names("Ursula von der Leyen, Bashar al-Assad, Kim Jong-un and Moon Jae-in met George H.W. Bush.")
    assert [n for n, _ in got] == [
        "Ursula von der Leyen", "Bashar al-Assad", "Kim Jong-un", "Moon Jae-in", "George H.W. Bush"
    ]


def test_of_joins_organisations_but_not_a_person_and_a_country():
    got = [n for n, _ in names("President Ebrahim Raisi of Iran visited the Bank of England.")]
    assert got == ["Ebrahim Raisi", "Iran", "Bank of England"]


def test_possessives_are_not_part_of_the_name():
    assert [n for n, _ in names("Lukashenko’s government and Belarus’ territory and China's ties.")] == [
        "Lukashenko", "Belarus", "China"
    ]


def test_sentence_initial_common_words_weekdays_and_months_are_ignored():
    text = "The talks began. Last week, Beijing on Friday issued a plan. In September, it grew. Economic support grew."
    assert [n for n, _ in names(text)] == ["Beijing"]


def test_a_sentence_initial_name_is_kept():
    assert [n for n, _ in names("Lukashenko arrived on Tuesday, Feb. 28.")] == ["Lukashenko"]


def test_may_is_a_month_unless_it_follows_a_given_name():
    assert [n for n, _ in names("Theresa May spoke in May.")] == ["Theresa May"]


def test_capitalised_hyphen_compounds_split_and_common_tails_drop():
    got = [n for n, _ in names("the Ukraine-Russia war and a Russia-dependent economy")]
    assert got == ["Ukraine", "Russia", "Russia"]


def test_title_case_headline_keeps_only_names_the_body_uses():
    text = "China Welcomes Belarusian Leader Amid Concerns About Ukraine\n\n"
    text += "The Belarusian leader Lukashenko visited China."
    assert [n for n, _ in names(text)] == ["China", "Belarusian", "Belarusian", "Lukashenko", "China"]


def test_contractions_and_single_letters_are_not_names():
    assert names("I’m sure We're ready, said R.") == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["Mr.", "President", "Aleksandr", "G.", "Lukashenko", "the", "of", "Bank", "said", "U.S.", "von", "der",
     "Leyen", "al-Assad", "Kim", "Jong-un", "’s", ",", ".", "\n", "“", "”", "Tuesday", "May", "Kiev-Kyiv",
     "Belarus’"]
), max_size=25))
def test_spans_always_slice_back_to_their_text(tokens):
    text = " ".join(tokens)
    for m in find_names(text):
        assert text[m.start : m.end] == m.text and m.text.strip() == m.text


def test_split_title():
    assert split_title("Mr. Xi") == ("Mr.", "Xi")
    assert split_title("Foreign Ministry spokesperson") == (None, "Foreign Ministry spokesperson")
    assert split_title("Lukashenko’s") == (None, "Lukashenko")


# --- AliasTable -----------------------------------------------------------------------------
def test_surnames_initials_and_spellings_merge_to_the_full_name():
    table = AliasTable.build({
        "a": ["President Alexander Lukashenko", "Lukashenko", "Kyiv", "Chinese President Xi Jinping"],
        "b": ["Aleksandr G. Lukashenko", "Mr. Lukashenko", "Kiev", "Mr. Xi"],
    })
    assert table.canonical("Lukashenko") == "Alexander Lukashenko"
    assert table.canonical("Aleksandr G. Lukashenko") == "Alexander Lukashenko"
    assert table.canonical("Mr. Xi") == "Xi Jinping"
    assert table.canonical("Kyiv") == table.canonical("Kiev")


def test_plain_strings_without_titles_still_merge_a_surname():
    table = AliasTable.build({"a": ["Alexander Lukashenko", "Lukashenko"], "b": ["Lukashenko"]})
    assert table.canonical("Lukashenko") == "Alexander Lukashenko"


def test_different_people_never_merge():
    table = AliasTable.build({"a": [
        "President George W. Bush", "George H.W. Bush", "George Bush", "Bush",
        "Bill Clinton", "Hillary Clinton", "Clinton", "Premier Li Keqiang", "Premier Li Qiang", "Li",
    ]})
    canon = {n: table.canonical(n) for n in ["George W. Bush", "George H.W. Bush", "George Bush", "Bush"]}
    assert len(set(canon.values())) == 4
    assert table.canonical("Clinton") == "Clinton"
    assert table.canonical("Bill Clinton") != table.canonical("Hillary Clinton")
    assert table.canonical("Li") == "Li"
    assert table.canonical("Li Keqiang") != table.canonical("Li Qiang")


def test_a_surname_goes_to_the_person_its_own_article_names_in_full():
    table = AliasTable.build({"a": ["Olivia Wang"], "b": ["State Councillor Wang Yi", "Wang"]})
    assert table.canonical("Wang") == "Wang Yi"


def test_a_place_is_not_absorbed_into_a_longer_name():
    table = AliasTable.build({"a": ["Spacety China", "China"], "b": ["China"], "c": ["China", "Mr. Lukashenko"]})
    assert table.canonical("China") == "China"


def test_transliterations_merge_and_are_reported_as_variants():
    table = AliasTable.build({
        "a": ["Muammar Qaddafi", "Qaddafi", "Zelenskiy", "President Volodymyr Zelenskyy", "Belarusian"],
        "b": ["Muammar Gaddafi", "Gaddafi", "Volodomyr Zelensky", "Belarussian"],
    })
    assert table.canonical("Gaddafi") == table.canonical("Qaddafi") == "Muammar Gaddafi"  # tie: alphabetical
    assert table.canonical("Zelensky") == table.canonical("Volodymyr Zelenskyy")
    variants = {g.canonical: g.variants for g in table.variant_groups()}
    assert variants["Belarusian"] == {"Belarusian": ["a"], "Belarussian": ["b"]}
    assert "Volodomyr Zelensky" in variants[table.canonical("Zelensky")]


def test_acronyms_join_the_organisation_they_abbreviate():
    table = AliasTable.build({"a": ["Shanghai Cooperation Organization", "SCO", "United States"], "b": ["U.S.", "US"]})
    assert table.canonical("SCO") == "Shanghai Cooperation Organization"
    assert table.canonical("U.S.") == table.canonical("US") == "United States"


def test_unknown_names_come_back_cleaned():
    table = AliasTable.build({"a": ["Alexander Lukashenko"]})
    assert table.canonical("Mr. Nobody’s") == "Nobody"


def test_sample_case_groups_and_variants():
    texts = {p.name[:3]: p.read_text() for p in sorted(CASE.glob("*.txt"))}
    table = AliasTable.from_texts(texts)
    assert table.canonical("Lukashenko") == "Alexander Lukashenko"
    assert table.canonical("Li") == "Li Keqiang"
    assert table.canonical("Wang") == "Wang Yi"
    assert table.canonical("P.R.C.") == "People’s Republic of China"
    by_name = {g.canonical: g.variants for g in table.variant_groups()}
    assert by_name["Alexander Lukashenko"]["Aleksandr G. Lukashenko"] == ["003"]
    assert set(by_name[table.canonical("Kyiv")]) == {"Kiev", "Kyiv"}
    assert table.canonical("Spacety China") != table.canonical("China")


@pytest.mark.skipif(not REAL.is_dir(), reason="real-events folder absent")
def test_real_events_never_merge_people_with_different_given_names():
    for event in sorted(p for p in REAL.iterdir() if p.is_dir()):
        texts = {p.name: p.read_text() for p in event.iterdir() if p.suffix in (".txt", ".md")}
        started = time.perf_counter()
        table = AliasTable.from_texts(texts)
        assert time.perf_counter() - started < 2.0
        assert sum(len(find_names(t)) for t in texts.values()) > 10
        for group in table.groups():
            full = [v.split() for v in group.variants if len(v.split()) >= 2]
            firsts = {words[0] for words in full if "." not in words[0]}
            assert all(same_spelling(a, b) for a in firsts for b in firsts), (event.name, group)


def test_table_scales_to_many_articles():
    syllables = ["ka", "lo", "mi", "ren", "sto", "vad", "quin", "bel", "tor", "zu"]

    def word(n: int) -> str:
        return "".join(syllables[int(d)] for d in str(n)).capitalize()

    mentions = {
        str(a): [f"{word(a * 31 + k)} {word(a * 17 + k + 500)}" for k in range(20)] + [word(a * 17 + 500)]
        for a in range(200)
    }
    started = time.perf_counter()
    table = AliasTable.build(mentions)
    assert time.perf_counter() - started < 3.0
    assert len(table.groups()) >= 3000
