"""The data folders that ship with the code (prompts, eval cases): found in the wheel or in the source tree."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the checkout, for editable installs


def data_dir(name: str) -> Path:
    """A top-level data folder (`prompts`, `evals`): `agent/_data/<name>` in a wheel, `<checkout>/<name>` otherwise."""
    packaged = Path(str(importlib.resources.files("agent"))) / "_data" / name
    return packaged if packaged.is_dir() else SOURCE_ROOT / name


def prompts_dir() -> Path:
    """The prompt files (NEWSAGENT_PROMPTS_DIR overrides)."""
    env = os.environ.get("NEWSAGENT_PROMPTS_DIR")
    return Path(env) if env else data_dir("prompts")


def evals_dir() -> Path:
    """The eval folder: cases, suites, tolerances and the judge prompt."""
    return data_dir("evals")


def checkout_root() -> Path | None:
    """The git checkout the code runs from, if any (an installed wheel has none)."""
    return SOURCE_ROOT if (SOURCE_ROOT / ".git").exists() else None
