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


def _run(tmp_path, *args, env=None):
    import os
    return subprocess.run([sys.executable, "-m", "agent", "--home", str(tmp_path / "ws"), *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def test_unknown_option_is_one_line_usage_error_exit_2(tmp_path):
    run = _run(tmp_path, "brief", "--bogus-flag")
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--bogus-flag" in lines[0] and "Traceback" not in run.stderr


def test_missing_argument_is_one_line_usage_error_exit_2(tmp_path):
    run = _run(tmp_path, "ask")
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "question" in lines[0].lower() and "Traceback" not in run.stderr


def test_unexpected_error_is_one_line_and_control_characters_are_inert(tmp_path):
    # A JSON corpus path that exists but an unknown model provider's failure is a NewsagentError; force a raw
    # exception instead through a bad NEWSAGENT_N_CTX (int() of garbage) on a command that loads the local model.
    bad = tmp_path / "a.txt"
    bad.write_text("Officials met on Monday in the capital to discuss the budget for next year.\n")
    run = _run(tmp_path, "ask", "--corpus", str(bad), "What \x1b[31mhappened?", env={"NEWSAGENT_N_CTX": "x\x1b[2J"})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "\x1b[2J" not in run.stderr


def test_usage_hint_names_the_command_not_the_home_folder(tmp_path):
    run = _run(tmp_path, "compare", "--mode", "bogus")
    assert run.returncode == 2
    assert "newsagent compare --help" in run.stderr and str(tmp_path) not in run.stderr


def test_a_bad_compare_mode_in_the_environment_is_one_line(tmp_path):
    run = _run(tmp_path, "compare", "-m", "fake:", env={"NEWSAGENT_COMPARE": "fuzzy"})
    assert run.returncode == 2 or run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "NEWSAGENT_COMPARE" in lines[0] and "Traceback" not in run.stderr


def test_rules_mode_asks_the_model_nothing_about_pairs(tmp_path):
    from agent.resources import evals_dir

    articles = str(evals_dir() / "cases" / "korvala-port-director" / "articles")
    for mode in ("rules", "model"):
        run = _run(tmp_path / mode, "compare", articles, "-m", "fake:", "--mode", mode)
        assert run.returncode == 0, run.stderr
        log = _run(tmp_path / mode, "log", "--json", "-n", "500")
        purposes = {row["purpose"] for row in __import__("json").loads(log.stdout)}
        assert ("compare" in purposes) == (mode == "model"), purposes
