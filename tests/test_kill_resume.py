"""kill -9 at any point of ingest or brief: the next run finishes the work, no duplicates, no lost links."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.store import Store

ROOT = Path(__file__).resolve().parents[1]
REPORTS = [
    "The port authority reopened the northern quay on Monday after three weeks of repairs. Twelve ships had waited "
    "offshore during the closure. Dock workers returned to their shifts on Tuesday morning.",
    "A fire destroyed a timber warehouse near the ring road overnight, and nobody was hurt. Firefighters needed six "
    "hours to bring the blaze under control. Police are investigating the cause.",
    "Voters in the mountain district elected a new mayor on Sunday by a narrow margin. Turnout reached 61 percent, "
    "the highest in two decades. The outgoing mayor conceded shortly before midnight.",
    "The national orchestra announced a tour of five Asian cities for next spring. Tickets go on sale in March. "
    "Its conductor said the programme would include two new commissions.",
    "Heavy snow closed the main pass between the two valleys for a second day. Snowploughs worked through the night. "
    "Schools in three villages stayed shut on Thursday.",
    "Researchers at the university reported a faster way to recycle lithium batteries. The method recovers most of "
    "the cobalt, they wrote in a journal paper. A pilot plant is planned for 2026.",
]


def body(n: int) -> str:
    """A short report of its own: no two share enough wording to look like copies."""
    return REPORTS[n]


# Sitecustomize for the child: SIGKILL itself right after its Nth committed transaction (every point between
# two commits is a point where a real kill could land).
KILL_AFTER = """
import os, signal
from contextlib import contextmanager
import agent.store as store
real, count = store.Store.transaction, [0]
@contextmanager
def counted(self):
    with real(self) as cur:
        yield cur
    count[0] += 1
    if count[0] == int(os.environ["NEWSAGENT_TEST_KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
store.Store.transaction = counted
"""


def corpus(folder: Path) -> Path:
    """Six originals and, for three of them, a copy whose file sorts first (its link waits for the original)."""
    folder.mkdir()
    for n in range(6):
        text = body(n)
        (folder / f"b{n}.txt").write_text(f"Outlet: Outlet {n}\nPublished: 2024-05-0{n + 1}\n\n{text}\n")
        if n < 3:
            (folder / f"a{n}-copy.txt").write_text(f"Outlet: Copier {n}\nPublished: 2024-06-01\n\n{text} "
                                                   "Reporting by the wire.\n")
    return folder


def run_killed(cmd: list[str], tmp_path: Path, home: Path, commits: int) -> int:
    """Run CMD in a child that kills itself with SIGKILL after COMMITS commits; its exit code."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(KILL_AFTER)
    env = {**os.environ, "NEWSAGENT_HOME": str(home), "NEWSAGENT_TEST_KILL_AFTER": str(commits),
           "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)])}
    return subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode


def check(home: Path) -> None:
    db = sqlite3.connect(home / "newsagent.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute("SELECT path, derivative_of FROM articles").fetchall()
    paths = [Path(p).name for p, _ in rows]
    assert len(paths) == len(set(paths)) == 9, paths
    copies = {Path(p).name: d for p, d in rows if d}
    assert sorted(copies) == ["a0-copy.txt", "a1-copy.txt", "a2-copy.txt"], copies
    signed = db.execute("SELECT COUNT(*) FROM article_signatures").fetchone()[0]
    assert signed == 9
    db.close()


@pytest.mark.parametrize("commits", [4, 5, 6, 8, 10, 12, 13, 14])
def test_ingest_killed_at_any_point_is_finished_by_the_next_run(tmp_path, commits):
    folder = corpus(tmp_path / "articles")
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "agent", "ingest", str(folder)]
    assert run_killed(cmd, tmp_path, home, commits) == -signal.SIGKILL
    rerun = subprocess.run(cmd, env={**os.environ, "NEWSAGENT_HOME": str(home)}, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    check(home)


@pytest.mark.parametrize("commits", [8, 14, 20, 24])  # of about 29: ingest, claims, each model call's cache and log
def test_brief_killed_at_any_point_is_finished_by_the_next_run(tmp_path, commits):
    folder = corpus(tmp_path / "articles")
    home = tmp_path / "home"
    out = tmp_path / "brief.md"
    cmd = [sys.executable, "-m", "agent", "brief", str(folder), "-m", "fake:", "-o", str(out)]
    assert run_killed(cmd, tmp_path, home, commits) == -signal.SIGKILL
    rerun = subprocess.run(cmd, env={**os.environ, "NEWSAGENT_HOME": str(home)}, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    check(home)
    assert out.read_text().startswith("# ")


def test_two_processes_opening_a_fresh_workspace_migrate_once(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    code = f"from agent.store import Store; Store({str(db)!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(6)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    store = Store(db)
    from agent.store import MIGRATIONS

    assert store.query("PRAGMA user_version")[0][0] == len(MIGRATIONS) and store.integrity_ok()


def test_backup_during_a_write_is_consistent(tmp_path, store):
    from agent.types import Article

    stop = threading.Event()

    def writer() -> None:
        writes = Store(store.path)
        n = 0
        while not stop.is_set():
            writes.save_article(Article(id=f"w{n}", path=f"w{n}.txt", text=body(n % 6) * 20))
            n += 1
        writes.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        store.backup_to(tmp_path / "copy.sqlite3")
    finally:
        stop.set()
        thread.join()
    copy = Store(tmp_path / "copy.sqlite3")
    assert copy.integrity_ok() and copy.query("SELECT COUNT(*) FROM articles")[0][0] > 0
    copy.close()


def test_backup_command_writes_a_checked_copy(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "NEWSAGENT_HOME": str(home)}
    folder = corpus(tmp_path / "articles")
    subprocess.run([sys.executable, "-m", "agent", "ingest", str(folder)], env=env, check=True, capture_output=True)
    run = subprocess.run([sys.executable, "-m", "agent", "backup", str(tmp_path / "b.sqlite3")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "backed up 9 articles" in run.stdout and "integrity check ok" in run.stdout
