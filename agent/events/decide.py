"""Which candidate pairs report one event: code decides the clear ones, the model only the uncertain band.

Above SAME_AUTO two articles are one event and below DIFFERENT_AUTO two events, by code alone. Pairs in
between are asked of the model (grammar-constrained labels, several pairs per call, a budget per article);
without a model, or when a call fails, the score decides against the rules threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, create_model

from agent.errors import ModelOutputError
from agent.events.features import lead_sentences
from agent.events.similarity import PairScore
from agent.prompts import load_prompt
from agent.types import Article

Verdict = Literal["same", "related", "different"]
Mode = Literal["model", "rules"]
Pair = tuple[str, str]

SAME_AUTO = 0.85  # the score at which two articles are one event without asking
DIFFERENT_AUTO = 0.45  # the score below which they are two events without asking
LINK = 0.70  # the mean pair score at which groups join (and the rules' decision for the band)
SAME_VALUE, DIFFERENT_VALUE = 1.0, 0.0  # what a model verdict makes of a pair's score
ASK_PER_ARTICLE = 2  # band pairs asked per article: its best uncertain matches
PER_CALL = 4
LEAD_WORDS = 60  # words of an article's lead the model sees


@dataclass(frozen=True, slots=True)
class Decision:
    """A candidate pair's score after deciding: who decided, and the model's verdict when it was asked."""

    pair: Pair
    score: PairScore
    value: float
    by: Literal["code", "model", "rules"]
    verdict: Verdict | None = None


def verdicts_schema(n: int) -> type[BaseModel]:
    """One required label per pair P1..Pn."""
    return create_model("EventPairs", **{f"P{i}": (Verdict, ...) for i in range(1, n + 1)})  # type: ignore


def uncertain(scores: dict[Pair, PairScore], per_article: int = ASK_PER_ARTICLE) -> list[Pair]:
    """The band pairs worth a question: each article's best few, best first."""
    band = sorted((p for p, s in scores.items() if DIFFERENT_AUTO <= s.total < SAME_AUTO),
                  key=lambda p: -scores[p].total)
    asked: dict[str, int] = defaultdict(int)
    chosen = []
    for a, b in band:
        if asked[a] < per_article or asked[b] < per_article:
            asked[a] += 1
            asked[b] += 1
            chosen.append((a, b))
    return chosen


def card(article: Article) -> str:
    """An article as the model sees it: outlet, date, headline | lead."""
    when = article.published.isoformat() if article.published else "date unknown"
    lead = " ".join(" ".join(lead_sentences(article, 3)).split()[:LEAD_WORDS])
    return f"({article.label}, {when}): {article.title or '(no headline)'} | {lead}".replace("\n", " ")


def ask(pairs: list[Pair], articles: dict[str, Article], llm) -> dict[Pair, Verdict]:
    """The model's verdicts for PAIRS, PER_CALL per call; a call whose answer stays unusable gives none."""
    prompt, out = load_prompt("same_event"), {}
    for start in range(0, len(pairs), PER_CALL):
        group = pairs[start:start + PER_CALL]
        listing = "\n".join(f"[P{i}]\nA {card(articles[a])}\nB {card(articles[b])}"
                            for i, (a, b) in enumerate(group, 1))
        keys = ", ".join(f"P{i}" for i in range(1, len(group) + 1))
        try:
            answer = llm.structured(prompt, {"pairs": listing, "keys": keys}, verdicts_schema(len(group)),
                                    purpose="events", max_tokens=10 * len(group) + 16)
        except ModelOutputError:
            continue
        out.update({p: getattr(answer, f"P{i}") for i, p in enumerate(group, 1)})
    return out


def decide(scores: dict[Pair, PairScore], verdicts: dict[Pair, Verdict]) -> dict[Pair, Decision]:
    """Every candidate pair's decided value: code outside the band, the model's verdict inside it, else rules."""
    out = {}
    for pair, s in scores.items():
        verdict = verdicts.get(pair)
        if verdict is not None:
            value = SAME_VALUE if verdict == "same" else DIFFERENT_VALUE
            out[pair] = Decision(pair, s, value, "model", verdict)
        else:
            by = "code" if not DIFFERENT_AUTO <= s.total < SAME_AUTO else "rules"
            out[pair] = Decision(pair, s, s.total, by)
    return out
