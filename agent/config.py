"""Where data and models live, and the environment variables that move them."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

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


def db_path() -> Path:
    """The workspace's SQLite file."""
    return home_dir() / "newsagent.sqlite3"
