"""Bytes to clean Unicode: encoding detection, mojibake repair, invisible characters, whitespace."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import charset_normalizer
import ftfy

from agent.errors import BadInput
from agent.text.safety import INVISIBLE
from agent.types import RemovedLine

# Magic numbers of formats that are never article text.
BINARY_MAGIC = {
    b"%PDF": "a PDF file", b"PK\x03\x04": "a ZIP archive (docx/xlsx/zip)", b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable", b"SQLite format 3": "an SQLite database", b"\xd0\xcf\x11\xe0": "an Office file",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline, including NBSP and the Unicode spaces


@dataclass
class Decoded:
    """Decoded text, the encoding it came from, and what decoding removed or repaired."""

    text: str
    encoding: str
    removed: list[RemovedLine] = field(default_factory=list)


def decode_bytes(raw: bytes, path: str) -> Decoded:
    """Decode RAW (UTF-8 with or without BOM, UTF-16, cp1252...), repair mojibake, drop invisible characters."""
    if not raw.strip():
        raise BadInput(path, "empty file" if not raw else "file contains only whitespace")
    for magic, what in BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise BadInput(path, f"binary file ({what}), not text")
    text, encoding = _decode(raw, path)
    if not text.strip():
        raise BadInput(path, "file contains only whitespace")
    removed: list[RemovedLine] = []
    text = _repair_mojibake(text, removed)  # before stripping controls: C1 bytes are part of mojibake
    text = strip_invisible(text, removed)
    return Decoded(text=normalise_whitespace(text), encoding=encoding, removed=removed)


def _decode(raw: bytes, path: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(raw, "utf-16", path), "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(raw, "utf-8-sig", path), "utf-8-sig"
    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is None:
            raise BadInput(path, "binary file (contains NUL bytes), not text")
        return _strict(raw, utf16, path), utf16
    try:
        return _check_controls(raw.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        raise BadInput(path, "undecodable bytes: not UTF-8, UTF-16 or a known 8-bit encoding")
    encoding = _prefer_cp1252(matches, best)
    return _check_controls(raw.decode(encoding), path), encoding


def _prefer_cp1252(matches, best) -> str:
    """The detector's pick, unless cp1252 reads the bytes just as well (short Western texts tie with cp1250)."""
    for m in matches:
        if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos and m.coherence >= best.coherence - 0.01:
            return "cp1252"
    return best.encoding


def _strict(raw: bytes, encoding: str, path: str) -> str:
    try:
        return _check_controls(raw.decode(encoding), path)
    except UnicodeDecodeError as exc:
        raise BadInput(path, f"undecodable bytes as {encoding} at byte {exc.start}") from None


def _utf16_without_bom(raw: bytes) -> str | None:
    """utf-16-le/be when NUL bytes sit on every other byte, as in ASCII-heavy UTF-16 text."""
    even, odd = raw[0::2], raw[1::2]
    if len(raw) < 4 or len(raw) % 2:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _check_controls(text: str, path: str) -> str:
    """Text with many control characters is binary that happened to decode."""
    controls = len(CONTROL.findall(text))
    if controls > max(8, len(text) // 200):
        raise BadInput(path, f"binary file ({controls} control characters), not text")
    return text


def strip_invisible(text: str, removed: list[RemovedLine]) -> str:
    """TEXT without zero-width, bidi, tag and control characters, each kind counted in REMOVED."""
    found = INVISIBLE.findall(text)
    controls = CONTROL.findall(text)
    if not found and not controls:
        return text
    tags = "".join(chr(ord(c) - 0xE0000) for c in found if 0xE0020 <= ord(c) <= 0xE007E)
    counts = Counter(found + controls)
    summary = ", ".join(f"U+{ord(c):04X}×{n}" for c, n in counts.most_common())
    removed.append(RemovedLine(text=summary, reason="invisible unicode (zero-width, bidi, tag or control characters)"))
    if tags:
        removed.append(RemovedLine(text=tags, reason="text hidden in unicode tag characters"))
    return CONTROL.sub(lambda m: "\n" if m.group() in "\x0b\x1c\x1d\x1e\x85" else "", INVISIBLE.sub("", text))


def _repair_mojibake(text: str, removed: list[RemovedLine]) -> str:
    """Fix text that was decoded with the wrong codec (ftfy), logging every changed line as it was."""
    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return text
    before, after = text.split("\n"), fixed.split("\n")
    if len(before) == len(after):
        for old, new in zip(before, after):
            if old != new:
                removed.append(RemovedLine(text=old.strip(), reason="mojibake repaired (line replaced by its fixed form)"))
    else:
        removed.append(RemovedLine(text=text[:200], reason="mojibake repaired (text replaced by its fixed form)"))
    return fixed


def normalise_whitespace(text: str) -> str:
    """NFC, \\n line ends, one space between words, no trailing spaces; blank lines kept."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\f", "\n")
    return "\n".join(SPACES.sub(" ", line).strip() for line in text.split("\n"))
