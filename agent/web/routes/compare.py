"""The comparison page: the outlet x fact matrix and the divergences with their versions side by side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.web import views
from agent.web.app import render, web
from agent.web.routes.brief import article_ids, brief_job
from agent.web.work import latest_analysis

DEFAULT_TEMPLATE = "brief"  # the comparison comes with a brief; this one is written when none is stored


def compare(request: Request) -> Response:
    """The stored comparison of the current corpus, or the job computing it, or a button to start it."""
    w = web(request)
    ids = article_ids(w)
    found = latest_analysis(w.jobs, w.model, ids) if ids else None
    context = {"page": "compare", "articles": len(ids), "job": None, "matrix": None, "divergences": [],
               "template": DEFAULT_TEMPLATE, "show_omissions": bool(request.query_params.get("omissions"))}
    if found is None:
        context["job"] = brief_job(w, DEFAULT_TEMPLATE)
        return render(request, "compare.html", **context)
    _, analysis = found
    divergences = views.divergences(analysis)
    shown = [d for d in divergences if context["show_omissions"] or d["kind"] != "omission"]
    return render(request, "compare.html", **context | {
        "matrix": views.matrix(analysis), "divergences": shown, "omissions": len(divergences) - len(shown)
        if not context["show_omissions"] else 0})


routes = [Route("/compare", compare)]
