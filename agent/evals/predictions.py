"""What the stages produced for one eval case, as the plain JSON the scorers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.types import Article


@dataclass
class Predictions:
    """What the stages produced for one case, as the plain JSON the scorers read."""

    articles: dict[str, Article] = field(default_factory=dict)  # case file name -> ingested article
    extract: Any = None  # {"claims": [...], "summary": {...}}
    compare: Any = None  # {"facts": [...], "divergences": [...], ...}
    brief: Any = None  # Brief JSON
    memo: Any = None  # memo JSON (only for cases with a rubric)
    answers: dict[str, Any] = field(default_factory=dict)  # question id -> {"answer", "citations", "abstained"}
    costs: dict[str, dict] = field(default_factory=dict)  # stage -> {"tokens", "seconds", "calls", "cache_hits"}
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # stages that failed, one line each
