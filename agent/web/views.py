"""The one place that reads the pipeline's JSON forms for the pages: a renamed field is a one-line change here."""

from __future__ import annotations

from agent.brief.compose import KIND_LABEL, RESOLUTION_LABEL

# How an outlet reports a fact, from its sentences' modality (see agent.types.Modality).
MODALITY_STATE = {"asserted_past": "reported", "ongoing": "reported", "attributed": "reported",
                  "hedged": "hedged", "planned_or_expected": "planned", "denied": "denied"}
STATE_ORDER = ["reported", "denied", "hedged", "planned"]  # when an outlet's claims differ, the firmest wins
STATE_LABEL = {"reported": "reported", "hedged": "hedged", "planned": "planned", "denied": "denied",
               "none": "not reported"}


def cite_link(c: dict) -> dict:
    """One citation as the pages show it: outlet, sentence, and where it is."""
    return {"article_id": str(c.get("article_id", "")), "index": int(c.get("index", 0)),
            "outlet": c.get("outlet") or "", "text": c.get("text", "")}


def brief_page(data: dict) -> dict:
    """`brief_json` output as page data: sections of sentences with numbered citation links."""
    numbers: dict[tuple[str, int], int] = {}
    sections = []
    for sec in data.get("sections", []):
        sentences = []
        for s in sec.get("sentences", []):
            cites = []
            for c in map(cite_link, s.get("citations", [])):
                c["n"] = numbers.setdefault((c["article_id"], c["index"]), len(numbers) + 1)
                cites.append(c)
            sentences.append({"text": s.get("text", ""), "flagged": bool(s.get("flagged")), "cites": cites})
        if sentences:
            sections.append({"title": sec.get("title", ""), "sentences": sentences})
    return {"title": data.get("title", "Brief"), "template": data.get("template", ""), "sections": sections,
            "sources": [source_row(s) for s in data.get("sources", [])], "run": data.get("run", {})}


def source_row(s: dict) -> dict:
    """One entry of a brief's sources."""
    return {"article_id": s.get("article_id", ""), "outlet": s.get("outlet", ""), "title": s.get("title") or "",
            "published": s.get("published") or "", "derivative_of": s.get("derivative_of") or "",
            "similarity": s.get("similarity"), "removed": len(s.get("removed") or [])}


def facts_of(comparison: dict) -> list[dict]:
    """Every fact of a comparison (agreed first, then single-source) with what the page shows."""
    out = []
    for group, single in (("facts", False), ("single_source", True)):
        for f in comparison.get(group, []):
            refs = [cite_link(r) for r in f.get("sentence_refs", [])]
            out.append({"id": f.get("id", ""), "text": f.get("text", ""), "single": single,
                        "independent": f.get("independent_outlets", 0), "claim_ids": f.get("claim_ids", []),
                        "modality": f.get("modality", ""), "time": f.get("time"), "refs": refs,
                        "article_modality": f.get("article_modality", {})})
    return out


def matrix(analysis: dict) -> dict:
    """The outlet x fact matrix: how each outlet reports each fact (coverage, and how each article tells it)."""
    comparison = analysis.get("comparison", {})
    labels = {a.get("id"): a.get("label") for a in analysis.get("articles", [])}
    coverage = comparison.get("coverage", {})
    outlets = list(coverage) or sorted(set(labels.values()))
    copy_of = {a.get("label"): labels.get(a.get("derivative_of")) for a in analysis.get("articles", [])}
    rows = []
    for fact in facts_of(comparison):
        seen: dict[str, list[str]] = {}
        for article_id, modality in fact.get("article_modality", {}).items():
            outlet = labels.get(article_id)
            if outlet is not None:
                seen.setdefault(outlet, []).append(MODALITY_STATE.get(modality, "reported"))
        cells = []
        for outlet in outlets:
            states = seen.get(outlet) or (["reported"] if fact["id"] in coverage.get(outlet, []) else [])
            state = min(states, key=STATE_ORDER.index) if states else "none"
            cells.append({"outlet": outlet, "state": state, "label": STATE_LABEL[state]})
        rows.append(fact | {"cells": cells})
    return {"outlets": [{"name": o, "copy_of": copy_of.get(o)} for o in outlets], "rows": rows}


def divergences(analysis: dict) -> list[dict]:
    """Each divergence with its versions side by side, the explanation, and the facts' independent outlets."""
    comparison = analysis.get("comparison", {})
    independent = {f["id"]: f["independent"] for f in facts_of(comparison)}
    copies = {a.get("id"): a.get("derivative_of") for a in analysis.get("articles", [])}
    out = []
    for d in comparison.get("divergences", []):
        kind, resolution = d.get("kind", ""), d.get("resolution", "")
        sides = [{"outlet": s.get("outlet") or "", "text": s.get("text", ""), "copy": bool(copies.get(s.get("article_id"))),
                  "preferred": n == d.get("preferred_side"),
                  "refs": [cite_link(r | {"outlet": s.get("outlet")}) for r in s.get("sentence_refs", [])]}
                 for n, s in enumerate(d.get("sides", []))]
        counts = [independent[c] for c in d.get("cluster_ids", []) if c in independent]
        out.append({"id": d.get("id", ""), "kind": kind, "kind_label": KIND_LABEL.get(kind, kind.replace("_", " ")),
                    "resolution": resolution, "resolution_label": RESOLUTION_LABEL.get(resolution, resolution),
                    "rationale": d.get("rationale", ""), "confidence": d.get("confidence"),
                    "independent": max(counts) if counts else None,
                    "outlets": len({s["outlet"] for s in sides}), "sides": sides})
    return out


def answer_view(answer) -> dict:
    """A checked chat answer (an `Answer` or its JSON) as the page shows it."""
    data = answer.to_json() if hasattr(answer, "to_json") else dict(answer)
    closest = data.get("closest")
    return {"text": data.get("answer", ""), "abstained": bool(data.get("abstained")),
            "cites": [cite_link(c) | {"n": n} for n, c in enumerate(data.get("citations") or [], 1)],
            "closest": cite_link(closest) if closest else None}


def turn_view(turn) -> dict:
    """A stored chat turn as the page shows it (an abstention's only citation is its closest sentence)."""
    data = turn.model_dump() if hasattr(turn, "model_dump") else dict(turn)
    cites = data.get("citations") or []
    abstained = bool(data.get("abstained"))
    return {"question": data.get("question", ""),
            "answer": answer_view({"answer": data.get("answer", ""), "abstained": abstained,
                                   "citations": [] if abstained else cites,
                                   "closest": cites[0] if abstained and cites else None})}
