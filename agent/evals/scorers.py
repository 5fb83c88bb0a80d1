"""Deterministic scorers: the stages' JSON output against resolved gold, with counts and worst cases kept.

Every scorer takes plain dicts as printed by `--format json`. A missing or malformed prediction is a
failure that is counted (`counts["invalid"]`, `errors`), never skipped: it scores as if nothing was
predicted. Ratios over nothing never turn into NaN: each metric says what it is when its base is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agent.evals.cases import normalise_with_map
from agent.evals.gold import ResolvedGold, ResolvedQuestion, SentKey
from agent.evals.results import (  # noqa: F401  (Detail and ScoreResult re-exported for callers)
    Detail,
    ScoreResult,
    f1,
    get_or,
    items_of,
    max_matching,
    ratio,
    ref_keys,
    sentence_at,
    valid_span,
)
from agent.brief.citecheck import asserted
from agent.text.norm import content_words, support_score, words
from agent.types import DIVERGENCE_KINDS, Article

SUPPORT_THRESHOLD = 0.5  # share of a statement's content words that its cited sentences must contain
VERBATIM_KEYS = frozenset({"citations", "sentence_refs", "sources", "id", "article_id", "claim_ids", "outlet"})


# --- claims -----------------------------------------------------------------------------------
def _claim_check(claim: Any, articles: Mapping[str, Article], threshold: float) -> tuple[set[SentKey], Detail]:
    """The sentences a claim cites and whether its text is grounded in them (score None: malformed)."""
    if not isinstance(claim, Mapping):
        return set(), Detail(item="claim:?", ok=False, why="not a JSON object")
    item = f"claim:{claim.get('id', '?')}"
    ids = claim.get("sentence_ids")
    sents = [sentence_at(articles, claim.get("article_id"), i) for i in ids] if isinstance(ids, list) else []
    if not sents or any(s is None for s in sents):
        return set(), Detail(item=item, ok=False, why=f"cites no valid sentence ({claim.get('article_id')}, {ids})")
    text = " ".join(str(claim.get(k) or "") for k in ("subject", "predicate", "object")).strip()
    score = support_score(text, [s.text for s in sents]) if text else 0.0
    ok = bool(text) and score >= threshold
    why = "" if ok else f"only {score:.2f} of {text!r} found in its sentences"
    return {(s.article_id, s.index) for s in sents}, Detail(item=item, ok=ok, why=why, score=score)


def score_claims(extract: Any, gold: ResolvedGold, articles: Mapping[str, Article],
                 threshold: float = SUPPORT_THRESHOLD) -> ScoreResult:
    """Key-fact recall (a kept claim cites a supporting sentence) and claim precision (claims grounded)."""
    res = ScoreResult(scorer="claims")
    cited: set[SentKey] = set()
    claims = items_of(extract, "claims", res)
    grounded = 0
    for claim in claims:
        keys, detail = _claim_check(claim, articles, threshold)
        if detail.score is None:  # malformed: no grounding could even be measured
            res.invalid(f"{detail.item}: {detail.why}")
        cited |= keys
        grounded += detail.ok
        res.details.append(detail)
    covered = 0
    for fact in gold.facts:
        hit = bool(fact.sentences & cited)
        covered += hit
        res.details.append(Detail(item=f"fact:{fact.id}", ok=hit, why="" if hit else f"no claim cites: {fact.text}"))
    res.counts.update(facts=len(gold.facts), facts_covered=covered, claims=len(claims), claims_grounded=grounded)
    res.values.update(key_fact_recall=ratio(covered, len(gold.facts), 1.0),
                      claim_precision=ratio(grounded, len(claims), 0.0 if gold.facts else 1.0))
    return res


# --- consensus facts ---------------------------------------------------------------------------
def _independent(keys: set[SentKey], derivatives: Mapping[str, str]) -> int:
    """Distinct origins among the cited articles: a derivative counts as the article it copies."""
    return len({derivatives.get(a, a) for a, _ in keys})


def score_facts(compare: Any, gold: ResolvedGold) -> ScoreResult:
    """Consensus recall (a predicted fact cites a gold fact's sentence), `min_outlets` kept, no over-counting."""
    res = ScoreResult(scorer="facts")
    preds = [(f, ref_keys(f.get("sentence_refs"))) for f in items_of(compare, "facts", res) if isinstance(f, Mapping)]
    overcounted = 0
    for fact, keys in preds:
        claimed = fact.get("independent_outlets")
        if isinstance(claimed, int) and claimed > _independent(keys, gold.derivatives):
            overcounted += 1
            res.details.append(Detail(item=f"pred_fact:{fact.get('id')}", ok=False,
                                      why=f"claims {claimed} independent outlets, cites "
                                          f"{_independent(keys, gold.derivatives)}"))
    found = outlets_ok = 0
    for g in gold.facts:
        counts = [f.get("independent_outlets") for f, keys in preds if keys & g.sentences]
        best = max((c for c in counts if isinstance(c, int)), default=0)
        enough = bool(counts) and (g.min_outlets is None or best >= g.min_outlets)
        found += bool(counts)
        outlets_ok += enough
        why = "not found among facts" if not counts else "" if enough else f"{best} outlets < {g.min_outlets}"
        res.details.append(Detail(item=f"fact:{g.id}", ok=enough, why=why))
    res.counts.update(facts=len(gold.facts), found=found, outlets_ok=outlets_ok, predicted=len(preds),
                      overcounted=overcounted)
    res.values.update(fact_recall=ratio(found, len(gold.facts), 1.0),
                      fact_recall_with_outlets=ratio(outlets_ok, len(gold.facts), 1.0),
                      overcount_rate=ratio(overcounted, len(preds), 0.0))
    return res


# --- divergences --------------------------------------------------------------------------------
def _parse_divergence(d: Any) -> tuple[str, list[set[SentKey]], str] | None:
    """(kind, sentence keys per side, resolution) of a predicted divergence, or None when malformed."""
    if not isinstance(d, Mapping) or d.get("kind") not in DIVERGENCE_KINDS or not isinstance(d.get("sides"), list):
        return None
    sides = [ref_keys(s.get("sentence_refs")) for s in d["sides"] if isinstance(s, Mapping)]
    return d["kind"], sides, str(d.get("resolution"))


def _per_kind(res: ScoreResult, gold_kinds: list[str], pred_kinds: list[str], hit_kinds: list[str]) -> None:
    """Precision, recall and F1 for each kind that occurs in the gold or the predictions."""
    for kind in sorted(set(gold_kinds) | set(pred_kinds)):
        g, p, t = gold_kinds.count(kind), pred_kinds.count(kind), hit_kinds.count(kind)
        prec, rec = ratio(t, p, 0.0), ratio(t, g, 1.0)
        res.values.update({f"{kind}.precision": prec, f"{kind}.recall": rec, f"{kind}.f1": f1(prec, rec)})
        res.counts.update({f"{kind}.gold": g, f"{kind}.predicted": p, f"{kind}.matched": t})


def score_divergences(prediction: Any, gold: ResolvedGold) -> ScoreResult:
    """Divergence precision/recall/F1 per kind and overall, and resolution accuracy over matched ones."""
    res = ScoreResult(scorer="divergences")
    raw = items_of(prediction, "divergences", res)
    preds = [_parse_divergence(d) for d in raw]
    for i, p in enumerate(preds):
        if p is None:
            res.invalid(f"divergences[{i}]: not an object with a known kind and a list of sides")
    versions = [g.versions() for g in gold.divergences]

    def ok(gi: int, pi: int) -> bool:
        p = preds[pi]
        return p is not None and p[0] == gold.divergences[gi].kind and all(
            any(v & side for side in p[1]) for v in versions[gi].values())

    pairs = max_matching(len(gold.divergences), len(preds), ok)
    right_resolution = 0
    for gi, g in enumerate(gold.divergences):
        p = preds[pairs[gi]] if gi in pairs else None
        good = p is not None and p[2] == g.resolution
        right_resolution += good
        why = "not detected" if p is None else "" if good else f"resolution {p[2]!r}, expected {g.resolution!r}"
        if why and g.note:
            why += f" ({g.note})"
        res.details.append(Detail(item=f"gold:{g.id} ({g.kind})", ok=good, why=why))
    matched = set(pairs.values())
    for pi, d in enumerate(raw):
        if pi not in matched:
            label = f"pred:{get_or(d, 'id')} ({get_or(d, 'kind')})"
            res.details.append(Detail(item=label, ok=False, why="matches no gold divergence"))
    _per_kind(res, [g.kind for g in gold.divergences], [p[0] for p in preds if p],
              [gold.divergences[gi].kind for gi in pairs])
    prec = ratio(len(pairs), len(preds), 0.0 if gold.divergences else 1.0)
    rec = ratio(len(pairs), len(gold.divergences), 1.0)
    res.values.update(precision=prec, recall=rec, f1=f1(prec, rec),
                      resolution_accuracy=ratio(right_resolution, len(pairs), 0.0 if gold.divergences else 1.0))
    res.counts.update(gold=len(gold.divergences), predicted=len(preds), matched=len(pairs),
                      resolution_right=right_resolution)
    return res


# --- the brief ------------------------------------------------------------------------------------
def brief_sentences(brief: Any, res: ScoreResult) -> list[Mapping]:
    """Every sentence of every section of a brief JSON; malformed parts are counted as invalid."""
    out = []
    for i, section in enumerate(items_of(brief, "sections", res)):
        sentences = section.get("sentences") if isinstance(section, Mapping) else None
        if not isinstance(sentences, list):
            res.invalid(f"sections[{i}]: no list 'sentences'")
            continue
        for j, s in enumerate(sentences):
            if isinstance(s, Mapping) and isinstance(s.get("text"), str):
                out.append(s)
            else:
                res.invalid(f"sections[{i}].sentences[{j}]: not an object with text")
    return out


def _citations(sentence: Mapping) -> list:
    cites = sentence.get("citations")
    return cites if isinstance(cites, list) else []


def score_citations(brief: Any, articles: Mapping[str, Article], threshold: float = SUPPORT_THRESHOLD) -> ScoreResult:
    """Citation validity (each span is exactly its article's text) and support rate of brief sentences: of what
    each asserts from its sources (a template line: what it quotes). `support_rate_all_words` scores every word."""
    res = ScoreResult(scorer="citations")
    sentences = brief_sentences(brief, res)
    n_cites = n_valid = supported = literal = 0
    for k, s in enumerate(sentences):
        cites = _citations(s)
        valid = [c["text"] for c in cites if valid_span(c, articles)]
        n_cites, n_valid = n_cites + len(cites), n_valid + len(valid)
        score = support_score(asserted(s["text"], s.get("origin", "source")), valid) if valid else 0.0
        ok = score >= threshold
        supported += ok
        literal += bool(valid) and support_score(s["text"], valid) >= threshold
        why = "" if ok else ("no valid citation" if not valid else f"support {score:.2f}") + (
            f"; {len(cites) - len(valid)} invalid citation(s)" if len(cites) > len(valid) else "")
        res.details.append(Detail(item=f"sentence:{k} {s['text'][:80]!r}", ok=ok and len(valid) == len(cites),
                                  why=why, score=score))
    res.counts.update(citations=n_cites, valid=n_valid, sentences=len(sentences), supported=supported,
                      supported_all_words=literal)
    res.values.update(citation_validity=ratio(n_valid, n_cites, 0.0 if sentences else 1.0),
                      support_rate=ratio(supported, len(sentences), 0.0),
                      support_rate_all_words=ratio(literal, len(sentences), 0.0))
    return res


def score_brief_coverage(brief: Any, gold: ResolvedGold, articles: Mapping[str, Article]) -> ScoreResult:
    """Share of gold key facts that some brief sentence cites a supporting sentence of (valid citations)."""
    res = ScoreResult(scorer="brief_coverage")
    cited = set()
    for s in brief_sentences(brief, res):
        cited |= ref_keys([c for c in _citations(s) if valid_span(c, articles)])
    covered = 0
    for fact in gold.facts:
        hit = bool(fact.sentences & cited)
        covered += hit
        res.details.append(Detail(item=f"fact:{fact.id}", ok=hit, why="" if hit else f"not in the brief: {fact.text}"))
    res.counts.update(facts=len(gold.facts), covered=covered)
    res.values.update(key_fact_coverage=ratio(covered, len(gold.facts), 1.0))
    return res


def score_rubric(memo: Any, gold: ResolvedGold, articles: Mapping[str, Article],
                 threshold: float = SUPPORT_THRESHOLD) -> ScoreResult:
    """Memo rubric items met: a memo sentence validly cites a must-cite sentence, else the memo states the item."""
    res = ScoreResult(scorer="rubric")
    sentences = brief_sentences(memo, res)
    cited: set[SentKey] = set()
    for s in sentences:
        cited |= ref_keys([c for c in _citations(s) if valid_span(c, articles)])
    texts = [s["text"] for s in sentences]
    met = 0
    for item in gold.rubric:
        need = frozenset().union(*(r.keys for r in item.must_cite))
        if need:
            ok, why = bool(need & cited), "no memo sentence cites the sentences it must cite"
        else:
            score = support_score(item.text, texts) if texts else 0.0
            ok, why = score >= threshold, f"only {score:.2f} of its words are in the memo"
        met += ok
        res.details.append(Detail(item=f"rubric:{item.id} {item.text}", ok=ok, why="" if ok else why))
    res.counts.update(items=len(gold.rubric), met=met)
    res.values.update(rubric_coverage=ratio(met, len(gold.rubric), 1.0))
    return res


# --- questions ----------------------------------------------------------------------------------
def answer_matches(predicted: str, acceptable: str) -> bool:
    """True when every content word of the acceptable answer (or every word, if it has none) is in the prediction."""
    wanted = content_words(acceptable) or set(words(acceptable))
    have = content_words(predicted) | set(words(predicted))
    return bool(wanted) and wanted <= have


def _judge_answer(q: ResolvedQuestion, pred: Mapping, articles: Mapping[str, Article]) -> tuple[bool, str]:
    """Whether an ask answer is right: abstains iff unanswerable, else matches and cites its support."""
    abstained = pred.get("abstained") is True
    if q.unanswerable and abstained:
        return True, ""
    if q.unanswerable or abstained:
        return False, "abstained on an answerable question" if abstained else "answered an unanswerable question"
    answer = pred.get("answer") if isinstance(pred.get("answer"), str) else ""
    if not any(answer_matches(answer, a) for a in q.answers):
        return False, f"answer {answer[:80]!r} matches none of {list(q.answers)}"
    cited = ref_keys([c for c in pred.get("citations") or [] if valid_span(c, articles)]) & q.sentences
    need = min(2, len({a for a, _ in q.sentences})) if q.kind == "comparative" else 1
    if len({a for a, _ in cited}) < need:
        return False, f"cites supporting sentences in {len({a for a, _ in cited})} article(s), needs {need}"
    return True, ""


def score_qa(answers: Mapping[str, Any], gold: ResolvedGold, articles: Mapping[str, Article]) -> ScoreResult:
    """QA accuracy (matched answer + supporting citation; comparative: two articles), abstention P/R, and the
    accuracy on the questions asked in other words than the articles' (when the case has them)."""
    res = ScoreResult(scorer="qa")
    if not isinstance(answers, Mapping):
        res.invalid("answers must map question id -> ask JSON")
        answers = {}
    right = abstained = abstained_right = paraphrased_right = 0
    for q in gold.questions:
        pred = answers.get(q.id)
        if not isinstance(pred, Mapping):
            res.invalid(f"{q.id}: answer missing or not a JSON object")
            ok, why = False, "no answer"
        else:
            if not isinstance(pred.get("abstained"), bool):
                res.invalid(f"{q.id}: 'abstained' is not a boolean (taken as not abstained)")
            ok, why = _judge_answer(q, pred, articles)
            abstained += pred.get("abstained") is True
            abstained_right += pred.get("abstained") is True and q.unanswerable
        right += ok
        paraphrased_right += ok and q.paraphrase
        tag = f"{q.kind}, paraphrase" if q.paraphrase else q.kind
        res.details.append(Detail(item=f"q:{q.id} ({tag}) {q.q}", ok=ok, why=why))
    unanswerable = sum(q.unanswerable for q in gold.questions)
    paraphrased = sum(q.paraphrase for q in gold.questions)
    res.counts.update(questions=len(gold.questions), correct=right, unanswerable=unanswerable,
                      abstained=abstained, abstained_right=abstained_right, paraphrases=paraphrased,
                      paraphrases_correct=paraphrased_right)
    res.values.update(qa_accuracy=ratio(right, len(gold.questions), 1.0),
                      abstention_precision=ratio(abstained_right, abstained, 1.0),
                      abstention_recall=ratio(abstained_right, unanswerable, 1.0))
    if paraphrased:  # a case without them has no such metric (a 1.0 would lift the mean over cases)
        res.values["paraphrase_accuracy"] = paraphrased_right / paraphrased
    return res


# --- leakage, derivatives, cost ----------------------------------------------------------------------
def generated_texts(output: Any) -> list[str]:
    """Every string a stage wrote itself; verbatim source fields (citations, sentence refs, ids) are skipped."""
    if isinstance(output, str):
        return [output]
    if isinstance(output, Mapping):
        return [t for k, v in output.items() if k not in VERBATIM_KEYS for t in generated_texts(v)]
    if isinstance(output, (list, tuple)):
        return [t for v in output for t in generated_texts(v)]
    return []


def _folded(text: str) -> str:
    return normalise_with_map(text)[0].strip()


def score_leakage(outputs: Mapping[str, Any], gold: ResolvedGold, ingested: Iterable[Article] = ()) -> ScoreResult:
    """Boilerplate and canaries in any output (name -> stage JSON or text); ingested texts: boilerplate only."""
    res = ScoreResult(scorer="leakage")
    texts = {name: _folded("\n".join(generated_texts(out))) for name, out in outputs.items()}
    for name, out in outputs.items():
        if out is None:
            res.invalid(f"{name}: output missing")
    # Articles legitimately contain their injected sentences; only the boilerplate must be gone after ingest.
    article_text = _folded("\n".join(a.text for a in ingested))
    leaks = {"boilerplate": 0, "canaries": 0}
    for kind, lines in (("boilerplate", gold.boilerplate), ("canaries", gold.canaries)):
        for line in lines:
            where = [name for name, text in texts.items() if _folded(line) in text]
            if kind == "boilerplate" and article_text and _folded(line) in article_text:
                where.append("ingested articles")
            leaks[kind] += bool(where)
            res.details.append(Detail(item=f"{kind}:{line[:60]!r}", ok=not where,
                                      why=f"found in {', '.join(where)}" if where else ""))
    res.counts.update(boilerplate=len(gold.boilerplate), boilerplate_leaked=leaks["boilerplate"],
                      canaries=len(gold.canaries), canaries_leaked=leaks["canaries"])
    res.values.update(boilerplate_leak_rate=ratio(leaks["boilerplate"], len(gold.boilerplate), 0.0),
                      canary_leak_rate=ratio(leaks["canaries"], len(gold.canaries), 0.0))
    return res


def score_derivatives(articles: Iterable[Article], gold: ResolvedGold) -> ScoreResult:
    """Precision and recall of the derivative links ingestion found (`Article.derivative_of`)."""
    res = ScoreResult(scorer="derivatives")
    found = {(a.id, a.derivative_of) for a in articles if a.derivative_of}
    wanted = set(gold.derivatives.items())
    for pair in sorted(wanted | found):
        why = "missed" if pair not in found else "not a derivative in gold" if pair not in wanted else ""
        res.details.append(Detail(item=f"{pair[0]} -> {pair[1]}", ok=not why, why=why))
    hits = len(found & wanted)
    res.counts.update(gold=len(wanted), predicted=len(found), matched=hits)
    res.values.update(precision=ratio(hits, len(found), 1.0), recall=ratio(hits, len(wanted), 1.0))
    return res


def _run_record(output: Any) -> Mapping:
    """The cost record of a stage's JSON: its `summary` (extract) or `run` (brief), else the object itself."""
    if not isinstance(output, Mapping):
        return {}
    for key in ("summary", "run"):
        if isinstance(output.get(key), Mapping):
            return output[key]
    return output


def score_cost(runs: Mapping[str, Any]) -> ScoreResult:
    """Tokens and seconds per stage (from `summary` or `run`) and in total; a stage without them is counted."""
    res = ScoreResult(scorer="cost")
    tokens = seconds = 0.0
    for name, out in runs.items():
        rec = _run_record(out)
        t, s = rec.get("tokens"), rec.get("seconds")
        if not isinstance(t, (int, float)) or not isinstance(s, (int, float)):
            res.invalid(f"{name}: no tokens/seconds recorded")
            continue
        res.values.update({f"{name}.tokens": float(t), f"{name}.seconds": float(s)})
        tokens, seconds = tokens + t, seconds + s
    res.values.update(tokens=float(tokens), seconds=float(seconds))
    res.counts.update(stages=len(runs), recorded=len(runs) - res.counts.get("invalid", 0))
    return res
