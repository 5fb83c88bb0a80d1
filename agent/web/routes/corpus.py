"""The corpus page (articles, boilerplate, derivatives; ingest by upload or path) and one article in full."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.ingest import DEFAULT_MAX_BYTES
from agent.ingest.readers import SUPPORTED
from agent.web.app import render, web
from agent.web.work import ingest_fingerprint, ingest_runner

MAX_FILES = 200
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def home(request: Request) -> Response:
    """The front page is the corpus."""
    return RedirectResponse("/corpus", 303)


def corpus(request: Request) -> Response:
    """Every stored article with its outlet, date, derivative mark and removed boilerplate; the ingest forms."""
    w = web(request)
    articles = w.store.list_articles()
    labels = {a.id: a.label for a in articles}
    job = w.jobs.get(request.query_params.get("job", "")) if request.query_params.get("job") else None
    return render(request, "corpus.html", page="corpus", articles=articles, labels=labels, job=job,
                  supported=", ".join(sorted(SUPPORTED)), max_file_mb=DEFAULT_MAX_BYTES / 1e6,
                  max_request_mb=w.max_request / 1e6)


def article(request: Request) -> Response:
    """One article with the requested sentence highlighted (`?s=N`); `?partial=1` gives only the fragment."""
    w = web(request)
    try:
        found = w.store.get_article(request.path_params["article_id"])
    except KeyError as exc:
        raise HTTPException(404, f"{exc.args[0]} in this workspace") from None
    raw = request.query_params.get("s", "")
    highlight = int(raw) if raw.isdigit() else None
    original = None
    if found.derivative_of and w.store.has_article(found.derivative_of):
        original = w.store.get_article(found.derivative_of)
    name = "article_fragment.html" if request.query_params.get("partial") else "article.html"
    return render(request, name, page="corpus", article=found, segments=segments(found), highlight=highlight,
                  original=original)


def segments(article) -> list[dict]:
    """The article's text as sentences with the text between them, so the page shows it exactly."""
    out, pos = [], 0
    for s in article.sentences:
        out.append({"gap": article.text[pos:s.start], "index": s.index, "text": article.text[s.start:s.end]})
        pos = s.end
    out.append({"gap": article.text[pos:], "index": None, "text": ""})
    return out


def safe_name(name: str) -> str:
    """An uploaded file's name made safe to store (no folders, no odd characters), its suffix kept."""
    base = SAFE_NAME.sub("_", Path(name or "upload").name).strip("._") or "upload"
    return base[-100:]


async def upload(request: Request) -> Response:
    """Store the uploaded files in the workspace and start (or join) the job that ingests them."""
    w = web(request)
    form = await request.form(max_files=MAX_FILES)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise HTTPException(400, "no file uploaded: choose one or more article files")
    saved = []
    for f in files:
        data = await f.read()
        saved.append(_save_upload(w.home / "uploads", f.filename, data))
    digests = sorted(p.parent.name for p in saved)
    job = w.jobs.start("ingest", {"files": digests}, ingest_runner(w.store, [str(p) for p in saved]))
    return RedirectResponse(f"/corpus?job={job.id}", 303)


def _save_upload(root: Path, filename: str, data: bytes) -> Path:
    """Check one uploaded file and keep it under uploads/<sha256>/ (the same bytes are kept once)."""
    name = safe_name(filename)
    if Path(name).suffix.lower() not in SUPPORTED:
        raise HTTPException(400, f"{name}: unsupported file type (supported: {', '.join(sorted(SUPPORTED))})")
    if len(data) > DEFAULT_MAX_BYTES:
        raise HTTPException(413, f"{name}: {len(data):,} bytes, over the {DEFAULT_MAX_BYTES:,}-byte cap per file")
    if not data.strip():
        raise HTTPException(400, f"{name}: the file is empty")
    folder = root / hashlib.sha256(data).hexdigest()[:32]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.is_file():
        path.write_bytes(data)
    return path


async def ingest_path(request: Request) -> Response:
    """Start (or join) the job that ingests a file or folder on this machine."""
    w = web(request)
    form = await request.form()
    raw = str(form.get("path") or "").strip()
    if not raw:
        raise HTTPException(400, "no path given: type a file or folder on this machine")
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise HTTPException(400, f"{raw}: no such file or folder on this machine")
    inputs = {"paths": [str(path)], "files": ingest_fingerprint([str(path)])}
    job = w.jobs.start("ingest", inputs, ingest_runner(w.store, [str(path)]))
    return RedirectResponse(f"/corpus?job={job.id}", 303)


routes = [
    Route("/", home),
    Route("/corpus", corpus),
    Route("/corpus/upload", upload, methods=["POST"]),
    Route("/corpus/path", ingest_path, methods=["POST"]),
    Route("/articles/{article_id}", article),
]
