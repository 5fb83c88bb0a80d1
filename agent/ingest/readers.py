"""File formats to documents: plain text and Markdown (front matter, header lines), HTML, JSON and JSON Lines."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field

import yaml

from agent.errors import BadInput
from agent.ingest import metadata
from agent.ingest.decode import normalise_whitespace
from agent.ingest.limits import Limits, bracket_depth, check_depth, nesting_depth, scrub_surrogates
from agent.ingest.metadata import Meta
from agent.types import RemovedLine

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
TEXT_KEYS = ("text", "content", "body", "article", "body-paragraphs", "body_paragraphs", "paragraphs")


@dataclass
class Document:
    """One article as read from its file: body lines before cleaning, explicit metadata, what reading dropped."""

    path: str
    raw_sha256: str
    lines: list[str]
    meta: Meta = field(default_factory=Meta)
    removed: list[RemovedLine] = field(default_factory=list)
    title_is_first_line: bool = False  # the title is line 1 of `lines` (plain text without a declared title)


def read_plain(text: str, path: str, raw_sha256: str, markdown: bool, limits: Limits = Limits()) -> Document:
    """A .txt or .md file: YAML front matter or `Key: value` header lines, then the body."""
    lines = text.split("\n")
    meta, body = _front_matter(lines, path, limits)
    if meta is None:
        meta, body = _header_lines(lines)
    doc = Document(path=path, raw_sha256=raw_sha256, lines=body, meta=meta)
    if markdown:
        doc.lines = [_markdown_line(line, doc.removed) for line in doc.lines]
    doc.lines = unwrap(doc.lines)
    doc.title_is_first_line = doc.meta.title is None
    return doc


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases: an alias bomb expands a few hundred bytes into millions of items."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed in front matter",
                                              self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _front_matter(lines: list[str], path: str, limits: Limits) -> tuple[Meta | None, list[str]]:
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != "---":
        return None, lines
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, lines
    block = "\n".join(lines[start + 1:end])
    check_depth(max(bracket_depth(block), _indent_depth(lines[start + 1:end])), "front matter", path, limits)
    try:
        data = yaml.load(block, Loader=_NoAliasLoader)  # noqa: S506 (a safe loader, without aliases)
    except yaml.composer.ComposerError as exc:
        raise BadInput(path, f"front matter: {exc.problem}") from None
    except yaml.YAMLError:
        return None, lines  # not front matter after all: the header-line reader gets a chance
    if not isinstance(data, dict):
        return None, lines
    return metadata.meta_from_mapping(data, "front_matter"), lines[end + 1:]


def _indent_depth(lines: list[str]) -> int:
    """How many distinct indentation levels a YAML block uses (block nesting needs one per level)."""
    return len({len(line) - len(line.lstrip(" -")) for line in lines if line.strip()})


def _header_lines(lines: list[str]) -> tuple[Meta, list[str]]:
    """Leading `Outlet: X` / `Published: Y` lines, optionally after a first title line."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return Meta(), lines
    first = nonblank[0]
    title = None
    start = first
    if metadata.header_field(lines[first]) is None:
        nxt = nonblank[1] if len(nonblank) > 1 else None
        if nxt is None or nxt != first + 1 or metadata.header_field(lines[nxt]) is None:
            return Meta(), lines
        title, start = lines[first].strip(), nxt
    values: dict[str, str] = {}
    end = start
    while end < len(lines) and lines[end].strip() and (field_value := metadata.header_field(lines[end])):
        values.setdefault(field_value[0], field_value[1])
        end += 1
    if title and "title" not in values:
        values["title"] = title
    return _meta_from_headers(values), lines[end:]


def _meta_from_headers(values: dict[str, str]) -> Meta:
    published = metadata.parse_date(values.get("published"))
    return Meta(
        title=values.get("title"), outlet=values.get("outlet"),
        outlet_source="header:Outlet" if values.get("outlet") else None,
        byline=values.get("byline"), url=values.get("url"), published=published,
        published_source="header:Published" if published else None,
    )


# Every repeat is bounded or stops at the next delimiter, so a line is scanned in linear time.
_MD_IMAGE = re.compile(r"!\[[^\]\[]{0,500}\]\([^()]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]\[]{1,500})\]\((?:[^()\s]|\([^()]{0,200}\)){0,2000}(?:\s+\"[^\"]{0,500}\")?\)")
_MD_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*|__(?=\S)([^_]+?)(?<=\S)__")


def _markdown_line(line: str, removed: list[RemovedLine]) -> str:
    """Markdown syntax to plain text: headings, quotes, lists, emphasis, links; images dropped and logged."""
    for image in _MD_IMAGE.findall(line):
        removed.append(RemovedLine(text=image, reason="markdown image"))
    line = _MD_IMAGE.sub("", line)
    for link in _MD_LINK.finditer(line):
        removed.append(RemovedLine(text=link.group(), reason="markdown link target (the link text is kept)"))
    line = _MD_LINK.sub(r"\1", line)
    if re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line):
        return ""
    line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", "", line)
    line = _MD_STRONG.sub(lambda m: m.group(1) or m.group(2), line)
    line = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", line)
    line = re.sub(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])", r"\1", line)
    return html.unescape(re.sub(r"`([^`]+)`", r"\1", line)).strip()


def unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped paragraphs (blocks of similar-length lines not ending in punctuation) into one line each."""
    out: list[str] = []
    block: list[str] = []
    for line in lines + [""]:
        if line.strip():
            block.append(line)
            continue
        out.extend([_join(block)] if _is_wrapped(block) else block)
        out.append("")
        block = []
    return out[:-1]


def _is_wrapped(block: list[str]) -> bool:
    if len(block) < 3:
        return False
    body = block[:-1]
    in_range = sum(40 <= len(line) <= 100 for line in body)
    open_ends = sum(not re.search(r"[.!?:\"”]$", line) for line in body)
    return max(len(line) for line in block) <= 100 and in_range >= 0.7 * len(body) and open_ends >= 0.5 * len(body)


def _join(block: list[str]) -> str:
    text = block[0].strip()
    for line in block[1:]:
        glue = "" if text.endswith("-") and line[:1].islower() else " "
        text += glue + line.strip()
    return text


def read_json(text: str, path: str, raw: bytes, suffix: str, limits: Limits = Limits()) -> list[Document]:
    """A .json file (one object or a list of them) or .jsonl (one object per line)."""
    if suffix in (".jsonl", ".ndjson"):
        records = []
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                item = _loads(line, path, f"line {number}: ", limits)
                records.append((f"line {number}", item, line.encode("utf-8", "replace")))
    else:
        data = _loads(text, path, "", limits)
        items = data if isinstance(data, list) else [data]
        records = [(f"record {i + 1}", item, _canonical(item)) for i, item in enumerate(items)]
    if not records:
        raise BadInput(path, "JSON holds no article records")
    single = len(records) == 1
    docs = []
    for n, (where, item, blob) in enumerate(records):
        digest = hashlib.sha256(raw if single else blob)
        try:
            docs.append(_json_document(item, path if single else f"{path}#{n + 1}", where, digest))
        except BadInput as exc:
            raise BadInput(path, exc.reason) from None  # the file is what the user named; the reason says where
    return docs


def _loads(text: str, path: str, where: str, limits: Limits) -> object:
    """Parse JSON: huge integers kept as their digits, lone surrogates replaced, nesting bounded."""
    try:
        data = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise BadInput(path, f"{where}JSON does not parse: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadInput(path, f"{where}JSON nests deeper than the parser can follow (limit {limits.max_depth}, "
                             "--max-depth)") from None
    check_depth(nesting_depth(data), f"{where}JSON", path, limits)
    return scrub_surrogates(data)


def _int(digits: str) -> int | str:
    """A JSON integer; one too long for int() (Python refuses over 4,300 digits) stays a string of digits."""
    return int(digits) if len(digits) <= 100 else digits


def _canonical(item: object) -> bytes:
    return json.dumps(item, sort_keys=True, ensure_ascii=False).encode()


def _json_document(item: object, path: str, where: str, digest) -> Document:
    if not isinstance(item, dict):
        raise BadInput(path, f"{where}: JSON record is a {type(item).__name__}, not an object with a text field")
    lowered = {str(k).lower(): v for k, v in item.items()}
    body = next((lowered[k] for k in TEXT_KEYS if lowered.get(k)), None)
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        body = "\n\n".join(body)
    if not isinstance(body, str) or not body.strip():
        raise BadInput(path, f"{where}: JSON record has no 'text' or 'content' field with text")
    removed: list[RemovedLine] = []
    if re.search(r"<(p|div|br|span|a|h[1-6]|li)\b[^>]*>", body, re.I):
        body = "\n\n".join(html_blocks(body, removed))
    lines = unwrap(normalise_whitespace(body).split("\n"))
    meta = metadata.meta_from_mapping(item, "json")
    return Document(path=path, raw_sha256=digest.hexdigest(), lines=lines, meta=meta, removed=removed,
                    title_is_first_line=False)


def html_blocks(html: str, removed: list[RemovedLine]) -> list[str]:
    """The visible text blocks of an HTML fragment, hidden content dropped and logged."""
    from agent.ingest.html import parse_html, strip_hidden, visible_blocks

    tree = parse_html(html)
    strip_hidden(tree, removed)
    return visible_blocks(tree)


def read_html(text: str, path: str, raw_sha256: str, limits: Limits = Limits()) -> Document:
    """An HTML page: hidden content removed, the main text extracted, title/date/site from its metadata."""
    from agent.ingest.html import extract

    body, meta, removed = extract(text, path)
    lines = unwrap(normalise_whitespace(body).split("\n"))
    return Document(path=path, raw_sha256=raw_sha256, lines=lines, meta=meta, removed=removed)
