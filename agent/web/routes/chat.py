"""The chat page: past turns of a session, and answers streamed over server-sent events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from agent.qa.chat import SESSION_ID, Session
from agent.web import views
from agent.web.app import Web, render, web
from agent.web.routes.brief import article_ids
from agent.web.work import latest_analysis

MAX_QUESTION = 500


def _session(request: Request, raw: str) -> Session:
    if not SESSION_ID.match(raw):
        raise HTTPException(400, "bad session id: letters, digits, '.', '_' and '-' only")
    return Session(raw)


def chat(request: Request) -> Response:
    """A chat session's page (a new session when none is named)."""
    raw = request.query_params.get("session", "")
    if not raw:
        return RedirectResponse(f"/chat?session={uuid.uuid4().hex[:12]}", 303)
    session = _session(request, raw)
    return render(request, "chat.html", page="chat", session=session.id,
                  turns=[views.turn_view(t) for t in session.turns], articles=len(article_ids(web(request))))


def sse(event: str, data: str) -> str:
    """One server-sent event (each line of DATA on its own `data:` line)."""
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


def comparison_for(w: Web, question: str):
    """The comparison, only when a stored one shows the cache is warm (a chat turn never waits for a cold one):
    loaded now for a question about how outlets differ, else "auto" (loaded when the answer rests on a fact the
    outlets tell differently, so a superseded version is never told as current)."""
    from agent.qa.answer import AUTO, COMPARATIVE
    from agent.qa.comparative import load_comparison

    if latest_analysis(w.jobs, w.model, article_ids(w)) is None:
        return None
    if not COMPARATIVE.search(question):
        return AUTO
    from agent.llm import open_llm

    return load_comparison(w.store, open_llm(w.model, store=w.store))


def answer_events(request: Request, w: Web, session: Session, question: str) -> Iterator[str]:
    """The answer as events: `piece` (draft text), then `answer` (the checked answer as HTML), then `done`."""
    from agent.llm import open_llm
    from agent.qa.answer import Answer, stream_answer

    try:
        llm = open_llm(w.model, store=w.store)
        result = None
        for piece in stream_answer(question, w.store, llm, session.turns, comparison=comparison_for(w, question)):
            if isinstance(piece, Answer):
                result = piece
            else:
                yield sse("piece", piece)
        session.add(result)
        template = w.templates.get_template("answer.html")
        yield sse("answer", template.render(answer=views.answer_view(result)))
    except Exception as exc:  # the page says what failed instead of hanging
        yield sse("failed", f"{type(exc).__name__}: {exc}")
    yield sse("done", json.dumps({"session": session.id}))


def stream(request: Request) -> Response:
    """Answer one question as a stream of server-sent events."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(403, "cross-site request refused")
    w = web(request)
    session = _session(request, request.query_params.get("session", ""))
    question = request.query_params.get("q", "").strip()
    if not question or len(question) > MAX_QUESTION:
        raise HTTPException(400, f"ask a question of 1 to {MAX_QUESTION} characters")
    if not article_ids(w):
        raise HTTPException(400, "no articles stored yet: ingest some on the Corpus page first")
    return StreamingResponse(answer_events(request, w, session, question), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


routes = [Route("/chat", chat), Route("/chat/stream", stream)]
