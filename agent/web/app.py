"""The ASGI app: one workspace, one model, server-rendered pages, background jobs, strict security headers."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from agent import __version__, config
from agent.store import Store
from agent.web.jobs import Jobs
from agent.web.security import BodyLimit, SameOriginWrites, SecurityHeaders, is_loopback

HERE = Path(__file__).parent
BRIEF_CSS = HERE.parent / "brief" / "style.css"  # the brief's look, shared with the standalone HTML brief
MAX_REQUEST_BYTES = 20_000_000  # one upload request, all files together
LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1", "[::1]"]
NAV = [("corpus", "/corpus", "Corpus"), ("brief", "/brief", "Brief"), ("compare", "/compare", "Comparison"),
       ("chat", "/chat", "Chat"), ("evals", "/evals", "Evals")]


@dataclass
class Web:
    """What every route needs: the workspace store, the model, the jobs and the templates."""

    store: Store
    model: str
    jobs: Jobs
    templates: Jinja2Templates
    home: Path
    max_request: int


def web(request: Request) -> Web:
    """The app's shared state, from inside a route."""
    return request.app.state.web


def render(request: Request, name: str, status: int = 200, **context) -> Response:
    """A page from a template (autoescaped), with the navigation and the model in its context."""
    w = web(request)
    base = {"nav": NAV, "model": w.model, "home": str(w.home), "version": __version__}
    return w.templates.TemplateResponse(request, name, base | context, status_code=status)


def templates() -> Jinja2Templates:
    """The page templates; every value is HTML-escaped unless a template says otherwise (none does for text)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


async def http_error(request: Request, exc: Exception) -> Response:
    """Errors as a page that says what went wrong (404 unknown article, 400 bad upload...)."""
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", None) or "something went wrong"
    if request.headers.get("accept", "").startswith("application/json"):
        from starlette.responses import JSONResponse

        return JSONResponse({"error": detail}, status_code=status)
    return render(request, "error.html", status=status, status_code=status, detail=detail)


def brief_css(request: Request) -> Response:
    """The brief stylesheet, the same file the standalone HTML brief inlines."""
    return FileResponse(BRIEF_CSS, media_type="text/css")


def all_routes() -> list:
    """Every route of every page."""
    from agent.web.routes import brief, chat, compare, corpus, evals, jobs

    pages = [r for module in (corpus, brief, compare, chat, evals, jobs) for r in module.routes]
    return pages + [Route("/static/brief.css", brief_css),
                    Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]


def create_app(home: str | Path | None = None, model: str | None = None, host: str = "127.0.0.1",
               max_request: int = MAX_REQUEST_BYTES, allowed_hosts: list[str] | None = None) -> Starlette:
    """The web app over one workspace (HOME, else the usual default) with one model."""
    from agent.llm import resolve_model

    if home is not None:
        config.set_home(home)
    home_dir = config.home_dir()
    state = Web(store=Store(config.db_path()), model=resolve_model(model or config.default_model_name()).name,
                jobs=Jobs(home_dir / "web-jobs"), templates=templates(), home=home_dir, max_request=max_request)
    hosts = allowed_hosts or (LOOPBACK_NAMES + [host] if is_loopback(host) else ["*"])

    @asynccontextmanager
    async def lifespan(app):
        yield
        state.jobs.shutdown()

    middleware = [Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                  Middleware(SameOriginWrites), Middleware(BodyLimit, max_bytes=max_request)]
    app = Starlette(routes=all_routes(), middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error})
    app.state.web = state
    return app
