"""The console entry point: exit codes survive click's non-standalone mode."""

import subprocess
import sys


def test_failed_ingest_exits_1_and_names_the_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    run = subprocess.run([sys.executable, "-m", "agent", "--home", str(tmp_path / "ws"), "ingest", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "empty.txt" in run.stdout + run.stderr


def test_success_exits_0(tmp_path):
    run = subprocess.run([sys.executable, "-m", "agent", "--home", str(tmp_path / "ws"), "corpus", "list"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0
