"""Where data and models live, and the environment variables that move them."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

from agent.errors import UsageError

DEFAULT_MODEL = "local:qwen2.5-coder-1.5b"
_home_override: Path | None = None


def set_home(path: str | Path | None) -> None:
    """Point the workspace at PATH for this process (the `--home` option)."""
    global _home_override
    _home_override = Path(path).expanduser() if path else None


def home_dir() -> Path:
    """The workspace: store, cache and call log (`--home`, NEWSAGENT_HOME, or the user data dir)."""
    if _home_override is not None:
        path = _home_override
    elif os.environ.get("NEWSAGENT_HOME"):
        path = Path(os.environ["NEWSAGENT_HOME"]).expanduser()
    else:
        path = Path(user_data_dir("newsagent", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def model_dir() -> Path:
    """Shared folder of verified model files (NEWSAGENT_MODEL_DIR or the user cache dir)."""
    env = os.environ.get("NEWSAGENT_MODEL_DIR")
    path = Path(env).expanduser() if env else Path(user_cache_dir("newsagent", appauthor=False)) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_model_name() -> str:
    """The model used when none is named: NEWSAGENT_MODEL, else the embedded default."""
    return os.environ.get("NEWSAGENT_MODEL") or DEFAULT_MODEL


COMPARE_MODES = ("model", "rules")
_compare_override: str | None = None


def set_compare_mode(mode: str | None) -> None:
    """Compare with the model's judgments ("model") or by code alone ("rules") in this process (`--mode`)."""
    global _compare_override
    if mode is not None and mode not in COMPARE_MODES:
        raise UsageError(f"unknown compare mode {mode!r}: use one of {', '.join(COMPARE_MODES)}")
    _compare_override = mode


def compare_mode() -> str:
    """How uncertain sentence pairs are judged: `--mode`, NEWSAGENT_COMPARE, else "model"."""
    mode = _compare_override or os.environ.get("NEWSAGENT_COMPARE") or "model"
    if mode not in COMPARE_MODES:
        raise UsageError(f"NEWSAGENT_COMPARE={mode!r}: use one of {', '.join(COMPARE_MODES)}")
    return mode


def db_path() -> Path:
    """The workspace's SQLite file."""
    return home_dir() / "newsagent.sqlite3"
