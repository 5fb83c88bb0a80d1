"""The brief: code composes every section from the comparison; the model writes only the lead, citing fact numbers.

Every fact is stated by a source sentence as written (in the version the comparison found standing), or by
the model's lead sentence that code checks against its citations and the resolutions; nothing is stitched.
"""

from __future__ import annotations

import time

from agent.analysis.run import Analysis, account
from agent.brief.citecheck import check_sections
from agent.brief.labels import KIND_LABEL, RESOLUTION_LABEL, TEMPLATE_WORDS, TITLES  # noqa: F401 (re-exported)
from agent.brief.lead import fact_sentence, lead_facts, write_lead
from agent.brief.versions import current_refs, disputed, set_aside, takes_a_side
from agent.llm import LLM
from agent.prompts import load_prompt
from agent.text.norm import content_words
from agent.text.safety import refs_reportable
from agent.types import Article, Brief, BriefSection, CitedSentence, Divergence, FactCluster, SentenceRef

LEAD_SECTIONS = {"bottom_line", "what_happened"}
DIFFER_ORDER = ["timing_of_report", "contradiction", "number_or_date", "quote_altered", "wording_drift",
                "name_variant"]
CONFLICTS = ["timing_of_report", "contradiction", "number_or_date", "quote_altered"]
SINGLE_SOURCE_MAX = 12
VERSIONS_SHOWN = ("timing_of_report", "contradiction", "number_or_date", "quote_altered")


class Composer:
    """Builds the sections of one brief from one analysis."""

    def __init__(self, analysis: Analysis, llm: LLM, template: str):
        self.analysis, self.llm, self.template = analysis, llm, template
        self.comparison = analysis.comparison
        self.articles: dict[str, Article] = {a.id: a for a in analysis.articles}
        self.aside, self.disputed = set_aside(self.comparison), disputed(self.comparison)
        self.removed = 0

    def reportable(self, ref: SentenceRef) -> bool:
        """A sentence that reports news: nothing that talks to the model or the reader (agent.text.safety)."""
        note = self.analysis.ann.notes.get((ref.article_id, ref.index)) if self.analysis.ann else None
        return note.reportable if note else refs_reportable([ref], self.articles)

    def usable(self, fact: FactCluster) -> bool:
        """A fact the brief may state: it has a standing version and its sentences report news."""
        refs = current_refs(fact, self.aside)
        return bool(refs) and all(self.reportable(r) for r in refs)

    def lead(self, max_sentences: int = 4) -> list[CitedSentence]:
        """The model's lead, checked against the resolutions and filled with source sentences."""
        sentences, removed = write_lead(self.comparison, self.llm, self.template, self.articles,
                                        lambda f: self.usable(f) and f.id not in self.disputed, max_sentences)
        self.removed += removed
        return sentences

    def agreed(self) -> list[CitedSentence]:
        """Facts two or more independent outlets state and nothing disputes, with the count of outlets."""
        out = []
        for f in self.comparison.facts:
            if f.id in self.disputed or not self.usable(f):
                continue
            standing = self.standing_outlets(f)
            if len(standing) < 2:  # the others' version was set aside: that is a divergence, not agreement
                continue
            note = f"{len(standing)} independent outlets: {', '.join(standing)}"
            out += [s for s in [fact_sentence(f, self.articles, self.comparison, note)] if s]
        return out

    def standing_outlets(self, fact: FactCluster) -> list[str]:
        """The independent outlets whose sentences state the fact's standing version (copies count once)."""
        roots = {}
        for r in current_refs(fact, self.aside):
            article = self.articles[r.article_id]
            root = self.articles.get(article.derivative_of or "", article)
            roots.setdefault(root.label.lower(), root.label)  # an outlet's second article adds no voice
        return list(roots.values())

    def differ(self, kinds: list[str]) -> list[CitedSentence]:
        """Divergences grouped by kind, most consequential first: why they differ, then each version as written."""
        out = []
        for kind in kinds:
            for d in self.comparison.divergences:
                if d.kind == kind and all(self.reportable(r) for s in d.sides for r in s.sentence_refs):
                    out += self.divergence(d)
        return out

    def divergence(self, d: Divergence) -> list[CitedSentence]:
        """One divergence: the rationale citing every side, then each version as written (for conflicts)."""
        cites = [self.articles[r.article_id].cite(r.index) for s in d.sides for r in s.sentence_refs[:2]]
        head = f"{KIND_LABEL[d.kind]} ({RESOLUTION_LABEL[d.resolution]}): {d.rationale}"
        out = [CitedSentence(text=head, citations=cites, origin="template")]
        if d.kind in VERSIONS_SHOWN:
            for i, s in enumerate(d.sides):
                ref = s.sentence_refs[0]
                status = "superseded" if i in d.set_aside else "stands" if i == d.preferred_side else None
                note = f"{s.outlet}" + (f", {status}" if status else "")
                out.append(CitedSentence(text=ref.text, citations=[self.articles[ref.article_id].cite(ref.index)],
                                         origin="source", note=note))
        return out

    def single_source(self) -> list[CitedSentence]:
        """Facts only one independent outlet reports: the notable ones (omissions) first, then the most specific."""
        notable = {c for d in self.comparison.divergences if d.kind == "omission" for c in d.cluster_ids}
        facts = [f for f in self.comparison.single_source if self.usable(f)
                 and any(self.articles[a].derivative_of is None for a in f.article_ids)]
        facts.sort(key=lambda f: (f.id not in notable, -specificity(f.text)))
        out = []
        for f in facts[:SINGLE_SOURCE_MAX]:
            out += [s for s in [fact_sentence(f, self.articles, self.comparison, f"only {self.origin(f)}")] if s]
        return out

    def origin(self, fact: FactCluster) -> str:
        """The outlet a single-source fact comes from: the original, not a copy of it."""
        arts = self.articles
        original = next((arts[a] for a in fact.article_ids if arts[a].derivative_of is None), arts[fact.article_ids[0]])
        copies = [arts[a].label for a in fact.article_ids if arts[a].derivative_of == original.id]
        return original.label + (f"; repeated by its copy {', '.join(copies)}" if copies else "")

    def timeline(self) -> list[CitedSentence]:
        """Facts dated by their own event, in date order, each in its standing version."""
        facts = [f for f in self.comparison.facts + self.comparison.single_source
                 if f.time and "/" not in f.time and self.usable(f) and f.modality != "planned_or_expected"]
        out = []
        for f in sorted(facts, key=lambda f: f.time or ""):
            out += [s for s in [fact_sentence(f, self.articles, self.comparison, f.time)] if s]
        return out

    def watch(self) -> list[CitedSentence]:
        """What is still expected: planned facts no later report says happened."""
        settled = {c for d in self.comparison.divergences if d.set_aside for c in d.cluster_ids}
        facts = [f for f in self.comparison.facts + self.comparison.single_source
                 if f.modality == "planned_or_expected" and f.id not in settled and self.usable(f)]
        return [s for s in (fact_sentence(f, self.articles, self.comparison) for f in facts) if s]

    def sections(self) -> list[BriefSection]:
        """The template's sections, in its order (sources are listed separately, not as sentences)."""
        builders = {"bottom_line": self.lead, "what_happened": lambda: self.lead(3), "agreed": self.agreed,
                    "differ": lambda: self.differ(DIFFER_ORDER), "disputed": lambda: self.differ(CONFLICTS),
                    "single_source": self.single_source, "watch": self.watch, "timeline": self.timeline}
        names = load_prompt(self.template).meta.get("sections") or list(builders)
        # A divergence's sides are told under each divergence they belong to, repeats and all.
        return [BriefSection(title=TITLES[n], sentences=builders[n]() if n in ("differ", "disputed")
                             else without_repeats(builders[n]())) for n in names if n in builders]


def without_repeats(sentences: list[CitedSentence]) -> list[CitedSentence]:
    """The section without a sentence another of its sentences already states whole (a fact told with the
    sentence before it can hold a fact listed on its own); the longer one takes its citations."""
    out = []
    for i, s in enumerate(sentences):
        holder = next((t for j, t in enumerate(sentences) if j != i and s.text in t.text
                       and (len(t.text) > len(s.text) or j < i)), None)
        if holder is None:
            out.append(s)
            continue
        seen = {(c.article_id, c.index) for c in holder.citations}
        holder.citations += [c for c in s.citations if (c.article_id, c.index) not in seen]
    return out


def specificity(text: str) -> int:
    """How much a statement pins down: capitalised names after the first word, and numbers (twice)."""
    tokens = text.split()
    return sum(1 for w in tokens[1:] if w[:1].isupper()) + sum(2 for w in tokens if any(c.isdigit() for c in w))


def sources(analysis: Analysis) -> list[dict]:
    """Each article: outlet, title, date, derivative flag, and what boilerplate was removed."""
    by_id = {a.id: a for a in analysis.articles}
    return [{"article_id": a.id, "outlet": a.label, "title": a.title, "published": str(a.published or ""),
             "derivative_of": by_id[a.derivative_of].label if a.derivative_of in by_id else a.derivative_of,
             "similarity": a.similarity, "removed": [r.model_dump() for r in a.removed]} for a in analysis.articles]


def trim_to_words(sections: list[BriefSection], max_words: int) -> None:
    """Drop sentences from the end of the least important sections until the brief fits MAX_WORDS."""
    def total() -> int:
        return sum(len(s.text.split()) for sec in sections for s in sec.sentences)

    for section in reversed(sections):
        while section.sentences and total() > max_words and (section is not sections[0] or
                                                             len(section.sentences) > 1):
            section.sentences.pop()


def title(analysis: Analysis, composer: Composer) -> str:
    """The brief's title: the headline of the original article that states most of the agreed facts, among those
    that state no version of a conflict as settled ("…, no injuries" where another outlet counts two hurt); when
    every headline takes a side, the best one, said to be that outlet's."""
    counts: dict[str, int] = {}
    for f in analysis.comparison.facts:
        for a in f.article_ids:
            counts[a] = counts.get(a, 0) + 1
    titled = [a for a in analysis.articles if a.title and a.derivative_of is None]
    neutral = [a for a in titled if not takes_a_side(a.title, analysis.comparison)]
    if neutral or titled:
        best = max(neutral or titled, key=lambda a: counts.get(a.id, 0))
        side = "" if neutral else f" ({best.label}'s headline; the outlets' versions differ)"
        return f"Brief: {best.title}{side}"
    top = lead_facts(analysis.comparison, composer.usable)
    return f"Brief: {top[0].text}" if top else "Brief"


def make_brief(analysis: Analysis, llm: LLM, template: str = "brief", max_words: int | None = None,
               judge=None) -> Brief:
    """Compose, check and cost the brief for an analysis."""
    start, before = time.perf_counter(), llm.usage.snapshot()
    composer = Composer(analysis, llm, template)
    sections = composer.sections()
    ignore = TEMPLATE_WORDS | {w for a in analysis.articles for w in content_words(a.label)}
    result = check_sections(sections, composer.articles, {TITLES[n] for n in LEAD_SECTIONS}, judge=judge,
                            ignore=ignore)
    if max_words:
        trim_to_words(sections, max_words)
    run = analysis.run.model_copy(deep=True)
    account(run, llm, before, time.perf_counter() - start)
    run.stage_seconds["brief"] = round(time.perf_counter() - start, 2)
    run.unsupported_removed = result.removed + composer.removed
    run.prompt_hashes[template] = load_prompt(template).hash
    return Brief(title=title(analysis, composer), template=template, sections=sections,
                 divergences=analysis.comparison.divergences, sources=sources(analysis), run=run)
