"""Token-budget chunks on sentence boundaries, each listing its sentence ids."""

from __future__ import annotations

from agent.analysis.select import chunk_article, numbered_text
from agent.ingest.assemble import article_id
from agent.ingest.sentences import sentences_for
from agent.llm.tokens import count_tokens
from agent.types import Article


def article(text: str) -> Article:
    aid = article_id(text)
    return Article(id=aid, path="a.txt", text=text, sentences=sentences_for(aid, text))


TEXT = " ".join(f"Sentence number {i} says that the fleet sailed on day {i}." for i in range(40))


def test_chunks_cover_every_sentence_once_in_order_within_budget():
    a = article(TEXT)
    chunks = chunk_article(a, max_tokens=60)
    assert [i for c in chunks for i in c.sentence_ids] == list(range(len(a.sentences)))
    assert len(chunks) > 1 and [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.tokens == count_tokens(numbered_text(a, c.sentence_ids)) <= 60
        assert c.article_id == a.id


def test_a_sentence_longer_than_the_budget_is_its_own_chunk_never_cut():
    a = article("Short one. " + "Word " * 200 + "end. Short two.")
    chunks = chunk_article(a, max_tokens=50)
    assert [c.sentence_ids for c in chunks] == [[0], [1], [2]]
    assert chunks[1].tokens > 50


def test_one_chunk_when_everything_fits():
    a = article(TEXT)
    assert [c.sentence_ids for c in chunk_article(a, max_tokens=100_000)] == [list(range(len(a.sentences)))]
