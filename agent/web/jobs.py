"""Background jobs for the web app: keyed by kind + inputs, run one at a time, state and results kept on disk."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from agent.store import dumps

State = Literal["queued", "running", "done", "failed", "interrupted"]
ACTIVE = ("queued", "running")


class Progress(BaseModel):
    """Where a job is: the stage, how far through it, and a line for people."""

    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""


class Job(BaseModel):
    """One unit of background work and what became of it."""

    id: str
    kind: str
    inputs: dict
    state: State = "queued"
    progress: Progress = Field(default_factory=Progress)
    created: float = Field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict = Field(default_factory=dict)
    error: str | None = None

    @property
    def active(self) -> bool:
        """True while the job is queued or running."""
        return self.state in ACTIVE


def job_id(kind: str, inputs: dict) -> str:
    """The job's key: the same kind with the same inputs is the same job."""
    return hashlib.sha256(dumps({"kind": kind, "inputs": inputs}).encode()).hexdigest()[:16]


class JobContext:
    """What a running job may touch: its own folder for result files, and its progress."""

    def __init__(self, jobs: Jobs, job: Job):
        self._jobs, self._job = jobs, job
        self.dir = jobs.job_dir(job.id)

    def progress(self, stage: str, done: int = 0, total: int = 0, message: str = "") -> None:
        """Record how far the job is (written to disk, so a reloaded page sees it)."""
        self._job.progress = Progress(stage=stage, done=done, total=total, message=message)
        self._jobs.save(self._job)


Runner = Callable[[JobContext], dict]


class Jobs:
    """Start, deduplicate, run and remember jobs; one worker, because the model has one CPU to share."""

    def __init__(self, root: Path, workers: int = 1):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._live: dict[str, Future] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsagent-job")

    def job_dir(self, jid: str) -> Path:
        """The folder of one job: job.json and its result files."""
        return self.root / jid

    def save(self, job: Job) -> None:
        """Write a job's state atomically."""
        with self._lock:
            folder = self.job_dir(job.id)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / "job.json.tmp"
            tmp.write_text(job.model_dump_json(indent=1), encoding="utf-8")
            tmp.replace(folder / "job.json")

    def get(self, jid: str) -> Job | None:
        """A job by id; one that was active when an earlier server stopped reads as interrupted."""
        path = self.job_dir(jid) / "job.json"
        if not jid.isalnum() or not path.is_file():
            return None
        try:
            job = Job.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, ValidationError):
            return None
        with self._lock:
            if job.active and jid not in self._live:
                job.state, job.error = "interrupted", "the server stopped before this job finished"
        return job

    def find(self, kind: str, inputs: dict) -> Job | None:
        """The job with this kind and these inputs, if one was ever started."""
        return self.get(job_id(kind, inputs))

    def start(self, kind: str, inputs: dict, run: Runner, *, force: bool = False) -> Job:
        """The job for (kind, inputs): the running or finished one if there is one, else a new run of RUN."""
        jid = job_id(kind, inputs)
        with self._lock:
            job = self.get(jid)
            if job is not None and (job.active or (job.state == "done" and not force)):
                return job
            job = Job(id=jid, kind=kind, inputs=inputs)
            self.save(job)
            self._live[jid] = self._pool.submit(self._run, job, run)
            return job

    def _run(self, job: Job, run: Runner) -> None:
        """Run one job, recording its result or its error."""
        job.state, job.started = "running", time.time()
        self.save(job)
        try:
            job.result = run(JobContext(self, job)) or {}
            job.state = "done"
        except Exception as exc:  # a failed job reports why; the server goes on
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            (self.job_dir(job.id) / "traceback.txt").write_text(traceback.format_exc(), encoding="utf-8")
        job.finished = time.time()
        with self._lock:
            self.save(job)
            self._live.pop(job.id, None)

    def wait(self, jid: str, timeout: float | None = None) -> Job | None:
        """Block until a job of this process finishes (for tests and the CLI), then return it."""
        future = self._live.get(jid)
        if future is not None:
            future.result(timeout=timeout)
        return self.get(jid)

    def recent(self, limit: int = 20) -> list[Job]:
        """The newest jobs, newest first."""
        folders = sorted(self.root.glob("*/job.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return [j for p in folders[:limit] if (j := self.get(p.parent.name)) is not None]

    def shutdown(self) -> None:
        """Stop taking work; queued jobs are dropped (they read as interrupted next time)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
