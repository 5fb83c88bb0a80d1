"""The evals page: stored runs, two runs compared metric by metric, and the model-swap gate's verdict."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.errors import UsageError
from agent.evals import history
from agent.evals.gate import compare_runs, load_rules, tolerance_text
from agent.web.app import render, web
from agent.web.work import eval_runner


def suites() -> list[str]:
    """The eval suites the shipped (and user) cases form."""
    from agent.evals.cases import suites as declared

    return sorted(declared())


def evals(request: Request) -> Response:
    """Stored runs; with `base` and `cand`, their comparison and the gate's verdict."""
    from agent.cli.eval_cmd import history_row

    w = web(request)
    runs = history.list_runs()
    base, cand = request.query_params.get("base", ""), request.query_params.get("cand", "")
    gate = None
    if base and cand:
        try:
            gate = compare_runs(history.load_run(base), history.load_run(cand), load_rules())
        except UsageError as exc:
            raise HTTPException(404, str(exc)) from None
    job = w.jobs.get(request.query_params["job"]) if request.query_params.get("job") else None
    show_all = bool(request.query_params.get("all"))
    rows = [r for r in gate.rows if show_all or r.rule.gate or r.status in ("regressed", "missing")] if gate else []
    return render(request, "evals.html", page="evals", runs=[history_row(r) for r in reversed(runs)], gate=gate,
                  rows=rows, base=base, cand=cand, show_all=show_all, job=job, suites=suites(),
                  tolerance_text=tolerance_text)


async def start_eval(request: Request) -> Response:
    """Start (or join) an eval run of the app's model on a suite; `force` runs it again."""
    w = web(request)
    form = await request.form()
    suite = str(form.get("suite") or "sample")
    if suite not in suites():
        raise HTTPException(400, f"unknown eval suite {suite!r} (known: {', '.join(suites())})")
    job = w.jobs.start("eval", {"model": w.model, "suite": suite}, eval_runner(w.model, suite),
                       force=bool(form.get("force")))
    return RedirectResponse(f"/evals?job={job.id}", 303)


routes = [Route("/evals", evals), Route("/evals/run", start_eval, methods=["POST"])]
