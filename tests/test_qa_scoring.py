"""The QA scorer's paraphrase subset: accuracy on the questions asked in other words, only where a case has them."""

from __future__ import annotations

import copy

import pytest

from agent.evals import scorers
from agent.evals.cases import CaseError, load_case, resolve_refs
from tests.test_eval_cases import make_case
from tests.test_scorers import GOLD, RAW, TEXTS, R, article, ask, ref


def world_with(tmp_path, questions: list[dict]):
    """(resolved gold, articles by id) for the bridge case with extra QUESTIONS."""
    gold = copy.deepcopy(GOLD)
    gold["questions"] += questions
    case = load_case(make_case(tmp_path, gold, RAW))
    by_file = {f: article(f) for f in TEXTS}
    return resolve_refs(case, by_file), {a.id: a for a in by_file.values()}


PARAPHRASES = [
    {"id": "p_price", "q": "What was the price tag?", "paraphrase": True, "answers": ["12 million"],
     "support": [R("a.txt", "12 million euros.")]},
    {"id": "p_architect", "q": "Which architect drew the plans?", "kind": "unanswerable", "paraphrase": True},
]


def test_paraphrase_accuracy_counts_only_the_paraphrased_questions(tmp_path):
    gold, a = world_with(tmp_path, PARAPHRASES)
    answers = {"when": ask("It opened on Monday.", [ref("A", 0, a)]),
               "p_price": ask("It cost 12 million euros.", [ref("A", 1, a)]),
               "p_architect": ask("Ms Smith drew them.", [ref("A", 0, a)])}
    res = scorers.score_qa(answers, gold, a)
    assert res.values["paraphrase_accuracy"] == 0.5
    assert res.counts["paraphrases"] == 2 and res.counts["paraphrases_correct"] == 1
    assert res.values["qa_accuracy"] == pytest.approx(2 / 7)
    assert any(d.item.startswith("q:p_architect (unanswerable, paraphrase)") for d in res.failures())


def test_a_case_without_paraphrases_has_no_paraphrase_metric(tmp_path):
    gold, a = world_with(tmp_path, [])
    assert "paraphrase_accuracy" not in scorers.score_qa({}, gold, a).values


def test_paraphrase_must_be_a_boolean(tmp_path):
    with pytest.raises(CaseError, match="paraphrase"):
        world_with(tmp_path, [{"id": "p", "q": "Who?", "kind": "unanswerable", "paraphrase": "often"}])
