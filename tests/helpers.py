"""Test helpers: articles from plain text, and a fake extractor that copies words from the shown sentences."""

from __future__ import annotations

import re
from datetime import date

from agent.ingest.sentences import sentences_for
from agent.types import Article

_LINE = re.compile(r"^\[S(\d+)\] (.*)$", re.M)


def make_article(text: str, aid: str, outlet: str | None = None, published: date | None = None,
                 derivative_of: str | None = None) -> Article:
    """An article with real sentence offsets."""
    return Article(id=aid, path=f"{aid}.txt", outlet=outlet, published=published, text=text,
                   sentences=sentences_for(aid, text), derivative_of=derivative_of)


def shown_sentences(messages) -> tuple[dict[str, str], list[str]]:
    """The numbered sentences and requested keys of an extraction prompt."""
    user = next(str(m.content) for m in messages if m.type == "human")
    lines = dict(_LINE.findall(user))
    keys = re.search(r"^Sentences: (.*)$", user, re.M).group(1).split(", ")
    return lines, keys


def copying_extractor(overrides: dict[str, dict] | None = None):
    """A fake model answer: who = first two words, did = the third; OVERRIDES (by sentence text) win."""
    overrides = overrides or {}
    for answer in overrides.values():
        unknown = set(answer) - {"who", "did"}
        assert not unknown, f"the model answers only who/did; {sorted(unknown)} would be ignored"

    def respond(messages, kwargs):
        lines, keys = shown_sentences(messages)
        out = {}
        for key in keys:
            text = lines[key[1:]]
            hit = next((v for k, v in overrides.items() if k in text), None)
            w = text.rstrip(".").replace('"', "").split()
            out[key] = hit or {"who": " ".join(w[:2]), "did": w[2]}
        return out

    return respond


def pipeline_respond(overrides: dict[str, dict] | None = None):
    """The fake model for a whole analysis: the copying extractor for claims, the scripted fake for the rest."""
    from agent.llm.fake import scripted

    extract = copying_extractor(overrides)

    def respond(messages, kwargs):
        title = ((kwargs.get("response_format") or {}).get("schema") or {}).get("title")
        return extract(messages, kwargs) if title == "SentenceClaims" else scripted(messages, kwargs)

    return respond


def analysed(store, articles: list[Article], overrides: dict[str, dict] | None = None, mode: str = "model",
             respond=None):
    """Store ARTICLES (originals first) and run the whole analysis with the fake model and the fake embedder."""
    from agent.analysis.run import analyse
    from agent.llm.fake import fake_llm

    for a in sorted(articles, key=lambda a: a.derivative_of is not None):
        store.save_article(a)
    llm = fake_llm(respond=respond or pipeline_respond(overrides), store=store)
    return analyse(store, llm, [a.id for a in articles], mode=mode, per_article=10)
