"""Job status as JSON, for the pages' progress bars (a reloaded page picks the job up again)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent.web.app import web


def job_json(job) -> dict:
    """What a page needs to show a job's progress and outcome."""
    return {"id": job.id, "kind": job.kind, "state": job.state, "progress": job.progress.model_dump(),
            "error": job.error, "result": job.result}


def job(request: Request) -> Response:
    """One job's state."""
    found = web(request).jobs.get(request.path_params["job_id"])
    if found is None:
        raise HTTPException(404, f"no job {request.path_params['job_id']!r}")
    return JSONResponse(job_json(found), headers={"cache-control": "no-store"})


def recent(request: Request) -> Response:
    """The newest jobs."""
    return JSONResponse([job_json(j) for j in web(request).jobs.recent()], headers={"cache-control": "no-store"})


routes = [Route("/jobs", recent), Route("/jobs/{job_id}", job)]
