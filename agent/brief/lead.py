"""The lead: the model writes it from numbered facts in their standing version; code cites and checks it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.brief.runs import shared_part, statement_run
from agent.brief.versions import contradicts_resolution, current_refs, set_aside, statement_ref
from agent.errors import ModelOutputError
from agent.prompts import load_prompt
from agent.qa.match import misdescribed, unstated
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


def lead_facts(comparison: Comparison, usable=lambda f: True, articles: dict[str, Article] | None = None
               ) -> list[FactCluster]:
    """The facts the model may use: the event that happened where one outlet wrote before it (the outcome is the
    news), then agreed ones (single-source ones when none is agreed), reports of what happened before remarks
    quoted whole (a line from inside a quotation is one too), each group in the comparison's order."""
    pool = [f for f in comparison.facts if usable(f)] or [f for f in comparison.single_source if usable(f)]
    outcomes = {c for d in comparison.divergences if d.kind == "timing_of_report" and d.resolution == "event_happened"
                for c in d.cluster_ids}
    aside = set_aside(comparison)
    return sorted(pool, key=lambda f: (f.id not in outcomes, -f.independent_outlets,
                                       _mostly_quote(stated_text(f, articles, aside))))[:LEAD_FACTS]


def _mostly_quote(text: str) -> bool:
    """A sentence that is mostly someone's quoted words."""
    quoted = sum(len(m) for m in re.findall(r"[“\"]([^”\"]+)[”\"]?", text))
    return quoted > len(text) / 2


def stated_text(fact: FactCluster, articles: dict[str, Article] | None, aside: set) -> str:
    """The words a fact is stated with: its standing sentence with the neighbours it needs (its own text when the
    articles are not at hand)."""
    ref = statement_ref(fact, aside)
    if ref is None or not articles or ref.article_id not in articles:
        return ref.text if ref else fact.text
    article = articles[ref.article_id]
    return " ".join(article.sentences[i].text for i in statement_run(article, ref.index, aside))


def listing(facts: list[FactCluster], comparison: Comparison, articles: dict[str, Article] | None = None) -> str:
    """The facts as the model sees them: each in the version that stands, planned ones marked."""
    aside, lines = set_aside(comparison), []
    for n, f in enumerate(facts, 1):
        mark = "(planned) " if f.modality == "planned_or_expected" else ""
        lines.append(f"[{n}] {mark}{stated_text(f, articles, aside)} ({f.independent_outlets} outlets)")
    return "\n".join(lines)


def fact_sentence(fact: FactCluster, articles: dict[str, Article], comparison: Comparison,
                  note: str | None = None) -> CitedSentence | None:
    """A fact stated by its standing source sentence, verbatim, citing one standing sentence per outlet."""
    aside = set_aside(comparison)
    ref = statement_ref(fact, aside)
    if ref is None:
        return None
    run = statement_run(articles[ref.article_id], ref.index, aside)
    seen, cites = {ref.article_id}, [articles[ref.article_id].cite(i) for i in run]
    for r in current_refs(fact, aside):
        if r.article_id not in seen:
            seen.add(r.article_id)
            cites.append(articles[r.article_id].cite(r.index))
    text = " ".join(articles[ref.article_id].sentences[i].text for i in run)
    if len(run) == 1:  # an agreed fact states what the other outlets state too, not one outlet's added clause
        text = shared_part(text, [c.text for c in cites if c.article_id != ref.article_id])
    return CitedSentence(text=text, citations=cites, origin="source", note=note)


def write_lead(comparison: Comparison, llm, template: str, articles: dict[str, Article], usable,
               max_sentences: int = 4) -> tuple[list[CitedSentence], int]:
    """The model's lead (checked against the resolutions), filled with source sentences; and how many it lost."""
    facts = lead_facts(comparison, usable, articles)
    disputes = "\n".join(f"- {d.rationale}" for d in comparison.divergences
                         if d.kind in ("timing_of_report", "contradiction", "number_or_date")) or "- none"
    try:
        lead = llm.structured(load_prompt(template), {"facts": listing(facts, comparison, articles), "disputes": disputes,
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
        # A figure, date or name the model adds ("on May 21, 2013") must be in the sentences it cites, and a name
        # it describes must be described so there ("Mr. LePage, a Democratic lawmaker" was Gattine's description).
        if (not text or not used or contradicts_resolution(text, used, comparison)
                or unstated(text, " ".join(c.text for c in cites)) or misdescribed(text, [c.text for c in cites])):
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
