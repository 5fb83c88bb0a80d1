"""Browser tests: Debian's headless Chromium driven by Playwright against `newsagent serve` on localhost."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = os.environ.get("NEWSAGENT_CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download cannot work here: Debian's chromium, with nothing that phones home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]


def _missing() -> str:
    """Why the browser tests cannot run here ("" when they can)."""
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return ""


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; skipped when it is missing, except under CI=true, where that fails."""
    why = _missing()
    if why and os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {why}")
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Poll URL until the server answers (fail with its output if it exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"newsagent serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"newsagent serve did not answer on {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """`newsagent serve` with the fake model and an empty workspace, on a free localhost port."""
    folder, port = tmp_path_factory.mktemp("serve"), free_port()
    home, log = folder / "home", folder / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSAGENT_HOME", "NEWSAGENT_MODEL")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "agent", "serve", "--home", str(home), "--port", str(port),
                             "-m", "fake:"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/corpus", proc, log)
        yield SimpleNamespace(url=base, log=log, home=home)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> Path:
    """Where the screenshots go (test artefacts; the README's is copied to docs/ on request)."""
    return tmp_path_factory.mktemp("screenshots")


def keep_for_docs(shot: Path, name: str) -> None:
    """Copy a screenshot into docs/ when NEWSAGENT_UPDATE_SCREENSHOTS=1 (so ordinary runs leave the tree clean)."""
    if os.environ.get("NEWSAGENT_UPDATE_SCREENSHOTS"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / name)
