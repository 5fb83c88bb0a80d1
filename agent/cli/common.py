"""What every command shares: the consoles, the output-format choices, and the model option."""

from __future__ import annotations

import sys
from enum import Enum

import typer
from rich.console import Console
from rich.markup import escape

from agent.text.safety import safe_terminal

# Piped output keeps table columns and ids whole instead of wrapping them at 80 columns.
out = Console(soft_wrap=True) if sys.stdout.isatty() else Console(soft_wrap=True, width=200)
err = Console(stderr=True, soft_wrap=True)

MODEL_HELP = ("Model string: local:qwen2.5-coder-1.5b (default), openai:gpt-4.1-mini, "
              "openai-compatible:URL#model, fake: (NEWSAGENT_MODEL sets the default).")


def shown(value: object) -> str:
    """Untrusted text for a rich console: markup escaped, control characters (ESC...) made visible."""
    return escape(safe_terminal(str(value)))


class CompareMode(str, Enum):
    """How uncertain sentence pairs are judged."""

    model = "model"
    rules = "rules"


MODE_HELP = "model: the model judges uncertain sentence pairs (code verifies); rules: code alone (NEWSAGENT_COMPARE)."


def mode_option():
    """The shared `--mode` option (None keeps NEWSAGENT_COMPARE or "model")."""
    return typer.Option(None, "--mode", help=MODE_HELP)


def apply_mode(mode: "CompareMode | None") -> None:
    """Make MODE this process's compare mode (no-op when not given)."""
    from agent import config

    if mode is not None:
        config.set_compare_mode(mode.value)


class TableOrJson(str, Enum):
    """Output as a table for people or JSON for programs."""

    table = "table"
    json = "json"


class TextOrJson(str, Enum):
    """Output as text for people or JSON for programs."""

    text = "text"
    json = "json"


class BriefFormat(str, Enum):
    """The brief's file formats."""

    md = "md"
    json = "json"
    html = "html"
