"""The workspace store: SQLite in WAL mode, ordered migrations, and the only SQL in newsagent."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent import config
from agent.types import Article, RemovedLine, Sentence

# Each entry runs once, in order; never edit a released one, append a new one.
MIGRATIONS: list[str] = [
    # 1: articles and the model call cache/log
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        title TEXT, outlet TEXT, outlet_source TEXT, byline TEXT, url TEXT,
        published TEXT, published_source TEXT,
        text TEXT NOT NULL,
        raw_sha256 TEXT NOT NULL,
        derivative_of TEXT REFERENCES articles(id),
        similarity REAL,
        ingested_at REAL NOT NULL
    );
    CREATE TABLE sentences (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL,
        PRIMARY KEY (article_id, idx)
    );
    CREATE TABLE removed_lines (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL,
        PRIMARY KEY (article_id, seq)
    );
    CREATE TABLE sources (
        raw_sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE TABLE llm_cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        response TEXT NOT NULL,
        finish_reason TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        seconds REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        model TEXT NOT NULL,
        purpose TEXT,
        prompt_hash TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        seconds REAL NOT NULL DEFAULT 0,
        cache_hit INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX llm_calls_created ON llm_calls(created_at);
    """,
    # 2: MinHash signatures for derivative detection, and the copy -> original lookup
    """
    CREATE TABLE article_signatures (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        minhash BLOB NOT NULL
    );
    CREATE INDEX articles_derivative_of ON articles(derivative_of);
    """,
    # 3: verified claims per article and model (the extraction stage's output)
    """
    CREATE TABLE claims (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        json TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (article_id, model, claim_id)
    );
    """,
    # 4: sentence embeddings by (embedder name, sha256 of the text): a re-run embeds nothing it has seen
    """
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (model, text_sha256)
    ) WITHOUT ROWID;
    """,
    # 5: events: what the clustering read of each article, the events, and which article is in which
    """
    CREATE TABLE event_features (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        embedder TEXT NOT NULL, vector BLOB NOT NULL, names TEXT NOT NULL, words TEXT NOT NULL, day TEXT
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY, label TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL
    );
    CREATE TABLE event_members (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        how TEXT NOT NULL, score REAL, joined_at REAL NOT NULL
    );
    CREATE INDEX event_members_event ON event_members(event_id);
    """,
    # 6: the claims table (3) was written and never read: the model-call cache makes a re-analysis free
    """
    DROP TABLE IF EXISTS claims;
    """,
]


class Store:
    """A connection to one workspace database; safe to share between threads."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else config.db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    # --- plumbing ----------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply every migration newer than the database's user_version, each in one transaction.

        The version is read inside the write lock (BEGIN IMMEDIATE): two processes opening a fresh
        workspace at once must not both run the same migration.
        """
        while True:
            with self.transaction() as cur:
                current = cur.execute("PRAGMA user_version").fetchone()[0]
                if current >= len(MIGRATIONS):
                    return
                for statement in _statements(MIGRATIONS[current]):
                    cur.execute(statement)
                cur.execute(f"PRAGMA user_version={current + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """One atomic unit of work: committed whole or rolled back whole."""
        with self._lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Run a read-only query (internal helper)."""
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def integrity_ok(self) -> bool:
        """True when SQLite's integrity check passes."""
        return self.query("PRAGMA integrity_check")[0][0] == "ok"

    def backup_to(self, dest: str | Path) -> None:
        """Copy the live database safely (SQLite's backup API), written beside DEST and renamed into place."""
        dest = Path(dest)
        tmp = dest.with_name(dest.name + ".partial")
        tmp.unlink(missing_ok=True)
        target = sqlite3.connect(tmp)
        try:
            with self._lock:
                self.conn.backup(target)
        finally:
            target.close()
        tmp.replace(dest)

    # --- articles ----------------------------------------------------------------
    def save_article(self, article: Article, cur: sqlite3.Cursor | None = None) -> None:
        """Insert an article with its sentences and removed lines (replaces one with the same id)."""
        if cur is None:
            with self.transaction() as c:
                return self.save_article(article, c)
        cur.execute("DELETE FROM sentences WHERE article_id=?", (article.id,))
        cur.execute("DELETE FROM removed_lines WHERE article_id=?", (article.id,))
        cur.execute(
            "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " path=excluded.path, title=excluded.title, outlet=excluded.outlet,"
            " outlet_source=excluded.outlet_source, byline=excluded.byline, url=excluded.url,"
            " published=excluded.published, published_source=excluded.published_source,"
            " text=excluded.text, raw_sha256=excluded.raw_sha256, derivative_of=excluded.derivative_of,"
            " similarity=excluded.similarity",
            (
                article.id, article.path, article.title, article.outlet, article.outlet_source,
                article.byline, article.url,
                article.published.isoformat() if article.published else None,
                article.published_source, article.text, article.raw_sha256,
                article.derivative_of, article.similarity, time.time(),
            ),
        )
        cur.executemany(
            "INSERT INTO sentences VALUES (?,?,?,?,?)",
            [(article.id, s.index, s.start, s.end, s.text) for s in article.sentences],
        )
        cur.executemany(
            "INSERT INTO removed_lines VALUES (?,?,?,?)",
            [(article.id, i, r.text, r.reason) for i, r in enumerate(article.removed)],
        )
        cur.execute(
            "INSERT OR REPLACE INTO sources VALUES (?,?,?)", (article.raw_sha256, article.path, article.id)
        )

    def record_source(self, raw_sha256: str, path: str, article_id: str, cur: sqlite3.Cursor | None = None) -> None:
        """Remember that these raw bytes produced this article (idempotent re-ingest)."""
        sql, params = "INSERT OR REPLACE INTO sources VALUES (?,?,?)", (raw_sha256, path, article_id)
        if cur is not None:
            cur.execute(sql, params)
        else:
            with self.transaction() as c:
                c.execute(sql, params)

    def article_for_raw(self, raw_sha256: str) -> str | None:
        """The article id these raw bytes were ingested as, if any."""
        rows = self.query("SELECT article_id FROM sources WHERE raw_sha256=?", (raw_sha256,))
        return rows[0]["article_id"] if rows else None

    def has_article(self, article_id: str) -> bool:
        """True when an article with this id is stored."""
        return bool(self.query("SELECT 1 FROM articles WHERE id=?", (article_id,)))

    def set_derivative(self, article_id: str, original_id: str | None, similarity: float | None,
                       cur: sqlite3.Cursor | None = None) -> None:
        """Mark an article as a derivative copy of another (or clear the mark)."""
        sql = "UPDATE articles SET derivative_of=?, similarity=? WHERE id=?"
        if cur is not None:
            cur.execute(sql, (original_id, similarity, article_id))
        else:
            with self.transaction() as c:
                c.execute(sql, (original_id, similarity, article_id))

    def save_signature(self, article_id: str, minhash: bytes, cur: sqlite3.Cursor) -> None:
        """Store an article's MinHash signature (derivative detection reads these back)."""
        cur.execute("INSERT OR REPLACE INTO article_signatures VALUES (?,?)", (article_id, minhash))

    def signatures(self) -> dict[str, bytes]:
        """Every stored MinHash signature by article id."""
        return {r["article_id"]: r["minhash"] for r in self.query("SELECT * FROM article_signatures")}

    def derivative_links(self) -> dict[str, str]:
        """Stored derivative marks: copy id -> original id."""
        rows = self.query("SELECT id, derivative_of FROM articles WHERE derivative_of IS NOT NULL")
        return {r["id"]: r["derivative_of"] for r in rows}

    def repoint_derivatives(self, old: str, new: str, cur: sqlite3.Cursor) -> None:
        """Copies of OLD become copies of NEW (OLD itself turned out to be a copy of NEW)."""
        cur.execute("UPDATE articles SET derivative_of=? WHERE derivative_of=? AND id<>?", (new, old, new))

    def ingest_times(self) -> dict[str, float]:
        """When each stored article was first ingested (seconds since the epoch)."""
        return {r["id"]: r["ingested_at"] for r in self.query("SELECT id, ingested_at FROM articles")}

    def repeated_boilerplate(self) -> frozenset[str]:
        """Lines removed earlier because several articles repeated them (folded keys are computed by the caller)."""
        rows = self.query("SELECT DISTINCT text FROM removed_lines WHERE reason LIKE 'repeated across%'")
        return frozenset(r["text"] for r in rows)

    def article_rows(self) -> list[dict]:
        """One summary per article, oldest ingest first: no text, a sentence count instead of sentences."""
        rows = self.query(
            "SELECT a.id, a.path, a.title, a.outlet, a.outlet_source, a.published, a.published_source,"
            " a.derivative_of, a.similarity, a.ingested_at,"
            " (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.id) AS sentence_count"
            " FROM articles a ORDER BY a.ingested_at, a.id")
        return [dict(r) for r in rows]

    def get_article(self, article_id: str) -> Article:
        """One article, whole; accepts a unique id prefix. KeyError when none or ambiguous."""
        rows = self.query("SELECT * FROM articles WHERE id=? OR id LIKE ?", (article_id, article_id + "%"))
        exact = [r for r in rows if r["id"] == article_id]
        rows = exact or rows
        if len(rows) != 1:
            raise KeyError(f"no article with id {article_id!r}" if not rows else f"ambiguous id {article_id!r}")
        return self._article_from_row(rows[0])

    def list_articles(self) -> list[Article]:
        """Every stored article, oldest ingest first."""
        rows = self.query("SELECT * FROM articles ORDER BY ingested_at, id")
        return [self._article_from_row(r) for r in rows]

    def articles_by_ids(self, ids: list[str]) -> list[Article]:
        """The articles with these ids, in the order given."""
        return [self.get_article(i) for i in ids]

    def _article_from_row(self, row: sqlite3.Row) -> Article:
        sents = self.query("SELECT * FROM sentences WHERE article_id=? ORDER BY idx", (row["id"],))
        removed = self.query("SELECT * FROM removed_lines WHERE article_id=? ORDER BY seq", (row["id"],))
        return Article(
            id=row["id"], path=row["path"], title=row["title"], outlet=row["outlet"],
            outlet_source=row["outlet_source"], byline=row["byline"], url=row["url"],
            published=row["published"], published_source=row["published_source"], text=row["text"],
            raw_sha256=row["raw_sha256"], derivative_of=row["derivative_of"], similarity=row["similarity"],
            sentences=[Sentence(article_id=row["id"], index=s["idx"], start=s["start"], end=s["end"],
                                text=s["text"]) for s in sents],
            removed=[RemovedLine(text=r["text"], reason=r["reason"]) for r in removed],
        )

    # --- model call cache and log ------------------------------------------------------
    def cache_get(self, key: str) -> sqlite3.Row | None:
        """The cached response for a call key, if any."""
        rows = self.query("SELECT * FROM llm_cache WHERE key=?", (key,))
        return rows[0] if rows else None

    def cache_put(self, key: str, model: str, response: str, finish_reason: str | None,
                  prompt_tokens: int, completion_tokens: int, seconds: float) -> None:
        """Store a successful response under its key."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO llm_cache VALUES (?,?,?,?,?,?,?,?)",
                (key, model, response, finish_reason, prompt_tokens, completion_tokens, seconds, time.time()),
            )

    def log_call(self, key: str, model: str, purpose: str | None, prompt_hash: str | None,
                 prompt_tokens: int, completion_tokens: int, seconds: float, cache_hit: bool,
                 status: str) -> None:
        """Append one line to the call log."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO llm_calls (key, model, purpose, prompt_hash, prompt_tokens, completion_tokens,"
                " seconds, cache_hit, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (key, model, purpose, prompt_hash, prompt_tokens, completion_tokens, seconds,
                 int(cache_hit), status, time.time()),
            )

    def recent_calls(self, limit: int = 20) -> list[dict]:
        """The newest entries of the call log, newest first."""
        rows = self.query("SELECT * FROM llm_calls ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    # --- sentence embeddings -------------------------------------------------------------------
    def get_embeddings(self, model: str, text_sha256s: list[str]) -> dict[str, bytes]:
        """The stored vectors (float32 bytes) of these text hashes for one embedder; unknown ones are absent."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(text_sha256s))
        for start in range(0, len(unique), 500):  # stay under SQLite's bound-parameter limit
            batch = unique[start:start + 500]
            rows = self.query(f"SELECT text_sha256, vector FROM embeddings WHERE model=? AND text_sha256 IN "
                              f"({','.join('?' * len(batch))})", (model, *batch))
            found.update((r["text_sha256"], bytes(r["vector"])) for r in rows)
        return found

    def put_embeddings(self, model: str, vectors: dict[str, bytes], dim: int) -> None:
        """Store vectors (float32 bytes) by text hash for one embedder, in one transaction."""
        now = time.time()
        with self.transaction() as cur:
            cur.executemany("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?,?)",
                            [(model, key, dim, blob, now) for key, blob in vectors.items()])

    # --- events ----------------------------------------------------------------------------------
    def event_features(self) -> list[dict]:
        """Every stored clustering feature row (article id, embedder, vector bytes, names, words, day)."""
        return [dict(r) for r in self.query("SELECT * FROM event_features")]

    def save_event_features(self, rows: list[tuple]) -> None:
        """Store feature rows (article id, embedder, vector, names json, words json, day), in one transaction."""
        with self.transaction() as cur:
            cur.executemany("INSERT OR REPLACE INTO event_features VALUES (?,?,?,?,?,?)", rows)

    def event_members(self) -> dict[str, str]:
        """Article id -> the id of its event."""
        return {r["article_id"]: r["event_id"] for r in self.query("SELECT article_id, event_id FROM event_members")}

    def save_events(self, events: dict[str, str], members: list[tuple[str, str, str, float | None]]) -> None:
        """Create or relabel EVENTS (id -> label) and add MEMBERS (article, event, how, score), in one transaction."""
        now = time.time()
        with self.transaction() as cur:
            cur.executemany("INSERT INTO events VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET label=excluded.label,"
                            " updated_at=excluded.updated_at", [(i, label, now, now) for i, label in events.items()])
            cur.executemany("INSERT OR REPLACE INTO event_members VALUES (?,?,?,?,?)",
                            [(a, e, how, score, now) for a, e, how, score in members])
            cur.execute("DELETE FROM events WHERE id NOT IN (SELECT event_id FROM event_members)")

    def clear_events(self) -> None:
        """Forget every event and membership (the features stay)."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM event_members")
            cur.execute("DELETE FROM events")

    def event_rows(self) -> list[dict]:
        """One row per member article: event id, label, how it joined, and the article's summary fields."""
        rows = self.query(
            "SELECT e.id AS event_id, e.label, m.how, m.score, a.id, a.path, a.title, a.outlet, a.published,"
            " a.derivative_of, a.ingested_at FROM events e JOIN event_members m ON m.event_id = e.id"
            " JOIN articles a ON a.id = m.article_id ORDER BY a.ingested_at, a.id")
        return [dict(r) for r in rows]


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def dumps(obj: object) -> str:
    """Canonical JSON: sorted keys, no spaces, for hashing and storing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


_default: Store | None = None


def open_store() -> Store:
    """The process-wide store for the current workspace."""
    global _default
    if _default is None or _default.path != config.db_path():
        _default = Store(config.db_path())
    return _default
