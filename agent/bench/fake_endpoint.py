"""A local OpenAI-compatible endpoint with fixed latency, 429 back-pressure and scripted faults (benchmarks, tests)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLAIN = "hello, this is a plain answer"
FAULTS = ("429", "500", "reset", "timeout", "cut", "badjson", "invalid", "length", "ok")


def instance(schema: dict, defs: dict | None = None) -> object:
    """The smallest value a JSON schema accepts (what a constrained model might write)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return instance(defs[schema["$ref"].split("/")[-1]], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return instance(schema["anyOf"][0], defs)
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: instance(props[k], defs) for k in schema.get("required", list(props))}
    return {"string": "x", "integer": 0, "number": 0, "boolean": False, "array": [], "null": None}.get(kind, "x")


@dataclass
class Script:
    """What the endpoint does: latency, capacity, faults for the next requests, formats it takes, what it saw."""

    latency: float = 0.0
    max_inflight: int = 0  # above this, 429 with Retry-After (0: unlimited)
    retry_after: str = "0.05"
    faults: list[str] = field(default_factory=list)
    stream_faults: list[str] = field(default_factory=list)  # taken by streamed requests only
    poison: str = ""  # every request whose messages contain this text gets a 500
    formats: tuple[str, ...] = ("json_schema", "json_object")  # others are rejected like llama-cpp-python does
    ignore_formats: bool = False  # accept any response_format but apply none (an unconstrained server)
    owned_by: str = "fake"
    upstream: str | None = None  # relay every call to this base URL and record the exchange
    replay: dict[str, dict] | None = None  # answer from recorded exchanges, by request body
    recorded: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    inflight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self, stream: bool = False) -> str:
        with self.lock:
            queue = self.stream_faults if stream and self.stream_faults else self.faults
            return queue.pop(0) if queue else "ok"


def answer_text(body: dict, script: Script) -> str:
    """The fake model's answer: an instance of the requested schema when constrained, else a plain word."""
    fmt = body.get("response_format") or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    if script.ignore_formats or not schema:
        return PLAIN
    return json.dumps(instance(schema))


class Handler(BaseHTTPRequestHandler):
    """Routes /models and /chat/completions; faults come from the server's script."""

    protocol_version = "HTTP/1.1"
    server: "FakeEndpoint"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model",
                                                         "owned_by": self.server.script.owned_by}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        script = self.server.script
        if script.upstream or script.replay is not None:
            return self._relay(body, script)
        with script.lock:
            script.inflight += 1
            script.peak = max(script.peak, script.inflight)
            busy = script.max_inflight and script.inflight > script.max_inflight
        try:
            poisoned = script.poison and script.poison in json.dumps(body.get("messages", []))
            fault = "429" if busy else "500" if poisoned else script.next_fault(bool(body.get("stream")))
            with script.lock:
                script.attempts.append({"fault": fault, "body": body})
            self._respond(body, fault, script)
        finally:
            with script.lock:
                script.inflight -= 1

    def _respond(self, body: dict, fault: str, script: Script) -> None:
        fmt = (body.get("response_format") or {}).get("type")
        if fault == "429":
            return self._json(429, {"error": {"message": "too many requests"}}, {"Retry-After": script.retry_after})
        if fault == "500":
            return self._json(500, {"error": {"message": "internal error"}})
        if fault == "reset":
            return self._reset()
        if fault == "timeout":
            time.sleep(self.server.hang_seconds)
            return self._reset()
        if fmt and fmt != "text" and fmt not in script.formats and not script.ignore_formats:
            return self._json(422, {"error": {"message": f"response_format.type: Input should be 'text' or "
                                              f"{' or '.join(script.formats)}, input {fmt}"}})
        time.sleep(script.latency)
        text = {"invalid": '{"label": "maybe", "reason"', "length": '{"label": "ye'}.get(fault) or answer_text(
            body, script)
        finish = "length" if fault == "length" else "stop"
        if body.get("stream"):
            return self._stream(text, finish, cut=fault == "cut")
        if fault == "badjson":
            return self._raw(200, b"<html>proxy error</html>", "application/json")
        self._json(200, completion(text, finish, body))

    def _relay(self, body: dict, script: Script) -> None:
        """Answer from the recording, or forward to the real server and record what it said."""
        if script.replay is not None:
            hit = script.replay.get(body_key(body))
            if hit is None:
                return self._json(500, {"error": {"message": "no recorded exchange for this request"}})
            return self._json(hit["status"], hit["response"])
        import httpx

        reply = httpx.post(script.upstream.rstrip("/") + "/chat/completions", json=body, timeout=900)
        exchange = {"request": body, "status": reply.status_code, "response": reply.json()}
        with script.lock:
            script.recorded.append(exchange)
        self._json(reply.status_code, exchange["response"])

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(self, status: int, data: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Drop the connection without an answer (RST, not a polite close)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()
        self.close_connection = True

    def _stream(self, text: str, finish: str, cut: bool) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        words = text.split(" ")
        pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        for n, piece in enumerate(pieces):
            if cut and n == max(1, len(pieces) // 2):
                return self._reset()
            self._chunk(chunk_event(piece, None))
        self._chunk(chunk_event("", finish, usage={"prompt_tokens": 10, "completion_tokens": len(pieces),
                                                   "total_tokens": 10 + len(pieces)}))
        self._chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, event: str) -> None:
        data = event.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def body_key(body: dict) -> str:
    """A request's identity for replay: its canonical JSON."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def completion(text: str, finish: str, body: dict) -> dict:
    """A chat.completion object."""
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    out = max(1, len(text.split()))
    return {"id": "fake-1", "object": "chat.completion", "created": 0, "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out}}


def chunk_event(piece: str, finish: str | None, usage: dict | None = None) -> str:
    """One server-sent event of a streamed chat.completion.chunk."""
    payload = {"id": "fake-1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
               "choices": [{"index": 0, "delta": {"content": piece} if piece else {}, "finish_reason": finish}]}
    if usage:
        payload["usage"] = usage
    return f"data: {json.dumps(payload)}\n\n"


class FakeEndpoint(ThreadingHTTPServer):
    """`with FakeEndpoint(Script(...)) as ep:` serves on 127.0.0.1 at `ep.url` (…/v1) in a daemon thread."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, script: Script | None = None, hang_seconds: float = 2.0):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script, self.hang_seconds = script or Script(), hang_seconds
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> "FakeEndpoint":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
