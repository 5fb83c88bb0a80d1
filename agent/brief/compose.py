"""The brief: code composes every section from the comparison; the model writes only the lead, citing fact numbers."""

from __future__ import annotations

import re
import time

from pydantic import BaseModel, Field

from agent.brief.citecheck import check_sections
from agent.errors import ModelOutputError
from agent.llm import LLM
from agent.analysis.run import Analysis, account
from agent.prompts import load_prompt
from agent.analysis.reconcile import specificity
from agent.text.norm import content_words, words
from agent.types import Article, Brief, BriefSection, CitedSentence, Divergence, FactCluster

LEAD_FACTS = 8
LEAD_MIN = 3
TITLES = {"bottom_line": "Bottom line", "what_happened": "What happened", "agreed": "What the outlets agree on",
          "differ": "Where they differ, and why", "disputed": "What is disputed",
          "single_source": "Reported by one outlet only", "watch": "What to watch", "timeline": "Timeline",
          "sources": "Sources"}
LEAD_SECTIONS = {"bottom_line", "what_happened"}
DIFFER_ORDER = ["timing_of_report", "contradiction", "number_or_date", "quote_altered", "wording_drift",
                "name_variant"]
KIND_LABEL = {"timing_of_report": "Written before vs after the event", "contradiction": "Genuine contradiction",
              "number_or_date": "Different numbers or dates", "quote_altered": "Quote altered",
              "wording_drift": "Wording drift", "name_variant": "Name spelled differently", "omission": "Omission"}
RESOLUTION_LABEL = {"event_happened": "the event happened; the earlier report was written before it",
                    "prefer_original": "the original outlet's version stands over the copy",
                    "same_entity": "same person or place", "minor_wording": "wording only; the fact is the same",
                    "disputed": "unresolved: the outlets disagree", "not_a_conflict": "not a conflict"}
# Words our own templates add around source content; the support check looks only at the rest.
TEMPLATE_WORDS = frozenset(words(" ".join(list(KIND_LABEL.values()) + list(RESOLUTION_LABEL.values())))) | \
    frozenset("only report reports reported wrote write writes before after event done published publication "
              "planned describe independent outlet outlets quote quotes same words differently copies copy story "
              "original wording stands spelled name one unknown dates date read written earlier still call others "
              "give gives where state states denied not so it".split())
SINGLE_SOURCE_MAX = 12
_COUNT_NOTE = re.compile(r"\s*\(\d+ (?:independent )?outlets?\)")


class LeadSentence(BaseModel):
    """One sentence of the model's lead and the numbers of the facts it states."""

    text: str = Field(max_length=400)
    facts: list[int] = Field(default_factory=list, max_length=4)


class Lead(BaseModel):
    """The model's lead paragraph."""

    sentences: list[LeadSentence] = Field(min_length=1, max_length=5)


def sentence_for_fact(fact: FactCluster, articles: dict[str, Article], suffix: str = "") -> CitedSentence:
    """A fact as a brief sentence citing one sentence from each outlet that states it."""
    seen, cites = set(), []
    for ref in fact.sentence_refs:
        if ref.article_id not in seen:
            seen.add(ref.article_id)
            cites.append(articles[ref.article_id].cite(ref.index))
    text = fact.text[:1].upper() + fact.text[1:]
    return CitedSentence(text=text.rstrip(".") + suffix + ".", citations=cites)


def agreed_section(analysis: Analysis, by_id: dict[str, Article]) -> list[CitedSentence]:
    """Consensus facts with their independent-outlet counts."""
    return [sentence_for_fact(f, by_id, f" ({f.independent_outlets} independent outlets: {', '.join(f.outlets)})")
            for f in analysis.comparison.facts]


def divergence_sentences(d: Divergence, by_id: dict[str, Article]) -> list[CitedSentence]:
    """A divergence: its rationale citing every side, then each version as written for timing and conflicts."""
    cites = [by_id[r.article_id].cite(r.index) for s in d.sides for r in s.sentence_refs[:2]]
    head = f"{KIND_LABEL[d.kind]} ({RESOLUTION_LABEL[d.resolution]}): {d.rationale}"
    out = [CitedSentence(text=head, citations=cites)]
    if d.kind in ("timing_of_report", "contradiction", "number_or_date"):
        for s in d.sides:
            ref = s.sentence_refs[0]
            out.append(CitedSentence(text=f"{s.outlet}: “{ref.text}”", citations=[by_id[ref.article_id].cite(ref.index)]))
    return out


def differ_section(analysis: Analysis, by_id: dict[str, Article], kinds: list[str]) -> list[CitedSentence]:
    """Divergences grouped by kind, most consequential kinds first."""
    out = []
    for kind in kinds:
        for d in analysis.comparison.divergences:
            if d.kind == kind:
                out += divergence_sentences(d, by_id)
    return out


def single_source_section(analysis: Analysis, by_id: dict[str, Article]) -> list[CitedSentence]:
    """The most specific facts only one independent outlet reports (an original's, not a copy's)."""
    facts = [f for f in analysis.comparison.single_source
             if any(by_id[a].derivative_of is None for a in f.article_ids)]
    facts.sort(key=lambda f: -specificity(f.text))
    return [sentence_for_fact(f, by_id, f" (only {_origin(f, by_id)})") for f in facts[:SINGLE_SOURCE_MAX]]


def _origin(fact: FactCluster, by_id: dict[str, Article]) -> str:
    """The outlet a single-source fact comes from: the original, not a copy of it."""
    original = next((by_id[a] for a in fact.article_ids if by_id[a].derivative_of is None), by_id[fact.article_ids[0]])
    copies = [by_id[a].label for a in fact.article_ids if by_id[a].derivative_of == original.id]
    return original.label + (f"; repeated by its copy {', '.join(copies)}" if copies else "")



def timeline_section(analysis: Analysis, by_id: dict[str, Article]) -> list[CitedSentence]:
    """Dated facts in date order (dates resolved from the text and the publication date)."""
    facts = [f for f in analysis.comparison.facts + analysis.comparison.single_source if f.time and "/" not in f.time]
    out = []
    for f in sorted(facts, key=lambda f: f.time or ""):
        s = sentence_for_fact(f, by_id)
        s.text = f"{f.time}: {s.text}"
        out.append(s)
    return out


def watch_section(analysis: Analysis, by_id: dict[str, Article]) -> list[CitedSentence]:
    """What is still expected: planned facts no later report says happened."""
    settled = {c for d in analysis.comparison.divergences if d.resolution == "event_happened" for c in d.cluster_ids}
    facts = [f for f in analysis.comparison.facts + analysis.comparison.single_source
             if f.modality == "planned_or_expected" and f.id not in settled]
    return [sentence_for_fact(f, by_id) for f in facts]


def lead_facts(analysis: Analysis) -> list[FactCluster]:
    """The facts the model may use for the lead: consensus first, then single-source ones."""
    pool = analysis.comparison.facts or analysis.comparison.single_source
    return pool[:LEAD_FACTS]


def lead_section(analysis: Analysis, llm: LLM, template: str, by_id: dict[str, Article],
                 max_sentences: int = 4) -> list[CitedSentence]:
    """The model's lead, each sentence citing the facts it says it uses; code's lead if the model fails."""
    facts = lead_facts(analysis)
    listing = "\n".join(f"[{n}] {'(planned) ' if f.modality == 'planned_or_expected' else ''}"
                        f"{f.sentence_refs[0].text} ({f.independent_outlets} outlets)" for n, f in enumerate(facts, 1))
    disputes = "\n".join(f"- {d.rationale}" for d in analysis.comparison.divergences
                         if d.kind in ("timing_of_report", "contradiction", "number_or_date")) or "- none"
    try:
        lead = llm.structured(load_prompt(template), {"facts": listing, "disputes": disputes,
                                                      "max_sentences": max_sentences},
                              Lead, purpose="brief", max_tokens=90 * max_sentences + 40)
    except ModelOutputError:
        return fallback_lead(facts, by_id)
    out, used_ids = [], set()
    for s in lead.sentences[:max_sentences]:
        used = [facts[n - 1] for n in dict.fromkeys(s.facts) if 1 <= n <= len(facts)]
        used_ids |= {f.id for f in used}
        cites = [by_id[r.article_id].cite(r.index) for f in used for r in f.sentence_refs]
        out.append(CitedSentence(text=cut_repetition(_COUNT_NOTE.sub("", s.text).strip()), citations=cites))
    # A small model often stops after one sentence: code adds the next agreed facts, stated plainly.
    rest = [f for f in facts if f.id not in used_ids][: max(0, LEAD_MIN - len(out))]
    return out + [sentence_for_fact(f, by_id) for f in rest]


def cut_repetition(text: str) -> str:
    """Stop a sentence where a small model starts writing it again (its opening words recur)."""
    head = text[:40]
    again = text.find(head, 1) if len(head) == 40 else -1
    return text[:again].rstrip() if again > 0 else text


def fallback_lead(facts: list[FactCluster], by_id: dict[str, Article]) -> list[CitedSentence]:
    """The first facts stated plainly, when the model gives no usable lead."""
    return [sentence_for_fact(f, by_id) for f in facts[:3]]


def sources(analysis: Analysis) -> list[dict]:
    """Each article: outlet, title, date, derivative flag, and what boilerplate was removed."""
    by_id = {a.id: a for a in analysis.articles}
    return [{"article_id": a.id, "outlet": a.label, "title": a.title, "published": str(a.published or ""),
             "derivative_of": by_id[a.derivative_of].label if a.derivative_of in by_id else a.derivative_of,
             "similarity": a.similarity, "removed": [r.model_dump() for r in a.removed]} for a in analysis.articles]


def build_sections(analysis: Analysis, llm: LLM, template: str) -> list[BriefSection]:
    """The template's sections, in its order (sources are listed separately, not as sentences)."""
    by_id = {a.id: a for a in analysis.articles}
    conflicts = ["timing_of_report", "contradiction", "number_or_date", "quote_altered"]
    builders = {
        "bottom_line": lambda: lead_section(analysis, llm, template, by_id),
        "what_happened": lambda: lead_section(analysis, llm, template, by_id, max_sentences=3),
        "agreed": lambda: agreed_section(analysis, by_id),
        "differ": lambda: differ_section(analysis, by_id, DIFFER_ORDER),
        "disputed": lambda: differ_section(analysis, by_id, conflicts),
        "single_source": lambda: single_source_section(analysis, by_id),
        "watch": lambda: watch_section(analysis, by_id),
        "timeline": lambda: timeline_section(analysis, by_id),
    }
    names = load_prompt(template).meta.get("sections") or list(builders)
    return [BriefSection(title=TITLES[n], sentences=builders[n]()) for n in names if n in builders]


def trim_to_words(sections: list[BriefSection], max_words: int) -> None:
    """Drop sentences from the end of the least important sections until the brief fits MAX_WORDS."""
    def total() -> int:
        return sum(len(s.text.split()) for sec in sections for s in sec.sentences)

    for section in reversed(sections):
        while section.sentences and total() > max_words and (section is not sections[0] or
                                                             len(section.sentences) > 1):
            section.sentences.pop()


def make_brief(analysis: Analysis, llm: LLM, template: str = "brief", max_words: int | None = None,
               judge=None) -> Brief:
    """Compose, check and cost the brief for an analysis."""
    start, before = time.perf_counter(), llm.usage.snapshot()
    sections = build_sections(analysis, llm, template)
    by_id = {a.id: a for a in analysis.articles}
    ignore = TEMPLATE_WORDS | {w for a in analysis.articles for w in content_words(a.label)}
    strict = {TITLES[n] for n in LEAD_SECTIONS}
    result = check_sections(sections, by_id, strict, judge=judge, ignore=ignore)
    if max_words:
        trim_to_words(sections, max_words)
    run = analysis.run.model_copy(deep=True)
    account(run, llm, before, time.perf_counter() - start)
    run.stage_seconds["brief"] = round(time.perf_counter() - start, 2)
    run.unsupported_removed = result.removed
    run.prompt_hashes[template] = load_prompt(template).hash
    title = _title(analysis)
    return Brief(title=title, template=template, sections=sections, divergences=analysis.comparison.divergences,
                 sources=sources(analysis), run=run)


def _title(analysis: Analysis) -> str:
    """The brief's title: the most common article title words are unreliable, so name the top fact."""
    top = lead_facts(analysis)
    return f"Brief: {top[0].text}" if top else "Brief"
