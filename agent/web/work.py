"""What the page's long jobs do: ingest, analyse + brief, eval; each calls the pipeline and stores its result."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agent.web.jobs import Job, JobContext, Jobs

BRIEF_FILES = {"md": "brief.md", "json": "brief.json", "html": "brief.html"}
ANALYSIS_FILE = "analysis.json"


def brief_templates() -> list[str]:
    """The prompt files that define a brief template (they declare their sections)."""
    from agent.prompts import available_prompts, load_prompt

    return [n for n in available_prompts() if load_prompt(n).meta.get("sections")]


def corpus_key(article_ids: list[str]) -> str:
    """A short fingerprint of a set of articles (ids are content hashes, so this names the corpus)."""
    return hashlib.sha256(",".join(sorted(article_ids)).encode()).hexdigest()[:16]


def write_json(path: Path, data: object) -> None:
    """Write JSON atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path) -> dict | None:
    """A stored JSON result, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- ingest ---------------------------------------------------------------------------------------------
def ingest_runner(store, paths: list[str]):
    """A job that ingests PATHS into STORE and reports what was added, already there, or failed."""
    def run(ctx: JobContext) -> dict:
        from agent.ingest import expand_paths, ingest_paths

        files, _ = expand_paths(paths)
        ctx.progress("ingest", 0, len(files), f"reading and cleaning {len(files)} file(s)")
        report = ingest_paths(paths, store)
        ctx.progress("ingest", len(files), len(files), "stored")
        return {"added": [_article_line(a) for a in report.added],
                "existing": [_article_line(a) for a in report.existing],
                "failed": [{"path": Path(e.path).name, "reason": e.reason} for e in report.failed],
                "seconds": {k: round(v, 2) for k, v in report.seconds.items()}}
    return run


def _article_line(article) -> dict:
    return {"id": article.id, "outlet": article.label, "title": article.title or ""}


def ingest_fingerprint(paths: list[str]) -> list[list]:
    """What an ingest's inputs are: each file found with its size and modification time."""
    from agent.ingest import expand_paths

    files, failed = expand_paths(paths)
    found = [[str(f), f.stat().st_size, int(f.stat().st_mtime)] for f in files]
    return found + [[e.path, "missing"] for e in failed]


# --- analysis and brief ------------------------------------------------------------------------------
def brief_runner(store, model: str, template: str, article_ids: list[str]):
    """A job that analyses the articles, writes the brief in every format, and keeps the comparison."""
    def run(ctx: JobContext) -> dict:
        from agent.analysis.compare import comparison_json
        from agent.analysis.run import analyse
        from agent.brief.compose import make_brief
        from agent.brief.render import RENDERERS
        from agent.llm import open_llm

        llm = open_llm(model, store=store)
        analysis = analyse(store, llm, article_ids, per_article=0,  # the brief and the matrix stand on sentences
                           progress=lambda stage, d, n: ctx.progress(stage, d, n))
        ctx.progress("brief", 0, 1, f"writing the {template} brief")
        brief = make_brief(analysis, llm, template=template)
        for fmt, name in BRIEF_FILES.items():
            (ctx.dir / name).write_text(RENDERERS[fmt](brief), encoding="utf-8")
        write_json(ctx.dir / ANALYSIS_FILE, {
            "comparison": comparison_json(analysis.comparison),
            "articles": [{"id": a.id, "label": a.label, "derivative_of": a.derivative_of}
                         for a in analysis.articles]})
        ctx.progress("brief", 1, 1, "done")
        return {"title": brief.title, "run": brief.run.model_dump()}
    return run


def brief_inputs(model: str, template: str, article_ids: list[str]) -> dict:
    """The key of a brief job: model, template and the exact set of articles."""
    return {"model": model, "template": template, "corpus": corpus_key(article_ids), "articles": len(article_ids)}


def latest_analysis(jobs: Jobs, model: str, article_ids: list[str]) -> tuple[Job, dict] | None:
    """The stored comparison of these articles with this model, from any finished brief job."""
    for template in brief_templates():
        job = jobs.find("brief", brief_inputs(model, template, article_ids))
        if job is not None and job.state == "done":
            data = read_json(jobs.job_dir(job.id) / ANALYSIS_FILE)
            if data is not None:
                return job, data
    return None


# --- evals ------------------------------------------------------------------------------------------
def eval_runner(model: str, suite: str):
    """A job that runs an eval suite through the pipeline and stores the run where `eval history` finds it."""
    def run(ctx: JobContext) -> dict:
        from agent.evals import history
        from agent.evals.cases import load_suite
        from agent.evals.live import pipeline_predictor
        from agent.evals.runner import run_cases

        cases = load_suite(suite)
        done = [0]
        ctx.progress("cases", 0, len(cases), f"{len(cases)} case(s) of suite {suite}")

        def case_done(name, result) -> None:
            done[0] += 1
            ctx.progress("cases", done[0], len(cases), f"{name}: quality {result.quality():.2f}")

        predict = pipeline_predictor(model, progress=lambda stage, d, n: ctx.progress(
            "cases", done[0], len(cases), f"case {done[0] + 1}: {stage} {d}/{n}"))
        result = run_cases(cases, predict, model=model, suite=suite, progress=case_done)
        history.save_run(result)
        return {"run_id": result.run_id}
    return run
