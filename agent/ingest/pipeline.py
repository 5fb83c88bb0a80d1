"""Files to stored articles: expand paths, read and clean each file, detect duplicates and derivatives, save."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import BadInput
from agent.ingest import boilerplate, derivatives
from agent.ingest.assemble import build_article
from agent.ingest.decode import decode_bytes
from agent.ingest.readers import (HTML_SUFFIXES, JSON_SUFFIXES, SUPPORTED, Document, read_html, read_json,
                                  read_plain)
from agent.store import Store
from agent.types import Article

DEFAULT_MAX_BYTES = 5_000_000


@dataclass
class IngestReport:
    """What one ingest did: articles added, articles already stored (same content), files that failed."""

    added: list[Article] = field(default_factory=list)
    existing: list[Article] = field(default_factory=list)
    failed: list[BadInput] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def parse_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """The one article in a file (pure: no store); BadInput when it cannot be used or holds several."""
    articles = parse_path(path, max_bytes=max_bytes)
    if len(articles) != 1:
        raise BadInput(str(path), f"holds {len(articles)} articles; use parse_path() for multi-record files")
    return articles[0]


def parse_path(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Every article in one file (a .jsonl or a JSON list may hold several), cleaned without corpus statistics."""
    return [build_article(doc) for doc in read_documents(Path(path), max_bytes)]


def read_documents(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, raw: bytes | None = None) -> list[Document]:
    """Read, size-check and decode one file into documents (one per article record)."""
    name = str(path)
    if raw is None:
        raw = _read_bytes(path, max_bytes)
    if len(raw) > max_bytes:
        raise BadInput(name, f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte size cap")
    decoded = decode_bytes(raw, name)
    sha = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        docs = read_json(decoded.text, name, raw, suffix)
    elif suffix in HTML_SUFFIXES:
        docs = [read_html(decoded.text, name, sha)]
    else:
        docs = [read_plain(decoded.text, name, sha, markdown=suffix in (".md", ".markdown"))]
    for doc in docs:
        doc.removed[:0] = decoded.removed
    return docs


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadInput(name, f"file is {size:,} bytes, over the {max_bytes:,}-byte size cap")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(name, "no such file or directory") from None
    except IsADirectoryError:
        raise BadInput(name, "is a directory") from None
    except PermissionError:
        raise BadInput(name, "permission denied") from None


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[BadInput]]:
    """Files named or found (recursively, sorted) in folders; BadInput for missing paths and empty folders."""
    files: list[Path] = []
    failed: list[BadInput] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _supported(p) and not _hidden(p, path))
            if not found:
                kinds = ", ".join(sorted(SUPPORTED))
                failed.append(BadInput(str(path), f"directory has no supported files ({kinds})"))
            files.extend(found)
        elif not path.exists():
            failed.append(BadInput(str(path), "no such file or directory"))
        elif not _supported(path) and path.suffix:
            failed.append(BadInput(str(path), f"unsupported file type {path.suffix!r} (supported: "
                                              f"{', '.join(sorted(SUPPORTED))})"))
        else:
            files.append(path)
    unique = list(dict.fromkeys(files))
    return unique, failed


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def batch_articles(docs_by_file: dict[Path, list[Document]], known: frozenset[str] = frozenset(),
                   on_error: Callable[[BadInput], None] | None = None) -> dict[Path, list[Article]]:
    """Clean every document with corpus statistics over the whole batch (lines repeated across articles)."""
    counts: Counter = boilerplate.corpus_counts(doc.lines for docs in docs_by_file.values() for doc in docs)
    out: dict[Path, list[Article]] = {}
    for path, docs in docs_by_file.items():
        try:
            out[path] = [build_article(doc, counts, known) for doc in docs]
        except BadInput as exc:
            if on_error is None:
                raise
            on_error(exc)
    return out


def ingest_paths(paths: Iterable[str | Path], store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES) -> IngestReport:
    """Ingest files and folders: one transaction per file, duplicates stored once, derivatives marked."""
    report = IngestReport()
    clock = _Clock(report.seconds)
    files, report.failed = expand_paths(paths)
    with clock("read"):
        docs_by_file = _read_new(files, store, max_bytes, report)
    with clock("clean"):
        known = frozenset(boilerplate.norm(t) for t in store.repeated_boilerplate())
        articles = batch_articles(docs_by_file, known, on_error=report.failed.append)
        fresh, duplicates = _split_duplicates(articles, store, report)
    with clock("derivatives"):
        sigs, links = _derivatives(fresh, store)
    with clock("store"):
        _save(fresh, duplicates, sigs, links, store, report)
    return report


class _Clock:
    """Adds the seconds spent in each named phase to a dict."""

    def __init__(self, into: dict[str, float]):
        self.into = into

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.into[name] = self.into.get(name, 0.0) + time.perf_counter() - start


def _read_new(files: list[Path], store: Store, max_bytes: int, report: IngestReport) -> dict[Path, list[Document]]:
    """Documents of the files whose exact bytes are not stored yet (those are reported as existing)."""
    docs: dict[Path, list[Document]] = {}
    seen_raw: set[str] = set()
    for path in files:
        try:
            raw = _read_bytes(path, max_bytes)
            sha = hashlib.sha256(raw).hexdigest()
            known = store.article_for_raw(sha)
            if known and store.has_article(known):
                report.existing.append(store.get_article(known))
                continue
            if sha in seen_raw:
                continue  # the same bytes twice in one batch: the first copy speaks for both
            seen_raw.add(sha)
            docs[path] = read_documents(path, max_bytes, raw=raw)
        except BadInput as exc:
            report.failed.append(exc)
    return docs


def _split_duplicates(articles: dict[Path, list[Article]], store: Store,
                      report: IngestReport) -> tuple[dict[Path, list[Article]], dict[Path, list[Article]]]:
    """New articles by file, and articles whose cleaned text is already stored or earlier in the batch."""
    fresh: dict[Path, list[Article]] = {}
    dupes: dict[Path, list[Article]] = {}
    seen: dict[str, Article] = {}
    for path, items in articles.items():
        for article in items:
            if article.id in seen or store.has_article(article.id):
                dupes.setdefault(path, []).append(article)
                report.existing.append(seen.get(article.id) or store.get_article(article.id))
            else:
                seen[article.id] = article
                fresh.setdefault(path, []).append(article)
    return fresh, dupes


def _item(article: Article, order: tuple) -> derivatives.Item:
    return derivatives.Item(id=article.id, sentences=[s.text.casefold() for s in article.sentences], outlet=article.outlet,
                            byline=article.byline, published=article.published, order=order)


def _derivatives(fresh: dict[Path, list[Article]], store: Store) -> tuple[dict[str, bytes], dict[str, derivatives.Link]]:
    """Signatures of the new articles and the derivative links among new and stored articles."""
    times = store.ingest_times()
    detector = derivatives.Detector(load=lambda i: _item(store.get_article(i), (0, times.get(i, 0.0))))
    for article_id, blob in store.signatures().items():
        detector.add_stored(article_id, derivatives.decode(blob))
    sigs: dict[str, bytes] = {}
    pairs: list[tuple[str, str, float]] = []
    new = [a for items in fresh.values() for a in items]
    for n, article in enumerate(new):
        sig = derivatives.signature(article.text)
        sigs[article.id] = derivatives.encode(sig)
        pairs += detector.add_new(_item(article, (1, n)), sig)
    return sigs, derivatives.resolve(pairs, store.derivative_links())


def _save(fresh: dict[Path, list[Article]], dupes: dict[Path, list[Article]], sigs: dict[str, bytes],
          links: dict[str, derivatives.Link], store: Store, report: IngestReport) -> None:
    """One transaction per file; links to articles saved later, and changes to stored ones, in a last one."""
    saved: set[str] = set()
    deferred: list[derivatives.Link] = []
    for path in dict.fromkeys([*fresh, *dupes]):
        items = sorted(fresh.get(path, []), key=lambda a: a.id in links)
        with store.transaction() as cur:
            for article in items:
                link = links.get(article.id)
                ready = link is not None and (link.original in saved or store.has_article(link.original))
                if link is not None:
                    article.derivative_of, article.similarity = link.original, link.similarity
                    if not ready:
                        deferred.append(link)
                store.save_article(article.model_copy(update={} if ready else {"derivative_of": None,
                                                                             "similarity": None}), cur)
                store.save_signature(article.id, sigs[article.id], cur)
                saved.add(article.id)
            for dup in dupes.get(path, []):
                store.record_source(dup.raw_sha256, dup.path, dup.id, cur)
        report.added += items
    stored_links = [link for copy, link in links.items() if copy not in saved]
    with store.transaction() as cur:
        for link in deferred + stored_links:
            store.set_derivative(link.id, link.original, link.similarity, cur)
            store.repoint_derivatives(link.id, link.original, cur)
