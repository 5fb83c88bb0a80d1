"""Remote faults against a local fault-injecting OpenAI-compatible endpoint: attempts counted, runs go on."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel

from agent.bench.fake_endpoint import PLAIN, FakeEndpoint, Script
from agent.errors import ModelOutputError, ModelUnavailable, RemoteCallFailed, StructuredOutputError, TruncatedOutput
from agent.llm import endpoints, open_llm
from agent.llm.endpoints import PROBE_TOKENS

pytestmark = pytest.mark.allow_loopback
MSGS = [("system", "Decide."), ("user", "Is water wet?")]


class Verdict(BaseModel):
    label: Literal["yes", "no"]
    reason: str


@pytest.fixture(autouse=True)
def fresh_endpoints(monkeypatch):
    """Each test negotiates from scratch; the SDK waits the Retry-After the fake sends, not seconds."""
    monkeypatch.setattr(endpoints, "_KNOWN", {})
    monkeypatch.setenv("NEWSAGENT_REMOTE_TIMEOUT", "5")


def remote(ep: FakeEndpoint, store=None, **kw):
    return open_llm(f"openai-compatible:{ep.url}#fake", store=store, **kw)


def calls(ep: FakeEndpoint) -> list[str]:
    """The faults of the chat calls the endpoint saw (the format probe excluded)."""
    return [a["fault"] for a in ep.script.attempts if a["body"]["max_tokens"] != PROBE_TOKENS]


def serve(*faults: str, **kw) -> FakeEndpoint:
    return FakeEndpoint(Script(faults=list(faults), retry_after="0.01", **kw), hang_seconds=1.0)


def test_429_with_retry_after_is_retried_by_the_sdk_then_fails_that_call_only(store):
    with serve("ok", "429", "429", "429") as ep:  # "ok" answers the format probe
        llm = remote(ep, store)
        with pytest.raises(RemoteCallFailed) as info:
            llm.structured_messages(MSGS, Verdict, purpose="t")
        assert calls(ep) == ["429", "429", "429"]  # the SDK's 2 retries, no layer of ours on top
    msg = str(info.value)
    assert "\n" not in msg and "HTTP 429" in msg and "Retry-After 0.01" in msg and "redone on the next run" in msg
    assert isinstance(info.value, ModelOutputError)
    assert store.recent_calls()[0]["status"] == "error:RemoteCallFailed"
    assert llm.usage.failures == 1


def test_500_twice_then_ok_is_one_answer_after_three_attempts(store):
    with serve("ok", "500", "500") as ep:
        llm = remote(ep, store)
        assert llm.structured_messages(MSGS, Verdict, purpose="t").label == "yes"
        assert calls(ep) == ["500", "500", "ok"]


@pytest.mark.parametrize("fault,words", [("500", "HTTP 500"), ("reset", "connection dropped"),
                                         ("timeout", "timeout"), ("badjson", "not valid JSON")])
def test_each_fault_after_retries_is_one_line_and_never_cached(store, monkeypatch, fault, words):
    if fault == "timeout":
        monkeypatch.setenv("NEWSAGENT_REMOTE_TIMEOUT", "0.3")
    with serve("ok", *[fault] * 3) as ep:
        llm = remote(ep, store)
        with pytest.raises(RemoteCallFailed, match=words) as info:
            llm.structured_messages(MSGS, Verdict, purpose="t")
        assert "\n" not in str(info.value)
        assert 1 <= len(calls(ep)) <= 3
        ep.script.faults.clear()
        assert llm.structured_messages(MSGS, Verdict, purpose="t").label == "yes"  # not a cached failure
    assert llm.usage.cache_hits == 0


def test_invalid_json_is_reasked_then_a_structured_output_error(store):
    with serve("ok", "invalid", "invalid", "invalid") as ep:
        with pytest.raises(StructuredOutputError):
            remote(ep, store).structured_messages(MSGS, Verdict, purpose="t")
        assert calls(ep) == ["invalid"] * 3  # two re-asks with the error shown, then give up
        assert "not valid" in ep.script.attempts[-1]["body"]["messages"][-1]["content"]


def test_finish_reason_length_is_truncated_output_and_never_reasked(store):
    with serve("ok", "length") as ep:
        with pytest.raises(TruncatedOutput):
            remote(ep, store).structured_messages(MSGS, Verdict, purpose="t", max_tokens=5)
        assert calls(ep) == ["length"]
        assert ep.script.attempts[-1]["body"]["max_tokens"] == 5  # the hard cap reaches the server


def test_endpoint_down_or_key_refused_is_model_unavailable_with_a_fix():
    with serve() as ep:
        url = ep.url
    with pytest.raises(ModelUnavailable, match="is the server running"):
        open_llm(f"openai-compatible:{url}#fake").structured_messages(MSGS, Verdict, purpose="t")


def test_a_stream_cut_midway_ends_the_draft_and_is_not_cached(store):
    with serve("cut", "ok") as ep:
        llm = remote(ep, store)
        text = "".join(llm.stream_text([("user", "Tell me.")], purpose="chat"))
        assert PLAIN.startswith(text) and len(text) < len(PLAIN)
        assert store.recent_calls()[0]["status"] == "error:RemoteCallFailed"
        assert "".join(llm.stream_text([("user", "Tell me.")], purpose="chat")) == PLAIN
    assert llm.usage.cache_hits == 0


def test_chat_survives_a_connection_dropped_midstream(store):
    from rich.console import Console

    from agent.ingest import ingest_paths
    from agent.qa.chat import Session, ask_once
    from agent.resources import evals_dir

    ingest_paths([str(evals_dir() / "cases" / "lukashenko-china-2023" / "articles")], store)
    with FakeEndpoint(Script(stream_faults=["cut"])) as ep:
        llm = remote(ep, store)
        console = Console(record=True, width=120)
        result = ask_once("Would Lukashenko send troops into Ukraine?", store, llm, Session(), console)
    assert result.question == "Would Lukashenko send troops into Ukraine?"
    assert [a["fault"] for a in ep.script.attempts if a["body"].get("stream")] == ["cut"]
    assert len(ep.script.attempts) >= 2  # the draft was cut; the checked answer came from a constrained call


def test_a_failed_chunk_is_skipped_the_rest_stored_and_only_it_redone(store):
    from agent.analysis.extract import extract_claims
    from agent.ingest import ingest_paths
    from agent.resources import evals_dir

    ingest_paths([str(evals_dir() / "cases" / "lukashenko-china-2023" / "articles")], store)
    articles = store.list_articles()[:3]
    with serve("ok", "500", "500", "500") as ep:
        llm = remote(ep, store, concurrency=1)
        _, first = extract_claims(articles, llm, concurrency=1)
        assert len(first.failed_chunks) == 1 and "HTTP 500" in first.failed_chunks[0]
        assert first.calls >= 2
        again = remote(ep, store, concurrency=1)
        _, second = extract_claims(articles, again, concurrency=1)
    assert second.failed_chunks == []
    assert (second.calls, second.cache_hits) == (1, first.calls - 2)  # first: the format probe, 1 failed, the rest


def test_llama_cpp_python_server_gets_json_object_with_schema_and_it_is_remembered(store):
    with FakeEndpoint(Script(formats=("json_object",), owned_by="me")) as ep:
        llm = remote(ep, store)
        assert llm.structured_messages(MSGS, Verdict, purpose="t").label == "yes"
        fmt = ep.script.attempts[-1]["body"]["response_format"]
        assert fmt["type"] == "json_object" and fmt["schema"]["properties"]["label"]["enum"] == ["yes", "no"]
        assert ep.script.attempts[-1]["body"]["repeat_penalty"] == 1.0  # the embedded model's sampling
        endpoints._KNOWN.clear()  # a new process: the style comes from the workspace, no second probe
        seen = len(ep.script.attempts)
        assert remote(ep, store).structured_messages([("user", "again")], Verdict, purpose="t").label == "yes"
        assert len(ep.script.attempts) == seen + 1
    assert endpoints._load()[f"{ep.url}#fake"]["style"] == "json_object"


def test_json_schema_server_gets_json_schema_after_rejecting_json_object():
    with FakeEndpoint(Script(formats=("json_schema",), owned_by="vllm")) as ep:
        assert remote(ep).structured_messages(MSGS, Verdict, purpose="t").label == "yes"
        assert ep.script.attempts[-1]["body"]["response_format"]["type"] == "json_schema"
        assert "repeat_penalty" not in ep.script.attempts[-1]["body"]


def test_a_probe_lost_to_a_server_error_is_not_remembered_as_unconstrained():
    with serve("500", "500", "500", "length") as ep:  # json_schema probe: 500 after retries; json_object: cut off
        with pytest.raises(StructuredOutputError):
            remote(ep).structured_messages(MSGS, Verdict, purpose="t")
        assert f"{ep.url}#fake" not in endpoints._load()
        endpoints._KNOWN.clear()  # the next run probes again, and now the server answers
        assert remote(ep).structured_messages(MSGS, Verdict, purpose="t").label == "yes"
        assert endpoints._load()[f"{ep.url}#fake"]["style"] == "json_schema"


def test_a_server_that_ignores_every_format_is_marked_unconstrained(capsys):
    with FakeEndpoint(Script(ignore_formats=True)) as ep:
        llm = remote(ep)
        with pytest.raises(StructuredOutputError):
            llm.structured_messages(MSGS, Verdict, purpose="t")
        assert llm.endpoint.style == "none"
        assert "response_format" not in ep.script.attempts[-1]["body"]
    assert "applies no JSON schema" in capsys.readouterr().err


def test_structured_batch_runs_concurrently_and_isolates_failures(store):
    from agent.prompts import parse_prompt

    prompt = parse_prompt("t", "---\nvariables: [q]\n---\n<<<system>>>\nDecide.\n<<<user>>>\n{{q}}\n")
    with serve(latency=0.2) as ep:
        llm = remote(ep, store, concurrency=8)
        ep.script.poison = "question 3"  # that call fails on every attempt, the others go through
        results = llm.structured_batch([(prompt, {"q": f"question {i}"}) for i in range(8)], Verdict, purpose="t")
        assert ep.script.peak >= 4
    assert isinstance(results[3], RemoteCallFailed) and "HTTP 500" in str(results[3])
    assert all(isinstance(r, Verdict) for i, r in enumerate(results) if i != 3)
    assert sum(a["fault"] == "500" for a in ep.script.attempts) == 3  # the SDK's attempts, no layer of ours
