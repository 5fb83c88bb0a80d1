"""The optional support judge: does a model say a statement's cited sentences support it? Unusable answers: no."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from agent.errors import ModelOutputError
from agent.prompts import Prompt, parse_prompt
from agent.resources import evals_dir
from agent.types import CitedSentence


class Verdict(BaseModel):
    """The judge's answer for one statement."""

    supported: bool
    reason: str = ""


def judge_prompt() -> Prompt:
    """The judge's prompt file (kept with the evals, which score with it too)."""
    return parse_prompt("judge_support", (evals_dir() / "judge_support.md").read_text(encoding="utf-8"))


def judge_statement(llm, prompt: Prompt, statement: str, sources: list[str], purpose: str) -> Verdict:
    """Ask the judge about one statement and its cited sentences (ModelOutputError when its answer is unusable)."""
    listing = "\n".join(f"- {s}" for s in sources)
    return llm.structured(prompt, {"statement": statement, "sources": listing}, Verdict, purpose=purpose,
                          max_tokens=int(prompt.meta.get("max_tokens", 200)))


def support_judge(model: str, store) -> Callable[[CitedSentence], bool]:
    """A brief-sentence judge backed by MODEL: an unusable answer counts as unsupported."""
    from agent.llm import open_llm

    llm, prompt = open_llm(model, store=store), judge_prompt()

    def judge(sentence: CitedSentence) -> bool:
        try:
            return judge_statement(llm, prompt, sentence.text, [c.text for c in sentence.citations],
                                   "brief-judge").supported
        except ModelOutputError:
            return False

    return judge
