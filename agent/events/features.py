"""What event clustering reads of an article: its day, the meaning of its title and lead, its names and words.

Only the top of a story is read. The title and the first sentences say which event it is; the body adds
background that other stories share. Each lead sentence is embedded on its own, so the vectors land in the
same embedding cache that the comparison reads when it briefs the event.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from agent.text.names import find_names
from agent.text.norm import content_words, fold
from agent.types import Article

LEAD_SENTENCES = 3  # sentences after the title that are embedded
NAME_SENTENCES = 10  # sentences read for names and words
TITLE_WEIGHT = 2.0  # a headline names the event more surely than any one sentence of the lead

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Features:
    """One article as the clustering sees it."""

    article_id: str
    day: date | None
    vector: np.ndarray  # unit length: the weighted mean of the title and lead sentence vectors
    names: dict[str, int]  # folded words of the proper names in the title and lead -> count
    words: dict[str, int]  # stems of the content words of the title and lead -> count

    def to_row(self, embedder: str) -> tuple:
        """The stored form (see Store.save_event_features)."""
        return (self.article_id, embedder, self.vector.astype(np.float32).tobytes(),
                json.dumps(self.names, sort_keys=True), json.dumps(self.words, sort_keys=True),
                self.day.isoformat() if self.day else None)

    @classmethod
    def from_row(cls, row: dict) -> Features:
        """Read back a stored row."""
        return cls(row["article_id"], date.fromisoformat(row["day"]) if row["day"] else None,
                   np.frombuffer(row["vector"], dtype=np.float32), json.loads(row["names"]), json.loads(row["words"]))


def lead_sentences(article: Article, n: int) -> list[str]:
    """The first N sentences of the body, the headline left out when the text repeats it."""
    title, out = fold(article.title or "").strip(), []
    for s in article.sentences:
        if len(out) == n:
            break
        if fold(s.text).strip() != title:
            out.append(s.text)
    return out


def lead_texts(article: Article) -> tuple[list[str], list[float]]:
    """The texts embedded for an article (title, then lead sentences) and the weight of each."""
    texts = [article.title] if article.title else []
    weights = [TITLE_WEIGHT] * len(texts)
    lead = lead_sentences(article, LEAD_SENTENCES)
    return texts + lead, weights + [1.0] * len(lead)


def name_words(text: str) -> Counter:
    """The folded words of every proper name in TEXT ("Jim Mattis" and "Mattis" share "mattis")."""
    found: Counter = Counter()
    for mention in find_names(text):
        for word in fold(mention.text).replace("-", " ").split():
            word = word.strip(".'")
            if len(word) > 1:
                found[word] += 1
    return found


def compute(articles: list[Article], embed: Embed) -> list[Features]:
    """Features of ARTICLES; EMBED maps texts to unit vectors (one call for every lead sentence)."""
    spans, texts, weights = [], [], []
    for a in articles:
        own, w = lead_texts(a)
        if not own:  # an article with no title and no sentence still needs a vector
            own, w = [a.text[:500] or a.id], [1.0]
        spans.append((len(texts), len(texts) + len(own)))
        texts += own
        weights += w
    vectors = np.asarray(embed(texts), dtype=np.float32) if texts else np.zeros((0, 1), np.float32)
    out = []
    for a, (start, end) in zip(articles, spans):
        mean = (vectors[start:end] * np.asarray(weights[start:end], np.float32)[:, None]).sum(0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        head = [a.title or ""] + lead_sentences(a, NAME_SENTENCES)
        words = Counter(w for s in head for w in content_words(s))
        out.append(Features(a.id, a.published, mean, dict(name_words("\n".join(head))), dict(words)))
    return out
