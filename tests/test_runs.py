"""A fact is stated with the neighbours it cannot be read without: the quotation it sits in, and who spoke it."""

from __future__ import annotations

from agent.brief.runs import statement_run
from tests.helpers import make_article

PARAGRAPH = ("The mayor met the council on Monday.\n\n"
             "“We are weighing every option,” Mayor Ilse Kant said on Radio Tavra. “Some of what I was asked to do is "
             "beyond me. I will not say that I will stay. I will not say that I will go.”\n\n"
             "“I have a spine.”\n\n"
             "“I am not tired, and I am not ill,” she said. “What I have is a spine.”\n\n"
             "She left the building at noon.")


def texts(article, run):
    return [article.sentences[i].text for i in run]


def index_of(article, start: str) -> int:
    return next(s.index for s in article.sentences if s.text.startswith(start))


def test_a_line_from_inside_a_quotation_comes_with_its_opening_its_speaker_and_its_close():
    art = make_article(PARAGRAPH, "q1", "Tavra Post")
    middle = index_of(art, "I will not say that I will stay")
    run = texts(art, statement_run(art, middle, set()))
    assert run[0].startswith("“We are weighing every option,” Mayor Ilse Kant said")  # the speaker, named
    assert run[-1].endswith("I will go.”")  # on to the sentence closing the quotation
    assert "The mayor met the council" not in " ".join(run)  # nothing from another paragraph


def test_a_quoted_sentence_after_an_attributed_one_comes_with_it_even_when_the_speaker_is_a_pronoun():
    art = make_article(PARAGRAPH, "q2", "Tavra Post")
    run = texts(art, statement_run(art, index_of(art, "“What I have"), set()))
    assert run == ["“I am not tired, and I am not ill,” she said.", "“What I have is a spine.”"]
    alone = texts(art, statement_run(art, index_of(art, "“I have a spine"), set()))
    assert alone == ["“I have a spine.”"]  # its paragraph holds no speaker to bring


def test_a_sentence_outside_any_quotation_is_stated_alone():
    art = make_article(PARAGRAPH, "q3", "Tavra Post")
    first = index_of(art, "The mayor met")
    assert statement_run(art, first, set()) == [first]
    left = index_of(art, "She left the building")
    assert texts(art, statement_run(art, left, set()))[0].startswith("“I am not tired")  # "She" points back


def test_an_agreed_fact_is_cut_at_a_clause_break_to_what_the_other_outlets_tell():
    from agent.brief.runs import shared_part

    text = ("Tavrin on Friday issued a proposal calling for a ceasefire and peace talks with Oskeld, but has also said "
            "it has an “unbreakable bond” with Vendra and has refused to condemn the shelling of the ports.")
    other = "To calm its critics, Tavrin issued a proposal on Friday that set out broad principles to end the fighting."
    assert shared_part(text, [other]) == ("Tavrin on Friday issued a proposal calling for a ceasefire and peace talks "
                                          "with Oskeld.")
    told = "Tavrin issued a proposal on Friday, though it refused to condemn the shelling of the ports by Vendra."
    assert shared_part(text, [told]) == text  # another outlet tells the later clause too: it is agreed
    assert shared_part(text, []) == text  # one outlet's fact keeps its words
    listed = ("They also touch on the president's businesses; his talks with his lawyer about a tower deal; and "
              "whether he knew of a back channel.")
    assert shared_part(listed, ["The questions touch on the president's businesses."]) == listed  # a list's items
