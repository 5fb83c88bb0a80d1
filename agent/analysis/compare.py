"""The comparison: consensus facts, divergences, single-source facts and the outlet x fact coverage."""

from __future__ import annotations

from agent.analysis.align import facts_from_groups
from agent.analysis.annotate import Annotations, Key
from agent.analysis.judge import Relation
from agent.analysis.reconcile import reconcile
from agent.types import Article, Claim, Comparison, FactCluster

CONSENSUS_MIN = 2  # independent outlets needed for a fact to count as agreed


def compare(ann: Annotations, relations: list[Relation], groups: list[list[Key]],
            claims: list[Claim] | None = None) -> Comparison:
    """Facts from the grouped sentences, their divergences, and consensus split from single-source facts."""
    clusters = facts_from_groups(groups, ann, claims or [])
    divergences = reconcile(clusters, relations, ann)
    return Comparison(facts=[f for f in clusters if f.independent_outlets >= CONSENSUS_MIN],
                      divergences=divergences,
                      single_source=[f for f in clusters if f.independent_outlets < CONSENSUS_MIN],
                      coverage=coverage(clusters, list(ann.articles.values())))


def coverage(clusters: list[FactCluster], articles: list[Article]) -> dict[str, list[str]]:
    """Which facts each outlet reports."""
    out: dict[str, list[str]] = {a.label: [] for a in articles}
    by_id = {a.id: a for a in articles}
    for f in clusters:
        for aid in f.article_ids:
            out[by_id[aid].label].append(f.id)
    return out


def comparison_json(comparison: Comparison) -> dict:
    """The documented JSON form of `compare --format json`."""
    def fact(f: FactCluster) -> dict:
        return {"id": f.id, "text": f.text, "outlets": f.outlets, "independent_outlets": f.independent_outlets,
                "claim_ids": f.claim_ids, "time": f.time, "modality": f.modality,
                "article_modality": f.article_modality,
                "sentence_refs": [r.model_dump() for r in f.sentence_refs]}

    return {"facts": [fact(f) for f in comparison.facts],
            "divergences": [d.model_dump() for d in comparison.divergences],
            "single_source": [fact(f) for f in comparison.single_source],
            "coverage": comparison.coverage}
