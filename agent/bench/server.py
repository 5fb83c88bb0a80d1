"""llama-cpp-python's own OpenAI-compatible server on a GGUF, started and stopped around a measurement."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

ALIAS = "qwen"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(model_path: str, port: int, n_ctx: int, threads: int) -> list[str]:
    """The command line: same context, threads and batch as the embedded model."""
    return [sys.executable, "-m", "llama_cpp.server", "--model", model_path, "--model_alias", ALIAS,
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_batch", "512",
            "--n_threads", str(threads), "--n_threads_batch", str(threads), "--verbose", "false"]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    """Block until the server lists its model (or fail with its log's tail)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f} s")


@contextmanager
def llama_server(model_path: str | Path, n_ctx: int = 8192, threads: int | None = None) -> Iterator[str]:
    """Run `python -m llama_cpp.server` on MODEL_PATH; yields the model string to pass as -m; always stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    log = tempfile.NamedTemporaryFile("w+", prefix="llama-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(server_command(str(model_path), port, n_ctx, threads or os.cpu_count() or 1),
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(url, proc)
        yield f"openai-compatible:{url}#{ALIAS}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class Draft(BaseModel):
    """A small schema for the recorded structured call."""

    who: str
    did: str


RECORD_MESSAGES = [("system", "Name who acted and what they did, copying words from the sentence. Answer JSON with "
                              "the keys who and did."),
                   ("user", "Belarusian President Alexander Lukashenko arrived in Beijing on Tuesday for a "
                            "three-day state visit.")]


def record(model_path: str, out: Path) -> None:
    """Record real exchanges with llama_cpp.server (format probes, a structured call, a cut-off one) into OUT."""
    import httpx

    from agent.bench.fake_endpoint import FakeEndpoint, Script
    from agent.errors import TruncatedOutput
    from agent.llm import open_llm
    from agent.llm.endpoints import PROBE_MESSAGES, PROBE_SCHEMA, PROBE_TOKENS

    with tempfile.TemporaryDirectory() as home, llama_server(model_path) as model:
        os.environ["NEWSAGENT_HOME"] = home  # a fresh workspace: the format is negotiated, not remembered
        with FakeEndpoint(Script(upstream=model.split(":", 1)[1].split("#")[0], owned_by="me")) as proxy:
            llm = open_llm(f"openai-compatible:{proxy.url}#{ALIAS}")
            llm.structured_messages(RECORD_MESSAGES, Draft, purpose="record", max_tokens=60)
            try:
                llm.structured_messages(RECORD_MESSAGES, Draft, purpose="record", max_tokens=3)
            except TruncatedOutput:
                pass
            probe = {"model": ALIAS, "messages": [{"role": r, "content": c} for r, c in PROBE_MESSAGES],
                     "max_tokens": PROBE_TOKENS, "temperature": 0.0}
            schema_format = {"type": "json_schema", "json_schema": {"name": "probe", "schema": PROBE_SCHEMA}}
            for extra in ({}, {"response_format": schema_format}):
                httpx.post(proxy.url + "/chat/completions", json=probe | extra, timeout=300)
            out.write_text(json.dumps({"server": "llama-cpp-python " + _version(), "model": Path(model_path).name,
                                       "exchanges": proxy.script.recorded}, indent=1, ensure_ascii=False))


def _version() -> str:
    import llama_cpp

    return llama_cpp.__version__


def main() -> None:
    """`python -m agent.bench.server MODEL.gguf -- CMD …` runs CMD with $MODEL set to the server's model string;
    `python -m agent.bench.server --record OUT.json MODEL.gguf` records real exchanges for the replay test."""
    args = sys.argv[1:]
    if args[0] == "--record":
        return record(args[2], Path(args[1]))
    split = args.index("--") if "--" in args else len(args)
    with llama_server(args[0]) as model:
        print(f"server up: {model}", file=sys.stderr, flush=True)
        cmd = [a.replace("$MODEL", model) for a in args[split + 1:]]
        code = subprocess.call(cmd, env=os.environ | {"MODEL": model}) if cmd else 0
    sys.exit(code)


if __name__ == "__main__":
    main()
