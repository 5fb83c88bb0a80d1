"""The stored events as readers see them: id, label, articles, outlets and date span (no model, no clustering)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from agent.store import Store


@dataclass(frozen=True)
class EventArticle:
    """One article of an event, and how it joined (founded, code, model or rules, with the score)."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    path: str
    how: str
    score: float | None
    derivative_of: str | None = None

    @property
    def label(self) -> str:
        """The outlet, else the file name."""
        return self.outlet or self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Event:
    """A news event: the articles that report it."""

    id: str
    label: str
    articles: list[EventArticle] = field(default_factory=list)

    @property
    def article_ids(self) -> list[str]:
        """The member articles' ids, oldest ingest first."""
        return [a.id for a in self.articles]

    @property
    def outlets(self) -> list[str]:
        """The outlets (or file names) that report it, sorted."""
        return sorted({a.label for a in self.articles}, key=str.lower)

    @property
    def first_day(self) -> date | None:
        """The earliest publication date among its articles."""
        days = [date.fromisoformat(a.published) for a in self.articles if a.published]
        return min(days) if days else None

    @property
    def last_day(self) -> date | None:
        """The latest publication date among its articles."""
        days = [date.fromisoformat(a.published) for a in self.articles if a.published]
        return max(days) if days else None

    def span(self) -> str:
        """The date span as text: one day, a range, or "undated"."""
        first, last = self.first_day, self.last_day
        if first is None:
            return "undated"
        return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"

    def summary_line(self) -> str:
        """One plain line: id, label, article count, outlets, dates (the caller escapes it for its console)."""
        return f"{self.id}  {self.label} · {len(self.articles)} articles ({', '.join(self.outlets)}) · {self.span()}"

    def as_dict(self) -> dict:
        """Plain values for JSON (the web app's home page reads this)."""
        return {"id": self.id, "label": self.label, "articles": [asdict(a) for a in self.articles],
                "outlets": self.outlets, "first_day": self.first_day.isoformat() if self.first_day else None,
                "last_day": self.last_day.isoformat() if self.last_day else None, "size": len(self.articles)}


def list_events(store: Store) -> list[Event]:
    """Every stored event, newest first (latest publication date, then most articles); reads only."""
    grouped: dict[str, list[dict]] = {}
    labels: dict[str, str] = {}
    for row in store.event_rows():
        grouped.setdefault(row["event_id"], []).append(row)
        labels[row["event_id"]] = row["label"]
    events = [Event(eid, labels[eid], [_article(r) for r in rows]) for eid, rows in grouped.items()]
    return sorted(events, key=lambda e: (-(e.last_day or date.min).toordinal(), -len(e.articles), e.id))


def _article(row: dict) -> EventArticle:
    return EventArticle(row["id"], row["title"], row["outlet"], row["published"], row["path"], row["how"],
                        row["score"], row["derivative_of"])


def get_event(store: Store, ref: str) -> Event:
    """The event with this id (or unique id prefix); KeyError naming the problem otherwise."""
    events = list_events(store)
    found = [e for e in events if e.id == ref] or [e for e in events if e.id.startswith(ref)]
    if len(found) != 1:
        known = ", ".join(e.id for e in events[:8]) or "none stored; run `newsagent events`"
        raise KeyError(f"no event {ref!r} (events: {known})" if not found else f"ambiguous event id {ref!r}")
    return found[0]
