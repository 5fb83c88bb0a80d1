"""Tests for eval cases: the shipped gold is well-formed, bad cases fail with exact errors, quotes resolve."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from agent.errors import UsageError
from agent.evals import cases
from agent.evals.cases import CaseError, find_quote, iter_refs, load_case, load_suite, plain_text, resolve_refs
from agent.types import DIVERGENCE_KINDS, Article, Sentence

SHIPPED = cases.case_dirs(cases.DEFAULT_ROOT)
_END = re.compile(r"(?<=[.!?])[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Gov|No|U\.S|U\.N|P\.R\.C|[A-Z])\.)$")


def naive_article(path: Path, name: str | None = None) -> Article:
    """A stand-in for ingestion: the file's plain text split into sentences on punctuation and newlines."""
    text = plain_text(path)
    aid = hashlib.sha256((name or path.name).encode()).hexdigest()[:12]
    sentences = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        cuts = [para.start() + m.end() for m in _END.finditer(para.group())] + [para.end()]
        for cut in cuts:
            if cut != para.end() and _ABBREV.search(text[start:cut]):
                continue
            piece = text[start:cut]
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                s, e = start + lead, start + len(piece.rstrip())
                sentences.append(Sentence(article_id=aid, index=len(sentences), start=s, end=e, text=text[s:e]))
            start = cut
    return Article(id=aid, path=str(path), text=text, sentences=sentences)


def naive_articles(case: cases.Case) -> dict[str, Article]:
    """Every article of a case through the stand-in ingestion, keyed by file name."""
    return {p.name: naive_article(p) for p in case.article_paths()}


def make_case(root: Path, gold: dict | str, articles: dict[str, str], name: str = "c") -> Path:
    """Write a case folder: articles/ and gold.yaml (a dict is dumped as YAML, a string written as is)."""
    folder = root / name
    (folder / "articles").mkdir(parents=True)
    for file, text in articles.items():
        (folder / "articles" / file).write_text(text, encoding="utf-8")
    body = gold if isinstance(gold, str) else yaml.safe_dump(gold, allow_unicode=True, sort_keys=False)
    (folder / "gold.yaml").write_text(body, encoding="utf-8")
    return folder


ARTICLES = {
    "a.txt": "The mayor opened the bridge on Monday. It cost 12 million euros.\n\nRead more news.",
    "b.txt": "The mayor was set to open the bridge on Monday. Critics said it was late.",
}


def good_gold(**changes) -> dict:
    """A small valid gold for ARTICLES, with top-level fields replaced."""
    gold = {
        "event": "A bridge opens",
        "key_facts": [{"id": "opened", "text": "The mayor opened the bridge.",
                       "support": [{"file": "a.txt", "quote": "The mayor opened the bridge"}]}],
        "divergences": [{"id": "t", "kind": "timing_of_report", "resolution": "event_happened", "sides": [
            {"file": "b.txt", "quote": "was set to open"}, {"file": "a.txt", "quote": "opened the bridge"}]}],
        "boilerplate": ["Read more news."],
        "questions": [
            {"id": "q1", "q": "When did it open?", "answers": ["Monday"],
             "support": [{"file": "a.txt", "quote": "opened the bridge on Monday"}]},
            {"id": "q2", "q": "Who paid?", "kind": "unanswerable"},
        ],
    }
    gold.update(changes)
    return gold


def error_of(tmp_path: Path, gold, articles=None) -> str:
    with pytest.raises(CaseError) as exc:
        load_case(make_case(tmp_path, gold, ARTICLES if articles is None else articles))
    return str(exc.value)


# --- the shipped cases -------------------------------------------------------------------------
@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_case_loads_and_every_quote_is_unique_in_its_file(folder):
    case = load_case(folder)
    for where, ref in iter_refs(case.gold):
        hits = find_quote(plain_text(case.articles_dir / ref.file), ref.quote)
        assert len(hits) == 1, f"{folder.name}: {where} occurs {len(hits)} times: {ref.quote!r}"


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_quotes_resolve_each_to_one_sentence(folder):
    case = load_case(folder)
    gold = resolve_refs(case, naive_articles(case))
    refs = [r for f in gold.facts for r in f.support] + [r for d in gold.divergences for r in d.sides]
    refs += [r for q in gold.questions for r in q.support]
    spanning = [(r.file, r.quote) for r in refs if len(r.indices) != 1]
    assert not spanning, f"quotes spanning sentences: {spanning}"


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_case_has_the_parts_an_eval_needs(folder):
    gold = load_case(folder).gold
    assert len(gold.key_facts) >= 3 and gold.divergences and gold.boilerplate
    assert any(q.unanswerable for q in gold.questions) and any(not q.unanswerable for q in gold.questions)
    assert all(len({r.file for r in f.support}) >= 2 for f in gold.key_facts), "a key fact is agreed by ≥2 articles"


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_no_gold_text_contains_boilerplate_or_a_canary(folder):
    gold = load_case(folder).gold
    texts = [r.quote for _, r in iter_refs(gold)] + [f.text for f in gold.key_facts]
    texts += [a for q in gold.questions for a in q.answers]
    for line in gold.boilerplate + gold.canaries:
        assert not [t for t in texts if find_quote(t, line)], f"a correct output would leak {line!r}"


def test_sample_gold_marks_the_rewrite_and_the_early_report():
    gold = load_case(cases.DEFAULT_ROOT / "lukashenko-china-2023").gold
    assert [(d.file[:3], d.of[:3]) for d in gold.derivatives] == [("001", "002")]
    timing = [d for d in gold.divergences if d.kind == "timing_of_report"]
    assert [d.resolution for d in timing] == ["event_happened"]
    assert {s.file[:3] for s in timing[0].sides if s.version == "planned"} == {"001", "004"}
    assert 12 <= len(gold.key_facts) <= 15 and len(gold.questions) >= 15


def test_synthetic_cases_plant_every_divergence_kind_and_a_canary():
    synthetic = load_suite("synthetic")
    assert len(synthetic) >= 4
    kinds = {d.kind for c in synthetic for d in c.gold.divergences}
    assert kinds == set(DIVERGENCE_KINDS)
    assert any(c.gold.canaries for c in synthetic) and any(c.gold.derivatives for c in synthetic)
    suffixes = {Path(f).suffix for c in synthetic for f in c.files}
    assert {".txt", ".md", ".json", ".html"} <= suffixes


def test_articles_ingest_with_the_real_ingester_and_every_gold_quote_resolves():
    from agent import ingest

    for folder in SHIPPED:
        case = load_case(folder)
        articles = {p.name: ingest.parse_file(p) for p in case.article_paths()}
        resolve_refs(case, articles)  # raises CaseError naming the first quote that does not resolve


# --- suites --------------------------------------------------------------------------------------
def test_suites_sample_synthetic_and_all():
    names = {p.name for p in SHIPPED}
    known = cases.suites()
    assert known["sample"] == ["lukashenko-china-2023"]
    assert set(known["all"]) == names
    assert set(known["sample"]) | set(known["synthetic"]) == names
    assert [c.name for c in load_suite("sample")] == ["lukashenko-china-2023"]


def test_a_dropped_in_folder_belongs_to_all_and_to_its_gold_suite_tags(tmp_path, monkeypatch):
    make_case(tmp_path, good_gold(suite=["smoke"]), ARTICLES, name="mine")
    make_case(tmp_path, good_gold(), ARTICLES, name="other")
    (tmp_path / "suites.yaml").write_text("quick: [other]\n")
    monkeypatch.setenv(cases.CASES_ENV, str(tmp_path))
    assert cases.suites() == {"quick": ["other"], "smoke": ["mine"], "all": ["mine", "other"]}
    assert [c.name for c in load_suite("all")] == ["mine", "other"]


def test_unknown_suite_and_bad_suite_member_say_what_exists(tmp_path):
    make_case(tmp_path, good_gold(), ARTICLES, name="mine")
    with pytest.raises(UsageError, match=r"unknown eval suite 'nope'; known: all"):
        load_suite("nope", root=tmp_path)
    (tmp_path / "suites.yaml").write_text("quick: [missing-case]\n")
    with pytest.raises(CaseError, match=r"suites.yaml: quick: no case folder 'missing-case'"):
        cases.suites(tmp_path)


# --- errors name the file, the field and the problem -----------------------------------------------
def test_a_quote_not_in_its_article_names_file_field_and_quote(tmp_path):
    facts = good_gold()["key_facts"] + [{"id": "cost", "text": "It cost money.",
                                         "support": [{"file": "b.txt", "quote": "It cost 12 million euros"}]}]
    msg = error_of(tmp_path, good_gold(key_facts=facts))
    assert msg.endswith("gold.yaml: key_facts[1].support[0].quote not found in articles/b.txt: 'It cost 12 million euros'")


@pytest.mark.parametrize("change, expected", [
    ({"key_facts": [{"id": "x", "support": [{"file": "a.txt", "quote": "mayor"}]}]}, "key_facts[0].text: Field required"),
    ({"divergences": [{"id": "d", "kind": "spin", "resolution": "disputed", "sides": [{"file": "a.txt", "quote": "mayor"}]}]},
     "divergences[0].kind: Input should be 'timing_of_report'"),
    ({"divergences": [{"id": "d", "kind": "omission", "resolution": "maybe", "sides": [{"file": "a.txt", "quote": "mayor"}]}]},
     "divergences[0].resolution: Input should be 'event_happened'"),
    ({"key_facts": [{"id": "x", "text": "t", "suport": []}]}, "key_facts[0].support: Field required (and 1 more: key_facts[0].suport: Extra inputs are not permitted)"),
    ({"key_facts": [{"id": "x", "text": "t", "support": [{"file": "c.txt", "quote": "mayor"}]}]},
     "key_facts[0].support[0].file: no article 'c.txt' in articles/"),
    ({"questions": [{"id": "q", "q": "Why?", "kind": "answerable"}]},
     "questions[0]: an answerable question needs `answers` and `support`"),
    ({"questions": [{"id": "q", "q": "And?", "kind": "follow_up", "unanswerable": True}]},
     "questions[0]: a follow_up question needs `follows`"),
    ({"questions": [{"id": "q", "q": "And?", "kind": "follow_up", "follows": "q0", "unanswerable": True}]},
     "questions[0].follows: no earlier question 'q0'"),
    ({"questions": [{"id": "q", "q": "Who?", "kind": "unanswerable", "unanswerable": False}]},
     "questions[0]: kind is 'unanswerable' but unanswerable is false"),
    ({"derivatives": [{"file": "a.txt", "of": "z.txt"}]}, "derivatives[0].of: no article 'z.txt' in articles/"),
    ({"canaries": ["CANARY-0000"]}, "canaries[0] not found in any article: 'CANARY-0000'"),
    ({"event": ""}, "event: String should have at least 1 character"),
])
def test_bad_gold_fields_are_named_exactly(tmp_path, change, expected):
    msg = error_of(tmp_path, good_gold(**change))
    assert "gold.yaml: " + expected in msg


def test_duplicate_ids_and_several_problems_are_reported_in_one_error(tmp_path):
    facts = good_gold()["key_facts"] * 2
    sides = [{"file": "a.txt", "quote": "no such words"}]
    msg = error_of(tmp_path, good_gold(key_facts=facts, divergences=[
        {"id": "d", "kind": "omission", "resolution": "not_a_conflict", "sides": sides}]))
    assert "divergences[0].sides[0].quote not found in articles/a.txt" in msg
    assert "(and 1 more: key_facts[1].id: duplicate id 'opened')" in msg


def test_broken_yaml_missing_gold_and_missing_articles(tmp_path):
    assert "gold.yaml: not valid YAML" in error_of(tmp_path / "1", "event: [unclosed\n")
    assert "gold.yaml: must be a mapping" in error_of(tmp_path / "2", "- just a list\n")
    assert "articles: no article files" in error_of(tmp_path / "3", good_gold(), articles={"notes.pdf": "x"})
    (tmp_path / "4" / "c").mkdir(parents=True)
    with pytest.raises(CaseError, match="no gold.yaml in this case folder"):
        load_case(tmp_path / "4" / "c")


def test_unanswerable_kind_implies_the_flag_and_follow_ups_may_be_unanswerable(tmp_path):
    questions = good_gold()["questions"] + [
        {"id": "q3", "q": "And who else?", "kind": "follow_up", "follows": "q2", "unanswerable": True}]
    gold = load_case(make_case(tmp_path, good_gold(questions=questions), ARTICLES)).gold
    assert [q.unanswerable for q in gold.questions] == [False, True, True]


# --- resolving quotes against ingested articles ------------------------------------------------------
def hand_article(aid: str, text: str, cuts: list[int]) -> Article:
    """An Article whose sentences end at the given offsets."""
    bounds = [0] + cuts
    sentences = [Sentence(article_id=aid, index=i, start=s, end=e, text=text[s:e])
                 for i, (s, e) in enumerate(zip(bounds, bounds[1:]))]
    return Article(id=aid, path=f"{aid}.txt", text=text, sentences=sentences)


def test_quotes_resolve_to_the_sentences_they_overlap_despite_quote_marks_and_spacing(tmp_path):
    text_a = "The mayor “opened”  the bridge on Monday. It cost 12 million euros."
    a = hand_article("A", text_a, [41, len(text_a)])
    b = hand_article("B", ARTICLES["b.txt"], [48, len(ARTICLES["b.txt"])])
    sides = [{"file": "b.txt", "quote": "was set to open"}, {"file": "a.txt", "quote": "THE MAYOR"}]
    gold = good_gold(questions=[], boilerplate=[], key_facts=[
        {"id": "opened", "text": "opened", "support": [{"file": "a.txt", "quote": 'mayor "opened" the bridge'}]},
        {"id": "both", "text": "both", "support": [{"file": "a.txt", "quote": "on Monday. It cost"}]},
    ], divergences=[{"id": "t", "kind": "timing_of_report", "resolution": "event_happened", "sides": sides}])
    case = load_case(make_case(tmp_path, gold, {"a.txt": text_a, "b.txt": ARTICLES["b.txt"]}))
    resolved = resolve_refs(case, {"a.txt": a, "b.txt": b})
    assert [f.sentences for f in resolved.facts] == [{("A", 0)}, {("A", 0), ("A", 1)}]
    assert resolved.divergences[0].versions() == {"side0": {("B", 0)}, "side1": {("A", 0)}}
    assert resolved.article_ids == {"a.txt": "A", "b.txt": "B"}


def test_a_quote_removed_by_ingestion_or_a_missing_article_is_an_exact_error(tmp_path):
    case = load_case(make_case(tmp_path, good_gold(), ARTICLES))
    a = hand_article("A", "It cost 12 million euros.", [25])
    b = naive_article(case.articles_dir / "b.txt")
    with pytest.raises(CaseError, match=r"key_facts\[0\].support\[0\].quote not found in articles/a.txt"):
        resolve_refs(case, {"a.txt": a, "b.txt": b})
    with pytest.raises(CaseError, match=r"articles/b.txt was not ingested"):
        resolve_refs(case, {"a.txt": a})


def test_versions_group_alternative_sources_of_one_side(tmp_path):
    sides = [{"file": "b.txt", "quote": "was set to open", "version": "planned"},
             {"file": "a.txt", "quote": "The mayor opened", "version": "done"},
             {"file": "a.txt", "quote": "It cost", "version": "done"}]
    gold = good_gold(divergences=[{"id": "t", "kind": "timing_of_report", "resolution": "event_happened", "sides": sides}])
    case = load_case(make_case(tmp_path, gold, ARTICLES))
    resolved = resolve_refs(case, naive_articles(case))
    versions = resolved.divergences[0].versions()
    assert sorted(versions) == ["done", "planned"] and len(versions["done"]) == 2


def test_the_readme_example_is_a_valid_case(tmp_path):
    readme = (cases.DEFAULT_ROOT.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"`evals/cases/bridge-opening/([\w/.]+)`:\n```\w+\n(.*?)```", readme, re.S)
    assert [name for name, _ in blocks] == ["articles/a.txt", "articles/b.md", "gold.yaml"]
    for name, body in blocks:
        (tmp_path / "bridge-opening" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "bridge-opening" / name).write_text(body, encoding="utf-8")
    case = load_case(tmp_path / "bridge-opening")
    gold = resolve_refs(case, naive_articles(case))
    assert [d.kind for d in gold.divergences] == ["timing_of_report", "omission"]
    assert [q.unanswerable for q in gold.questions] == [False, True, False]
    assert cases.suites(tmp_path)["smoke"] == ["bridge-opening"]
