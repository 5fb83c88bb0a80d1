"""The brief page: sections with citation links, switchable templates and formats, downloads."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.web import views
from agent.web.app import Web, render, web
from agent.web.jobs import Job
from agent.web.work import BRIEF_FILES, brief_inputs, brief_runner, brief_templates, read_json

VIEWS = ("page", "md", "json")
MEDIA = {"md": "text/markdown; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}
BACK = {"brief": "/brief", "compare": "/compare"}


def article_ids(w: Web) -> list[str]:
    """Every stored article's id (the web app briefs the whole workspace)."""
    return [row["id"] for row in w.store.article_rows()]


def _template(request: Request) -> str:
    """The template asked for, checked against the prompt files."""
    name = request.query_params.get("template", "brief")
    if name not in brief_templates():
        raise HTTPException(404, f"no brief template {name!r} (known: {', '.join(brief_templates())})")
    return name


def brief_job(w: Web, template: str) -> Job | None:
    """The job for this template over the current corpus and model, if one was started."""
    ids = article_ids(w)
    return w.jobs.find("brief", brief_inputs(w.model, template, ids)) if ids else None


def brief(request: Request) -> Response:
    """The brief of the current corpus: written, being written (with progress), or ready to write."""
    w, template = web(request), _template(request)
    view = request.query_params.get("view", "page")
    view = view if view in VIEWS else "page"
    job = brief_job(w, template)
    context = {"page": "brief", "template": template, "templates_": brief_templates(), "view": view, "job": job,
               "articles": len(article_ids(w)), "data": None, "source": ""}
    if job is not None and job.state == "done":
        folder = w.jobs.job_dir(job.id)
        data = read_json(folder / BRIEF_FILES["json"])
        if data is None:
            raise HTTPException(500, "the stored brief is unreadable; write it again")
        context["data"] = views.brief_page(data)
        if view != "page":
            context["source"] = (folder / BRIEF_FILES[view]).read_text(encoding="utf-8")
    return render(request, "brief.html", **context)


async def start_brief(request: Request) -> Response:
    """Start (or join) the job that writes the brief; `force` writes it again."""
    w = web(request)
    form = await request.form()
    template = str(form.get("template") or "brief")
    if template not in brief_templates():
        raise HTTPException(400, f"no brief template {template!r}")
    ids = article_ids(w)
    if not ids:
        raise HTTPException(400, "no articles stored yet: ingest some on the Corpus page first")
    w.jobs.start("brief", brief_inputs(w.model, template, ids), brief_runner(w.store, w.model, template, ids),
                 force=bool(form.get("force")))
    back = BACK.get(str(form.get("back") or "brief"), "/brief")
    return RedirectResponse(f"{back}?template={template}", 303)


def _stored(request: Request, fmt: str) -> str:
    """A finished brief's stored text in one format."""
    w, template = web(request), _template(request)
    job = brief_job(w, template)
    if job is None or job.state != "done":
        raise HTTPException(404, f"no {template} brief written for this corpus yet")
    return (w.jobs.job_dir(job.id) / BRIEF_FILES[fmt]).read_text(encoding="utf-8")


def download(request: Request) -> Response:
    """The brief as a file: md, json or html."""
    fmt = request.query_params.get("format", "md")
    if fmt not in BRIEF_FILES:
        raise HTTPException(404, f"no brief format {fmt!r} (md, json, html)")
    name = f"brief-{_template(request)}.{fmt}"
    return Response(_stored(request, fmt), media_type=MEDIA[fmt],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def standalone(request: Request) -> Response:
    """The standalone HTML brief in the browser: no script may run, only its own inline style."""
    text = _stored(request, "html")
    return Response(text, media_type=MEDIA["html"], headers={"content-security-policy": standalone_csp(text)})


def standalone_csp(text: str) -> str:
    """A CSP that allows exactly the page's inline stylesheets (by hash) and nothing else."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
                      for css in re.findall(r"<style>(.*?)</style>", text, re.S)) or "'none'"
    return (f"default-src 'none'; style-src {hashes}; img-src 'none'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


routes = [
    Route("/brief", brief),
    Route("/brief", start_brief, methods=["POST"]),
    Route("/brief/download", download),
    Route("/brief/standalone", standalone),
]
