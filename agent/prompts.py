"""Load and render prompt files from `prompts/`: declared variables, untrusted text neutralised."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from agent.errors import PromptError
from agent.resources import prompts_dir

PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
SECTION = re.compile(r"^<<<(system|user)>>>\s*$", re.MULTILINE)
# Chat-template control strings (`<|im_start|>`, `<|endoftext|>`...): llama.cpp tokenizes the
# formatted prompt with special tokens enabled, so these would become real role switches.
SPECIAL_TOKEN = re.compile(r"<\|[^|<>\n]{0,40}\|>|<\||\|>")
DELIMITER = re.compile(r"<{3,}|>{3,}|«{3,}|»{3,}")




def neutralize(text: str) -> str:
    """Make untrusted text inert: no control tokens, no spoofed delimiters."""
    text = SPECIAL_TOKEN.sub(lambda m: m.group(0).replace("<|", "<¦").replace("|>", "¦>"), text)
    return DELIMITER.sub(lambda m: "‹" * len(m.group(0)) if m.group(0)[0] in "<«" else "›" * len(m.group(0)), text)


@dataclass(frozen=True)
class Prompt:
    """A prompt file: its declared variables, which of them are untrusted, and its sections."""

    name: str
    system: str
    user: str
    variables: tuple[str, ...]
    untrusted: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    sha256: str = ""

    @property
    def hash(self) -> str:
        """A short content hash, recorded with every call and eval run."""
        return self.sha256[:12]

    def render(self, **values: object) -> list[tuple[str, str]]:
        """The chat messages with every variable filled; missing or unknown variables raise."""
        missing = [v for v in self.variables if v not in values]
        unknown = [v for v in values if v not in self.variables]
        if missing or unknown:
            raise PromptError(f"prompt {self.name!r}: missing variables {missing}, unknown {unknown}")
        filled = {k: neutralize(str(v)) if k in self.untrusted else str(v) for k, v in values.items()}
        messages = []
        for role, template in (("system", self.system), ("user", self.user)):
            if template.strip():
                messages.append((role, PLACEHOLDER.sub(lambda m: filled[m.group(1)], template).strip()))
        return messages


def parse_prompt(name: str, raw: str) -> Prompt:
    """Parse a prompt file: YAML front matter, then `<<<system>>>` and `<<<user>>>` sections."""
    if not raw.startswith("---"):
        raise PromptError(f"prompt {name!r}: missing front matter")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front) or {}
    variables = tuple(meta.get("variables") or ())
    untrusted = tuple(meta.get("untrusted") or ())
    parts = SECTION.split(body)
    sections = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    if "user" not in sections:
        raise PromptError(f"prompt {name!r}: needs a <<<user>>> section")
    used = set(PLACEHOLDER.findall(sections.get("system", "") + sections["user"]))
    if used != set(variables) or not set(untrusted) <= set(variables):
        raise PromptError(f"prompt {name!r}: declares {sorted(variables)} but uses {sorted(used)}")
    return Prompt(name=name, system=sections.get("system", ""), user=sections["user"], variables=variables,
                  untrusted=untrusted, meta=meta, sha256=hashlib.sha256(raw.encode()).hexdigest())


@lru_cache(maxsize=64)
def load_prompt(name: str) -> Prompt:
    """Load `prompts/<name>.md`."""
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt file {path}")
    return parse_prompt(name, path.read_text(encoding="utf-8"))


def available_prompts() -> list[str]:
    """Names of the prompt files present."""
    return sorted(p.stem for p in prompts_dir().glob("*.md") if p.stem.lower() != "readme")
