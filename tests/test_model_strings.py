"""Model strings resolve in one place, with helpful errors."""

from __future__ import annotations

import pytest

from agent.errors import ModelUnavailable, UnknownModel
from agent.llm import get_chat_model, resolve_model


def test_default_is_the_embedded_model(monkeypatch):
    assert resolve_model(None).name == "local:qwen2.5-coder-1.5b"
    monkeypatch.setenv("NEWSAGENT_MODEL", "local:qwen2.5-coder-0.5b")
    assert resolve_model(None).spec.name == "qwen2.5-coder-0.5b"


def test_unknown_names_list_what_is_known_and_suggest_a_fix():
    with pytest.raises(UnknownModel) as info:
        resolve_model("local:qwen2.5-coder-1.5")
    assert "local:qwen2.5-coder-1.5b" in str(info.value)
    with pytest.raises(UnknownModel, match="provider:name|did you mean"):
        resolve_model("gpt-4")
    with pytest.raises(UnknownModel, match="openai-compatible:http"):
        resolve_model("openai-compatible:localhost:8000")


def test_remote_strings():
    ref = resolve_model("openai-compatible:http://host:8000/v1#qwen")
    assert (ref.provider, ref.base_url, ref.model) == ("openai-compatible", "http://host:8000/v1", "qwen")
    assert resolve_model("openai:gpt-4.1-mini").model == "gpt-4.1-mini"
    assert ref.cache_id != resolve_model("openai-compatible:http://other:8000/v1#qwen").cache_id


def test_openai_without_a_key_says_what_to_set():
    with pytest.raises(ModelUnavailable, match="OPENAI_API_KEY"):
        get_chat_model("openai:gpt-4.1-mini")


def test_user_gguf_must_exist_and_have_the_magic(tmp_path):
    with pytest.raises(ModelUnavailable, match="no such model file"):
        get_chat_model(f"local:{tmp_path}/missing.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"NOPE" + b"\0" * 100)
    with pytest.raises(ModelUnavailable, match="not a GGUF"):
        get_chat_model(f"local:{bad}")
