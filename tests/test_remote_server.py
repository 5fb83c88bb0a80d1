"""The remote path against real llama_cpp.server answers, replayed offline from tests/data (recorded with
`python -m agent.bench.server --record tests/data/llama_cpp_server.json MODEL.gguf`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.bench.fake_endpoint import FakeEndpoint, Script, body_key
from agent.bench.server import RECORD_MESSAGES, Draft
from agent.errors import TruncatedOutput
from agent.llm import endpoints, open_llm
from agent.llm.endpoints import PROBE_VALUE, obeys_probe

pytestmark = pytest.mark.allow_loopback
RECORDING = json.loads((Path(__file__).parent / "data" / "llama_cpp_server.json").read_text(encoding="utf-8"))
EXCHANGES = RECORDING["exchanges"]


def _probes() -> dict[str, dict]:
    """The recorded probe exchanges by the response_format type they sent ('none' for no format)."""
    return {(e["request"].get("response_format") or {}).get("type", "none"): e for e in EXCHANGES
            if e["request"]["messages"][-1]["content"] == "Say hello."}


def _content(exchange: dict) -> str:
    return exchange["response"]["choices"][0]["message"]["content"]


def test_the_real_server_applies_json_object_with_schema_and_rejects_json_schema():
    probes = _probes()
    assert obeys_probe(_content(probes["json_object"]))  # constrained: the one value the schema allows
    assert PROBE_VALUE not in _content(probes["none"]) and not obeys_probe(_content(probes["none"]))
    assert probes["json_schema"]["status"] >= 400  # why a naive OpenAI-style call fails there
    assert "response_format" in json.dumps(probes["json_schema"]["response"])


def test_the_remote_path_replayed_negotiates_json_object_and_parses_real_answers(store, monkeypatch):
    monkeypatch.setattr(endpoints, "_KNOWN", {})
    replay = {body_key(e["request"]): e for e in EXCHANGES}
    with FakeEndpoint(Script(replay=replay, owned_by="me")) as ep:
        llm = open_llm(f"openai-compatible:{ep.url}#qwen", store=store)
        draft = llm.structured_messages(RECORD_MESSAGES, Draft, purpose="record", max_tokens=60)
        with pytest.raises(TruncatedOutput):
            llm.structured_messages(RECORD_MESSAGES, Draft, purpose="record", max_tokens=3)
    assert llm.endpoint.style == "json_object"
    assert "Lukashenko" in draft.who and draft.did
    assert llm.usage.prompt_tokens > 50  # the server's own usage figures reached the call log
    assert store.recent_calls()[0]["status"] == "error:TruncatedOutput"
