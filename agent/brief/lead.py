"""The lead: the model writes it from numbered facts in their standing version; code cites and checks it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.brief.versions import contradicts_resolution, current_refs, reads_whole, set_aside, statement_ref
from agent.errors import ModelOutputError
from agent.prompts import load_prompt
from agent.qa.match import unstated
from agent.types import Article, CitedSentence, Comparison, FactCluster

LEAD_FACTS = 8
LEAD_MIN = 3
_COUNT_NOTE = re.compile(r"\s*\(\d+ (?:independent )?outlets?\)")


class LeadSentence(BaseModel):
    """One sentence of the model's lead and the numbers of the facts it states."""

    text: str = Field(max_length=400)
    facts: list[int] = Field(default_factory=list, max_length=4)


class Lead(BaseModel):
    """The model's lead paragraph."""

    sentences: list[LeadSentence] = Field(min_length=1, max_length=5)


def lead_facts(comparison: Comparison, usable=lambda f: True) -> list[FactCluster]:
    """The facts the model may use: the event that happened where one outlet wrote before it (the outcome is the
    news), then agreed ones (single-source ones when none is agreed), reports of what happened before remarks
    quoted whole, each group in the comparison's order."""
    pool = [f for f in comparison.facts if usable(f)] or [f for f in comparison.single_source if usable(f)]
    outcomes = {c for d in comparison.divergences if d.kind == "timing_of_report" and d.resolution == "event_happened"
                for c in d.cluster_ids}
    return sorted(pool, key=lambda f: (f.id not in outcomes, -f.independent_outlets,
                                       _mostly_quote(f.text)))[:LEAD_FACTS]


def _mostly_quote(text: str) -> bool:
    """A sentence that is mostly someone's quoted words."""
    quoted = sum(len(m) for m in re.findall(r"[“\"]([^”\"]+)[”\"]?", text))
    return quoted > len(text) / 2


def listing(facts: list[FactCluster], comparison: Comparison) -> str:
    """The facts as the model sees them: each in the version that stands, planned ones marked."""
    aside, lines = set_aside(comparison), []
    for n, f in enumerate(facts, 1):
        ref = statement_ref(f, aside)
        mark = "(planned) " if f.modality == "planned_or_expected" else ""
        lines.append(f"[{n}] {mark}{ref.text if ref else f.text} ({f.independent_outlets} outlets)")
    return "\n".join(lines)


def fact_sentence(fact: FactCluster, articles: dict[str, Article], comparison: Comparison,
                  note: str | None = None) -> CitedSentence | None:
    """A fact stated by its standing source sentence, verbatim, citing one standing sentence per outlet."""
    aside = set_aside(comparison)
    ref = statement_ref(fact, aside)
    if ref is None:
        return None
    run = context_run(articles[ref.article_id], ref.index, aside) + quotation_run(articles[ref.article_id], ref.index)
    seen, cites = {ref.article_id}, [articles[ref.article_id].cite(i) for i in run]
    for r in current_refs(fact, aside):
        if r.article_id not in seen:
            seen.add(r.article_id)
            cites.append(articles[r.article_id].cite(r.index))
    text = " ".join(articles[ref.article_id].sentences[i].text for i in run)
    return CitedSentence(text=text, citations=cites, origin="source", note=note)


QUOTE_RUN = 3  # sentences after the first that a quotation may run on for
# A sentence whose subject points back ("She then invoked…", "This stance left him…") reads out of its article only
# with the sentence before, which names who or what. A connective alone ("And just last week…") does not need it.
OPENS_ON_REFERENCE = re.compile(r"(?:She|He|They|It|His|Her|Their|Its|This|These|Those)\b")


def context_run(article: Article, index: int, aside: set) -> list[int]:
    """The sentence before, when this one opens on a reference to it and it states a standing version; else none."""
    before = index - 1
    if index == 0 or not OPENS_ON_REFERENCE.match(article.sentences[index].text.lstrip("“\"'‘ ")):
        return []
    return [] if (article.id, before) in aside else [before]


def quotation_run(article: Article, index: int) -> list[int]:
    """The sentence, with those after it in its article up to the one closing the quotation it opens (verbatim,
    each cited: “I have not done anything wrong. … ” reads whole); the sentence alone when none closes it."""
    run, text = [index], article.sentences[index].text
    while not reads_whole(text) and len(run) <= QUOTE_RUN and run[-1] + 1 < len(article.sentences):
        run.append(run[-1] + 1)
        text += " " + article.sentences[run[-1]].text
    return run if reads_whole(text) else [index]


def write_lead(comparison: Comparison, llm, template: str, articles: dict[str, Article], usable,
               max_sentences: int = 4) -> tuple[list[CitedSentence], int]:
    """The model's lead (checked against the resolutions), filled with source sentences; and how many it lost."""
    facts = lead_facts(comparison, usable)
    disputes = "\n".join(f"- {d.rationale}" for d in comparison.divergences
                         if d.kind in ("timing_of_report", "contradiction", "number_or_date")) or "- none"
    try:
        lead = llm.structured(load_prompt(template), {"facts": listing(facts, comparison), "disputes": disputes,
                                                      "max_sentences": max_sentences},
                              Lead, purpose="brief", max_tokens=90 * max_sentences + 40)
    except ModelOutputError:
        lead = Lead(sentences=[LeadSentence(text="", facts=[])])
    out, used_ids, removed = [], set(), 0
    for s in lead.sentences[:max_sentences]:
        used = [facts[n - 1] for n in dict.fromkeys(s.facts) if 1 <= n <= len(facts)]
        text = cut_repetition(_COUNT_NOTE.sub("", s.text).strip())
        aside = set_aside(comparison)
        cites = [articles[r.article_id].cite(r.index) for f in used for r in current_refs(f, aside)]
        # A figure, date or name the model adds ("on May 21, 2013") must be in the sentences it cites.
        if (not text or not used or contradicts_resolution(text, used, comparison)
                or unstated(text, " ".join(c.text for c in cites))):
            removed += bool(text)
            continue
        used_ids |= {f.id for f in used}
        out.append(CitedSentence(text=text, citations=cites, origin="model"))
    # A small model often stops after one sentence: code adds the next facts, stated by their source sentences.
    rest = [f for f in facts if f.id not in used_ids][: max(0, LEAD_MIN - len(out))]
    return out + [s for s in (fact_sentence(f, articles, comparison) for f in rest) if s], removed


def cut_repetition(text: str) -> str:
    """Stop a sentence where a small model starts writing it again (its opening words recur)."""
    head = text[:40]
    again = text.find(head, 1) if len(head) == 40 else -1
    return text[:again].rstrip() if again > 0 else text
