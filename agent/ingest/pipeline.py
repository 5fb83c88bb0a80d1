"""Files to stored articles: expand paths, read and clean each file, detect duplicates and derivatives, save."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from agent.errors import BadInput
from agent.ingest import boilerplate, derivatives
from agent.ingest.assemble import build_article
from agent.ingest.decode import decode_bytes, strip_invisible
from agent.ingest.limits import FileTimeout, Limits, check_lines, deadline, display_path
from agent.ingest.readers import (HTML_SUFFIXES, JSON_SUFFIXES, SUPPORTED, Document, read_html, read_json,
                                  read_plain)
from agent.store import Store
from agent.types import Article

DEFAULT_MAX_BYTES = Limits().max_bytes


@dataclass
class IngestReport:
    """What one ingest did: articles added, articles already stored (same content), files that failed."""

    added: list[Article] = field(default_factory=list)
    existing: list[Article] = field(default_factory=list)
    failed: list[BadInput] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def parse_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None) -> Article:
    """The one article in a file (pure: no store); BadInput when it cannot be used or holds several."""
    articles = parse_path(path, max_bytes=max_bytes, limits=limits)
    if len(articles) != 1:
        raise BadInput(display_path(path), f"holds {len(articles)} articles; use parse_path() for multi-record files")
    return articles[0]


def parse_path(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None) -> list[Article]:
    """Every article in one file (a .jsonl or a JSON list may hold several), cleaned without corpus statistics."""
    limits = limits or Limits(max_bytes=max_bytes)
    with guarded(Path(path), limits):
        return [build_article(doc, max_sentence_chars=limits.max_sentence_chars)
                for doc in read_documents(Path(path), limits=limits)]


def read_documents(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, raw: bytes | None = None,
                   limits: Limits | None = None) -> list[Document]:
    """Read, size-check and decode one file into documents (one per article record)."""
    limits = limits or Limits(max_bytes=max_bytes)
    name = display_path(path)
    if raw is None:
        raw = _read_bytes(path, limits.max_bytes)
    if len(raw) > limits.max_bytes:
        raise BadInput(name, f"file is {len(raw):,} bytes, over the {limits.max_bytes:,}-byte size cap (--max-bytes)")
    decoded = decode_bytes(raw, name)
    sha = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        docs = read_json(decoded.text, name, raw, suffix, limits)
    elif suffix in HTML_SUFFIXES:  # minified pages are one long line: their text lines are checked below
        docs = [read_html(decoded.text, name, sha, limits)]
    else:
        check_lines(decoded.text, name, limits)
        docs = [read_plain(decoded.text, name, sha, markdown=suffix in (".md", ".markdown"), limits=limits)]
    for doc in docs:
        doc.removed[:0] = decoded.removed
        _strip_decoded(doc)
        check_lines("\n".join(doc.lines), name, limits)
    return docs


def _strip_decoded(doc: Document) -> None:
    """Invisible characters that JSON escapes or HTML character references decoded to, removed and logged."""
    doc.lines = strip_invisible("\n".join(doc.lines), doc.removed).split("\n")
    for key in ("title", "outlet", "byline", "url"):
        value = getattr(doc.meta, key)
        if isinstance(value, str):
            doc.meta = replace(doc.meta, **{key: strip_invisible(value, doc.removed)})


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = display_path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadInput(name, f"file is {size:,} bytes, over the {max_bytes:,}-byte size cap (--max-bytes)")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(name, "no such file or directory") from None
    except IsADirectoryError:
        raise BadInput(name, "is a directory") from None
    except PermissionError:
        raise BadInput(name, "permission denied") from None


@contextmanager
def guarded(path: Path, limits: Limits) -> Iterator[None]:
    """Any failure reading or cleaning one file becomes one BadInput naming it; the time per file is bounded."""
    name = display_path(path)
    try:
        with deadline(limits.max_seconds):
            yield
    except BadInput as exc:
        raise BadInput(name, exc.reason) from None
    except FileTimeout:
        raise BadInput(name, f"took over {limits.max_seconds:g} s to read and clean (raise it with --max-seconds)"
                       ) from None
    except (RecursionError, MemoryError) as exc:
        raise BadInput(name, f"too complex to process ({type(exc).__name__})") from None
    except Exception as exc:  # one hostile file must never stop the batch: name it, say why, go on
        raise BadInput(name, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})") from None


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[BadInput]]:
    """Files named or found (recursively, sorted) in folders; BadInput for missing paths and empty folders."""
    files: list[Path] = []
    failed: list[BadInput] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            refused: list[BadInput] = []
            found = _folder_files(path, refused)
            failed += refused
            if not found and not refused:
                kinds = ", ".join(sorted(SUPPORTED))
                failed.append(BadInput(display_path(path), f"directory has no supported files ({kinds})"))
            files.extend(found)
        elif not path.exists():
            failed.append(BadInput(display_path(path), "no such file or directory"))
        elif not _supported(path) and path.suffix:
            failed.append(BadInput(display_path(path), f"unsupported file type {path.suffix!r} (supported: "
                                                       f"{', '.join(sorted(SUPPORTED))})"))
        else:
            files.append(path)
    unique = list(dict.fromkeys(files))
    return unique, failed


def _folder_files(root: Path, failed: list[BadInput]) -> list[Path]:
    """Supported files under ROOT; a symbolic link that leads outside ROOT is reported, never followed."""
    inside = root.resolve()
    found = []
    for p in sorted(root.rglob("*")):
        if _hidden(p, root) or not _supported(p) or not p.is_file():
            continue
        if p.is_symlink() and not p.resolve().is_relative_to(inside):
            failed.append(BadInput(display_path(p), "symbolic link to a file outside the folder; not followed"))
            continue
        found.append(p)
    return found


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def batch_articles(docs_by_file: dict[Path, list[Document]], known: frozenset[str] = frozenset(),
                   on_error: Callable[[BadInput], None] | None = None,
                   limits: Limits = Limits()) -> dict[Path, list[Article]]:
    """Clean every document with corpus statistics over the whole batch (lines repeated across articles)."""
    counts: Counter = boilerplate.corpus_counts(doc.lines for docs in docs_by_file.values() for doc in docs)
    out: dict[Path, list[Article]] = {}
    for path, docs in docs_by_file.items():
        try:
            with guarded(path, limits):
                out[path] = [build_article(doc, counts, known, limits.max_sentence_chars) for doc in docs]
        except BadInput as exc:
            if on_error is None:
                raise
            on_error(exc)
    return out


def ingest_paths(paths: Iterable[str | Path], store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 limits: Limits | None = None) -> IngestReport:
    """Ingest files and folders: one transaction per file, duplicates stored once, derivatives marked."""
    limits = limits or Limits(max_bytes=max_bytes)
    report = IngestReport()
    clock = _Clock(report.seconds)
    files, report.failed = expand_paths(paths)
    with clock("read"):
        docs_by_file = _read_new(files, store, limits, report)
    with clock("clean"):
        known = frozenset(boilerplate.norm(t) for t in store.repeated_boilerplate())
        articles = batch_articles(docs_by_file, known, on_error=report.failed.append, limits=limits)
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


def _read_new(files: list[Path], store: Store, limits: Limits, report: IngestReport) -> dict[Path, list[Document]]:
    """Documents of the files whose exact bytes are not stored yet (those are reported as existing)."""
    docs: dict[Path, list[Document]] = {}
    seen_raw: set[str] = set()
    for path in files:
        try:
            with guarded(path, limits):
                raw = _read_bytes(path, limits.max_bytes)
                sha = hashlib.sha256(raw).hexdigest()
                known = store.article_for_raw(sha)
                if known and store.has_article(known):
                    report.existing.append(store.get_article(known))
                    continue
                if sha in seen_raw:
                    continue  # the same bytes twice in one batch: the first copy speaks for both
                seen_raw.add(sha)
                docs[path] = read_documents(path, raw=raw, limits=limits)
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
    """One transaction per file, holding its articles and every link whose second end it saves.

    A link is written with whichever of its two articles is saved last, so a run killed between two
    files leaves no stored pair unlinked; the next run finds the links of the files it redoes.
    """
    by_end: dict[str, list[derivatives.Link]] = {}
    for link in links.values():
        by_end.setdefault(link.id, []).append(link)
        by_end.setdefault(link.original, []).append(link)
    saved: set[str] = set()
    written: dict[str, derivatives.Link] = {}
    for path in dict.fromkeys([*fresh, *dupes]):
        items = fresh.get(path, [])
        try:
            with store.transaction() as cur:
                for article in items:
                    store.save_article(article.model_copy(update={"derivative_of": None, "similarity": None}), cur)
                    store.save_signature(article.id, sigs[article.id], cur)
                for dup in dupes.get(path, []):
                    store.record_source(dup.raw_sha256, dup.path, dup.id, cur)
                ready = {a.id for a in items} | saved
                done = _link(store, cur, [k for a in items for k in by_end.get(a.id, [])], ready, sigs)
        except (UnicodeError, ValueError) as exc:  # data the store refuses: this file fails, the batch goes on
            report.failed.append(BadInput(display_path(path), f"could not be stored ({type(exc).__name__}: {exc})"))
            continue
        saved |= {a.id for a in items}
        written.update((link.id, link) for link in done)
        report.added += items
    for article in report.added:
        if article.id in written:
            article.derivative_of, article.similarity = written[article.id].original, written[article.id].similarity


def _link(store: Store, cur, candidates: list[derivatives.Link], ready: set[str],
          new: dict[str, bytes]) -> list[derivatives.Link]:
    """Write each link whose two articles are stored now (saved in this run, or stored before it)."""
    done = []
    for link in {id(k): k for k in candidates}.values():
        if all(end in ready or (end not in new and store.has_article(end)) for end in (link.id, link.original)):
            store.set_derivative(link.id, link.original, link.similarity, cur)
            store.repoint_derivatives(link.id, link.original, cur)
            done.append(link)
    return done
