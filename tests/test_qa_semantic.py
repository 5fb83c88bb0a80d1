"""Questions in other words than the articles': retrieval and checks by meaning, abstention where the corpus is
silent, each version where the outlets disagree, and never a superseded version stated as current."""

from __future__ import annotations

import re

from agent.llm.embed import FakeEmbedder
from agent.llm.fake import fake_llm
from agent.qa.answer import answer
from agent.types import Comparison, Divergence, DivergenceSide, FactCluster
from tests.test_qa import replying
from tests.test_retrieval import POST, corpus, fill, make_article


class Synonyms(FakeEmbedder):
    """The hashing fake, reading a few words as the word the articles use, as a sentence model would."""

    SAME = {"quit": "resigned", "treasury": "finance", "chief": "minister", "replacement": "successor",
            "hurt": "injured", "wounded": "injured", "inaugurated": "opened"}

    def __init__(self):
        super().__init__()
        self.name = "synonyms"

    def _vector(self, text: str):
        return super()._vector(re.sub(r"\w+", lambda m: self.SAME.get(m.group().lower(), m.group()), text))


def test_a_paraphrased_question_is_answered_with_a_citation(store):
    corpus(store)
    question = "When did the treasury chief quit?"  # no word of it in the answering sentence
    llm = fake_llm(respond=replying("Ana Ruiz resigned on Monday.", "resigned on Monday"))
    result = answer(question, store, llm, embedder=Synonyms(), comparison=None)
    assert not result.abstained and result.answer == "Ana Ruiz resigned on Monday."
    assert result.citations[0].text == POST[0]
    words_only = answer(question, store, fake_llm(), embedder=FakeEmbedder(), comparison=None)
    assert words_only.abstained  # by its words alone the question meets nothing: meaning made the difference


def test_a_paraphrase_the_corpus_does_not_answer_is_abstained_on(store):
    corpus(store)
    llm = fake_llm(respond=replying("The treasury chief earned 90,000 euros a year.", "resigned on Monday"))
    result = answer("How much did the treasury chief earn?", store, llm, embedder=Synonyms(), comparison=None)
    assert llm.chat.calls and result.abstained  # the model was asked (the question meets the corpus) and overruled
    assert "90,000" not in result.answer


def test_the_abstention_names_the_closest_sentence_by_meaning(store):
    corpus(store)
    llm = fake_llm(respond=replying("not stated", found=False))
    result = answer("Who will be the replacement?", store, llm, embedder=Synonyms(), comparison=None)
    assert result.abstained and result.closest is not None
    assert result.closest.text == POST[1] and f"“{POST[1]}”" in result.answer


def test_a_number_the_cited_sentence_does_not_state_is_refused(store):
    corpus(store)
    llm = fake_llm(respond=replying("Ana Ruiz resigned on Monday, after 61 votes against her and 45 for.",
                                    "resigned on Monday", "61 to 40"))
    result = answer("What was the vote on Ana Ruiz?", store, llm, embedder=Synonyms(), comparison=None)
    assert result.abstained and any("'45'" in n for n in result.notes)


# --- where the outlets disagree -------------------------------------------------------------------------------
HURT_A = "The ministry said 12 people were injured in the blast at the depot."
HURT_B = "Officials said 15 people were injured in the blast at the depot on Friday."


def _side(article, i: int) -> DivergenceSide:
    ref = article.ref(i)
    return DivergenceSide(article_id=article.id, outlet=article.outlet, sentence_refs=[ref], text=ref.text)


def test_an_answer_the_outlets_state_differently_gives_each_version_and_why(store):
    a, b = fill(store, make_article("Harbour Gazette", [HURT_A, "The depot reopened on Saturday."]),
                make_article("City Radio", [HURT_B, "Police are investigating."]))
    divergence = Divergence(id="d1", kind="number_or_date", sides=[_side(a, 0), _side(b, 0)], resolution="disputed",
                            rationale="The figures differ: 12 against 15. Neither version can be preferred.",
                            confidence=0.8)
    comparison = Comparison(facts=[], single_source=[], coverage={}, divergences=[divergence])
    llm = fake_llm(respond=replying("12 people were injured.", "12 people"))
    result = answer("How many people were wounded?", store, llm, embedder=Synonyms(), comparison=comparison)
    assert not result.abstained
    assert "Harbour Gazette" in result.answer and "City Radio" in result.answer
    assert "12 people" in result.answer and "15 people" in result.answer
    assert "Why: The figures differ: 12 against 15." in result.answer
    assert {c.text for c in result.citations} == {HURT_A, HURT_B}


def test_a_conflict_is_told_with_both_of_its_versions_even_when_a_third_outlet_repeats_one(store):
    refused = "Her spokesman told reporters on Thursday that she refused to resign."
    wire = "Ilse Varga quit as health minister on Thursday after the audit."
    ledger = "Ilse Varga quit as health minister on Thursday evening."
    a, b, c = fill(store, make_article("Public Radio", [refused, "Police are investigating."]),
                   make_article("Wire Service", [wire, "The audit was published on Tuesday."]),
                   make_article("The Ledger", [ledger, "Parliament meets next week."]))
    # Sides 0 and 1 are the conflict; the Ledger's side was merged in later and states the wire's version.
    divergence = Divergence(id="d1", kind="contradiction", sides=[_side(a, 0), _side(b, 0), _side(c, 0)],
                            resolution="disputed", confidence=0.8,
                            rationale="Public Radio and Wire Service state this differently (one says it did not "
                                      "happen).")
    comparison = Comparison(facts=[], single_source=[], coverage={}, divergences=[divergence])
    llm = fake_llm(respond=replying("Ilse Varga quit as health minister on Thursday evening.", "Thursday evening"))
    result = answer("Did Ilse Varga quit as health minister?", store, llm, comparison=comparison)
    assert result.answer.startswith("The outlets differ.")
    assert "refused to resign" in result.answer and "quit as health minister" in result.answer


def test_a_number_conflict_the_answer_does_not_touch_leaves_the_answer_alone(store):
    a, b = fill(store, make_article("Harbour Gazette", [HURT_A]), make_article("City Radio", [HURT_B]))
    divergence = Divergence(id="d1", kind="number_or_date", sides=[_side(a, 0), _side(b, 0)], resolution="disputed",
                            rationale="The figures differ.", confidence=0.8)
    comparison = Comparison(facts=[], single_source=[], coverage={}, divergences=[divergence])
    llm = fake_llm(respond=replying("It happened at the depot.", "12 people"))
    result = answer("Where were people injured in the blast?", store, llm, embedder=Synonyms(), comparison=comparison)
    assert not result.abstained and result.answer == "It happened at the depot."


PLANNED = "The mayor is expected to open the Kessel bridge on Tuesday."
OPENED = "The mayor opened the Kessel bridge on Tuesday, to cheers from the crowd."


def _timing(store) -> Comparison:
    radio, gazette = fill(store, make_article("City Radio", [PLANNED, "Critics say it is two years late."]),
                          make_article("Harbour Gazette", [OPENED, "It cost 12 million euros."]))
    sides = [_side(radio, 0), _side(gazette, 0)]
    divergence = Divergence(id="t1", kind="timing_of_report", cluster_ids=["f1"], sides=sides,
                            resolution="event_happened", preferred_side=1, set_aside=[0], confidence=0.9,
                            rationale="City Radio wrote the day before the opening; the Gazette reports it done.")
    fact = FactCluster(id="f1", text="The mayor opens the Kessel bridge.", claim_ids=[],
                       article_ids=[radio.id, gazette.id], outlets=["City Radio", "Harbour Gazette"],
                       independent_outlets=2, sentence_refs=[radio.ref(0), gazette.ref(0)])
    return Comparison(facts=[fact], single_source=[], coverage={}, divergences=[divergence])


def test_an_answer_never_states_the_superseded_version_as_current(store):
    comparison = _timing(store)
    llm = fake_llm(respond=replying("The mayor is expected to open the Kessel bridge on Tuesday.", "expected"))
    result = answer("When was the Kessel bridge inaugurated?", store, llm, embedder=Synonyms(),
                    comparison=comparison)
    assert not result.abstained
    text = result.answer
    assert text.index("Harbour Gazette") < text.index("City Radio")  # the standing version first
    assert "City Radio (written before the event happened)" in text and "Why: City Radio wrote" in text
    assert [c.text for c in result.citations] == [OPENED, PLANNED]


def test_a_superseded_version_no_divergence_can_tell_is_withdrawn(store):
    comparison = _timing(store)
    comparison.divergences[0].sides = comparison.divergences[0].sides[:1]  # only the plan survives, set aside
    llm = fake_llm(respond=replying("The mayor is expected to open the Kessel bridge on Tuesday.", "expected"))
    result = answer("When is the Kessel bridge opening?", store, llm, embedder=Synonyms(), comparison=comparison)
    assert result.abstained and "expected to open" not in result.answer.split("closest")[0]


def test_the_comparison_is_loaded_only_when_two_outlets_state_the_answer(store):
    corpus(store)
    single = fake_llm(respond=replying("She met Premier Li Wen on Tuesday.", "Li Wen"))
    answer("Who did Ana Ruiz meet on Tuesday?", store, single)
    assert len(single.chat.calls) == 1  # one outlet states it: no comparison, no further model call
    shared = fake_llm(respond=replying("Ana Ruiz resigned on Monday.", "resigned on Monday"))
    answer("When did Ana Ruiz resign?", store, shared)
    assert len(shared.chat.calls) > 1  # two outlets state it: the comparison was computed to see if they agree


def test_a_moved_date_stated_outside_the_divergence_is_told_with_the_versions(store):
    early = "The harbour master Tomas Berg will retire on April 30, a month earlier than planned."
    late = "Tomas Berg, the harbour master, will retire at the end of May, the council said."
    also_late = "Berg is due to hand over his duties at the end of May."
    journal, tribune, watch = fill(store, make_article("Port Journal", [early]), make_article("Town Tribune", [late]),
                                   make_article("Quay Watch", [also_late, "The council meets on Monday."]))
    divergence = Divergence(id="m1", kind="number_or_date", cluster_ids=["f1"], sides=[_side(journal, 0),
                            _side(tribune, 0)], resolution="superseded", preferred_side=0, set_aside=[1],
                            rationale="The Port Journal reports the date moved earlier.", confidence=0.9)
    fact = FactCluster(id="f1", text="Tomas Berg retires.", claim_ids=[], article_ids=[journal.id, tribune.id, watch.id],
                       outlets=["Port Journal", "Town Tribune", "Quay Watch"], independent_outlets=3,
                       sentence_refs=[journal.ref(0), tribune.ref(0), watch.ref(0)])
    comparison = Comparison(facts=[fact], single_source=[], coverage={}, divergences=[divergence])
    llm = fake_llm(respond=replying("Berg is due to hand over his duties at the end of May.", "hand over"))
    result = answer("When does Berg hand over his duties?", store, llm, embedder=Synonyms(), comparison=comparison)
    assert not result.abstained and result.answer.index("April 30") < result.answer.index("end of May")
    assert "Town Tribune (an earlier version, later changed)" in result.answer
    assert [c.text for c in result.citations] == [early, late]


def test_the_chat_stream_ends_with_the_versions_too(store):
    from agent.qa.answer import Answer, stream_answer
    from tests.test_qa import number_of, qa_only

    comparison = _timing(store)
    llm = fake_llm(respond=qa_only(lambda m, k: '{"answer": "%s", "cite": [%d], "found": true}'
                                   % (PLANNED, number_of(m, "expected"))))
    parts = list(stream_answer("When was the Kessel bridge inaugurated?", store, llm, embedder=Synonyms(),
                               comparison=comparison))
    assert "".join(p for p in parts[:-1]) == PLANNED  # the draft streamed as the model wrote it ...
    final = parts[-1]
    assert isinstance(final, Answer) and final.answer.startswith("The outlets differ. Harbour Gazette")  # ... then told


def test_a_possessive_in_the_sentence_states_the_name_the_answer_gives(store):
    fill(store, make_article("Daily Post", ["State television said Ana Ruiz laid a wreath at Beijing’s war memorial.",
                                            "The visit lasts three days."]))
    llm = fake_llm(respond=replying("Ana Ruiz laid a wreath at the war memorial in Beijing.", "laid a wreath"))
    result = answer("What did Ana Ruiz do at the war memorial?", store, llm, comparison=None)
    assert not result.abstained, result.notes  # "Beijing’s" states "Beijing"
    assert result.citations[0].text.startswith("State television")


def test_a_who_answer_may_open_with_the_and_a_which_answer_must_name_something(store):
    fill(store, make_article("Daily Post", ["The Fishermen's Federation called on parliament to reject the deal.",
                                            "The ferry company had been told not to sail."]))
    who = answer("Who wants parliament to reject the deal?", store,
                  fake_llm(respond=replying("The Fishermen's Federation wants it rejected.", "reject the deal")),
                  comparison=None)
    assert not who.abstained and "Federation" in who.answer
    which = answer("Which company owned the ferry?", store,
                   fake_llm(respond=replying("The ferry company was told not to sail.", "told not to sail")),
                   comparison=None)
    assert which.abstained  # it names no company: not an answer to "which"


def test_a_bare_yes_is_told_with_the_sentence_it_rests_on_and_never_beside_an_off_topic_one(store):
    corpus(store)
    llm = fake_llm(respond=replying("Yes, she did.", "resigned on Monday"))
    result = answer("Did Ana Ruiz resign as finance minister?", store, llm, comparison=None)
    assert not result.abstained and result.answer.startswith("Yes: “Finance Minister Ana Ruiz resigned on Monday")
    assert result.citations[0].text == POST[0]
    off_topic = fake_llm(respond=replying("Yes, she did.", "successor is expected"))
    assert answer("Did Ana Ruiz resign as finance minister?", store, off_topic, comparison=None).abstained


def test_a_count_does_not_answer_which_ones(store):
    fill(store, make_article("Daily Post", ["The audit examined 31 hospitals and found altered figures at 14 of them.",
                                            "The report was published on Tuesday."]))
    llm = fake_llm(respond=replying("14 hospitals", "examined 31 hospitals"))
    assert answer("Which hospitals did the audit name?", store, llm, comparison=None).abstained
    dated = fake_llm(respond=replying("Tuesday", "published on Tuesday"))
    assert not answer("Which day was the audit report published?", store, dated, comparison=None).abstained


def test_how_they_differ_on_when_meets_the_date_conflict_though_no_word_is_shared(store):
    early = "Lena Varis will leave the port on March 31, the board announced on Saturday."
    late = "Lena Varis will step down at the end of April, the board said."
    a, b = fill(store, make_article("Cargo Journal", [early, "Exports rose."]),
                make_article("Harbour Watch", [late, "The board met on Tuesday."]))
    divergence = Divergence(id="d1", kind="number_or_date", sides=[_side(a, 0), _side(b, 0)], resolution="disputed",
                            rationale="Cargo Journal and Harbour Watch date this differently.", confidence=0.8)
    comparison = Comparison(facts=[], single_source=[], coverage={}, divergences=[divergence])
    llm = fake_llm(respond=replying("not stated", found=False))
    result = answer("How do the outlets differ on when she goes?", store, llm, comparison=comparison)
    assert result.answer.startswith("The outlets differ.")
    assert "March 31" in result.answer and "end of April" in result.answer


class AtCosine(FakeEmbedder):
    """Vectors with chosen cosines to the question: each listed sentence sits at its cosine, the rest far away."""

    def __init__(self, question: str, cosines: dict[str, float]):
        super().__init__()
        self.name, self.question, self.cosines = "at-cosine", question, cosines

    def _vector(self, text: str):
        import numpy as np

        vec = np.zeros(self.dim, dtype=np.float32)
        if text == self.question:
            vec[0] = 1.0
            return vec
        c = self.cosines.get(text, 0.0)
        vec[0], vec[1 + hash(text) % (self.dim - 1)] = c, (1 - c * c) ** 0.5
        return vec


def test_a_cited_sentence_must_meet_the_question_as_a_paraphrase_does_and_no_less():
    from agent.store import Store

    question = "For how long will the pact run?"
    paraphrase = "Ministers signed the twelve-year agreement at the harbour hall."  # no word of the question
    elsewhere = "Ministers signed the fishing agreement after a long night at the harbour hall."
    for cosine, refused in ((0.28, False), (0.22, True)):  # a paraphrase's cosine; an other matter's
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "s.sqlite3")
            text = paraphrase if not refused else elsewhere
            fill(store, make_article("Daily Post", [text, "The gate opened."]),
                 make_article("City News", ["The pact was announced last week by both governments.", "It rained."]))
            llm = fake_llm(respond=replying("twelve years", "harbour hall"))
            emb = AtCosine(question, {text: cosine, "The pact was announced last week by both governments.": 0.45})
            result = answer(question, store, llm, embedder=emb, comparison=None)
            assert result.abstained == refused, (cosine, result.notes)
            store.close()


def test_the_form_of_a_question_names_the_kind_of_detail_it_asks_for():
    from agent.qa.evidence import detail_asked

    assert detail_asked("In what year was the vessel constructed?") == {"date"}
    assert detail_asked("How cold was the lake?") == {"number"}
    assert detail_asked("How many were rescued, and when?") == {"number", "date"}
    assert detail_asked("Who confirmed his arrival?") == set()


def test_how_the_outlets_name_a_thing_is_told_with_each_wording(store):
    wire = "The two leaders upgraded their ties to an all-weather strategic partnership in September."
    copy = "The two leaders upgraded their ties to an all-weather strategic cooperation in September."
    a, b = fill(store, make_article("Wire Service", [wire, "Trade grew by a third."]),
                make_article("Copy Desk", [copy, "Police are investigating."]))
    drift = Divergence(id="w1", kind="wording_drift", sides=[_side(a, 0), _side(b, 0)], resolution="minor_wording",
                       rationale="Wire Service writes “partnership”, Copy Desk “cooperation”.", confidence=0.8)
    comparison = Comparison(facts=[], single_source=[], coverage={}, divergences=[drift])
    llm = fake_llm(respond=replying("an all-weather strategic partnership", "all-weather strategic partnership"))
    named = answer("How do the outlets name the ties the two leaders upgraded to?", store, llm, comparison=comparison)
    assert "partnership" in named.answer and "cooperation" in named.answer
    asked = answer("When did the two leaders upgrade their ties?", store,
                   fake_llm(respond=replying("In September.", "in September")), comparison=comparison)
    assert "cooperation" not in asked.answer  # a wording difference does not answer any other question


def test_a_conflict_none_of_whose_versions_holds_the_answer_leaves_it_alone(store):
    comparison = _timing(store)
    gazette = comparison.divergences[0].sides[1]
    cost = store.get_article(gazette.article_id).ref(1)  # "It cost 12 million euros.", merged into the done side
    gazette.sentence_refs.append(cost)
    llm = fake_llm(respond=replying("It cost 12 million euros.", "12 million euros"))
    result = answer("How much did the Kessel bridge cost?", store, llm, comparison=comparison)
    assert not result.abstained and result.answer == "It cost 12 million euros."


def test_a_bare_detail_of_the_kind_asked_is_answered_from_a_sentence_near_the_question(store):
    fill(store, make_article("Lake Post", ["The ferry sank in a storm on the lake on Friday.",
                                           "The ferry company was warned about the ferry.",
                                           "Divers searched the ferry and the lake for the missing.",
                                           "The vessel, launched in 1987, carried 60 people.",
                                           "The storm warning for the ferry came at noon."]))
    question = "In what year was the ferry vessel constructed?"  # the launch sentence meets 39% of it
    typed = answer(question, store, fake_llm(respond=replying("1987", "launched in 1987")), embedder=FakeEmbedder())
    assert not typed.abstained and typed.answer == "1987"
    wordy = answer(question, store, fake_llm(respond=replying("The vessel was launched in 1987.",
                                                              "launched in 1987")), embedder=FakeEmbedder())
    assert wordy.abstained  # more than the detail asked: the cited sentence must meet the question itself


def test_an_answer_that_the_thing_asked_was_not_made_known_is_told_as_an_abstention(store):
    fill(store, make_article("Lake Post", ["The captain, a 58-year-old man whose name was not released, sailed "
                                           "despite a storm warning.", "The ferry sank on Friday."]))
    said = "The captain is a man whose name was not released."
    name = answer("What is the captain's name?", store, fake_llm(respond=replying(said, "name was not released")))
    assert name.abstained and "name was not released" in name.closest.text
    age = answer("How old is the captain?", store, fake_llm(respond=replying(
        "The captain, a 58-year-old man whose name was not released.", "58-year-old")))
    assert not age.abstained  # the same sentence states his age: what was not released is his name, not his age


def test_an_answer_that_no_one_was_hurt_is_told_beside_the_outlet_that_counts_people_hurt(store):
    denied = "No one was injured, the fire chief said."
    counted = "Two workers were taken to hospital with burns after the fire."  # few words of the question
    fill(store, make_article("Press Agency", ["A fire broke out at the solvent plant on Monday.", denied]),
         make_article("Town Today", [counted, "Both men are in stable condition."]))
    result = answer("Was anyone injured in the fire?", store, fake_llm(respond=replying("No one was injured.", denied)),
                    embedder=FakeEmbedder())
    assert result.answer.startswith("The outlets differ.") and denied in result.answer and counted in result.answer
    assert {c.outlet for c in result.citations} == {"Press Agency", "Town Today"}


def test_a_figure_the_answer_ties_to_other_words_than_its_sentence_does_is_refused(store):
    fill(store, make_article("Lake Post", ["Rescuers saved 25 people from the ferry on Friday.",
                                           "The ferry was carrying 48 passengers on Friday."]))
    lost = answer("How many people were lost from the ferry on Friday?", store,
                  fake_llm(respond=replying("25 lives were lost.", "Rescuers saved 25")))
    assert lost.abstained and any("'25' for something else" in n for n in lost.notes)
    aboard = answer("How many passengers was the ferry carrying on Friday?", store,
                    fake_llm(respond=replying("The ferry was carrying 48 people.", "carrying 48")))
    assert not aboard.abstained  # the same figure for the same thing, its noun in other words


def test_a_description_the_writer_gives_a_name_is_checked_against_the_name_it_describes_in_the_source():
    from agent.qa.match import misdescribed

    source = ["Governor Oskar Lind spoke after he met with and apologized to Representative Drew Holm, the "
              "Democratic lawmaker who had received the voice mail."]
    assert misdescribed("Governor Oskar Lind, a Democratic lawmaker, apologized to Drew Holm.", source) == \
        ["Governor Oskar Lind, Democratic lawmaker"]  # the description is Holm's, eleven words from Lind
    assert misdescribed("Drew Holm, the Democratic lawmaker, received an apology from Governor Oskar Lind.",
                        source) == []
    assert misdescribed("Governor Oskar Lind, a Republican, apologized.", ["Lind apologized."]) == \
        ["Governor Oskar Lind, Republican"]
    assert misdescribed("Oskar Lind, the governor, spoke.", ["Governor Oskar Lind spoke."]) == []


def test_a_question_about_the_dead_is_told_by_the_conflict_over_the_toll_not_the_one_over_the_missing():
    from agent.qa.versions import _counts_harm
    from agent.types import Divergence, DivergenceSide, SentenceRef

    def side(aid, text):
        return DivergenceSide(article_id=aid, outlet=aid.upper(), text=text,
                              sentence_refs=[SentenceRef(article_id=aid, index=0, start=0, end=len(text), text=text)])

    both = "At least 14 people died and nine are missing after the ferry capsized."
    toll = Divergence(id="d1", kind="number_or_date", resolution="disputed", confidence=0.8,
                      rationale="the figures differ: 'At least 14' vs 'Seventeen'",
                      sides=[side("a", both), side("b", "Seventeen people were killed when the ferry overturned.")])
    missing = Divergence(id="d2", kind="number_or_date", resolution="disputed", confidence=0.8,
                         rationale="the figures differ: 'nine' vs 'Six'",
                         sides=[side("a", both), side("c", "Six people are still missing and 25 were rescued.")])
    dead = frozenset({"death"})
    assert _counts_harm(toll, dead) and not _counts_harm(missing, dead)
    assert not _counts_harm(toll, frozenset())  # a question naming no harm prefers neither
