"""Article metadata: explicit fields (front matter, headers, JSON, HTML) and what the text itself names."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, fields, replace

from dateutil import parser as dateparser

MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
HEADER_KEYS = {
    "title": "title", "headline": "title",
    "outlet": "outlet", "source": "outlet", "publisher": "outlet", "publication": "outlet", "site": "outlet",
    "published": "published", "date": "published", "published at": "published", "publish date": "published",
    "url": "url", "link": "url", "by": "byline", "author": "byline", "authors": "byline", "byline": "byline",
}
HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]{0,14}?)\s*:\s*(?P<value>\S.*)$")
# Words that make the last part of a byline an organisation, not a person or a role.
OUTLET_WORDS = re.compile(
    r"\b(news|times|post|press|journal|herald|radio|tv|television|network|agency|wire|daily|tribune|gazette|"
    r"telegraph|guardian|reuters|bloomberg|courier|chronicle|review|magazine|media|broadcasting|report|today|"
    r"observer|standard|star|mail|express|independent|weekly|insider|world|channel|service)\b", re.I)
ROLE_WORDS = re.compile(r"\b(writer|reporter|correspondent|editor|staff|contributor|columnist|analyst|producer)\b", re.I)
NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|da|van|von|der|al|bin|el|la|le))*"
BYLINE = re.compile(rf"^By\s+(?P<names>{NAME}(?:\s*(?:,|and|&)\s*{NAME})*?)"
                    rf"(?:\s*(?:,|\||/|—|–|\bfor\b|\bof\b)\s*(?P<outlet>(?:the\s+)?[A-Z][\w&.'’ -]{{1,48}}?))?\.?$")
REPORTING_BY = re.compile(rf"^\(?Reporting by\s+(?P<names>{NAME}(?:\s*(?:,|and|&)\s*{NAME})*)")
DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z'’.-]+(?:[ -][A-Z][A-Z'’.-]+)*(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?)?"
    rf"(?:,?\s*(?P<date>{MONTH}\s+\d{{1,2}}))?"
    rf"\s*(?:\((?P<wire>[A-Za-z][\w&. -]{{1,30}})\))?\s*(?:—|–|--|-)\s+(?=\S)")
WIRE_CREDIT = re.compile(r"^(?:The[- ])?(?P<outlet>[A-Za-z][\w&]*(?:[- ][A-Za-z][\w&]*)*?)[- ](?:Wire|Newswire)$", re.I)
COPYRIGHT = re.compile(r"(?i:©|\(c\)|\bcopyright\b)\s*(?:\d{4}\s*,?\s*)?(?P<outlet>(?:[Tt]he\s+)?[A-Z][\w&'’ -]*?[\w])"
                       r"(?:,?\s+\d{4})?\s*(?:$|[.,;|]|(?i:\s+All rights))")
READ_MORE = re.compile(r"^(?i:read|see|get|find)\s+more\b.*?\bfrom\s+(?P<outlet>(?:the\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*?)\.?$")
SUBSCRIBE = re.compile(r"^(?i:subscribe to)\s+(?P<outlet>(?:[Tt]he\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*)")
# Photo credits name the agency that distributed the picture with the story: "(AP Photo/Andy Wong)",
# "(… Kremlin Pool Photo via AP, File)".
PHOTO_CREDIT = re.compile(r"\((?=[^()]*\bPhoto\b)[^()]*?(?:\bvia\s+(?P<via>[A-Z][\w&.-]{1,30})|"
                          r"(?P<own>\b[A-Z][\w&.-]{1,30})\s+Photo\s*/)")
DATE_PREFIX = re.compile(r"^(?:(?:published|updated|posted|last updated|first published)(?:\s+on)?\s*:?\s*)", re.I)


@dataclass
class Meta:
    """Article metadata; every inferred value carries where it came from."""

    title: str | None = None
    outlet: str | None = None
    outlet_source: str | None = None
    byline: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_source: str | None = None

    def merged(self, other: "Meta") -> "Meta":
        """These values, with OTHER filling the gaps (a value here always wins)."""
        updates = {}
        for f in fields(self):
            if getattr(self, f.name) is None and getattr(other, f.name) is not None:
                updates[f.name] = getattr(other, f.name)
        if updates.get("outlet") is None:
            updates.pop("outlet_source", None)
        if updates.get("published") is None:
            updates.pop("published_source", None)
        return replace(self, **updates)


def parse_date(value: object) -> dt.date | None:
    """A calendar date from a date, datetime or string that names day, month and year; else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.search(r"\b(1[89]|20)\d\d\b", value):
        return None
    text = DATE_PREFIX.sub("", value.strip())
    if not re.search(rf"\d{{4}}-\d\d-\d\d|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}|{MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{MONTH}", text):
        return None  # no day named: never invent one
    text = re.sub(r"\d{1,2}:\d\d(?::\d\d)?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}\b)?", " ", text, flags=re.I)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dateparser.parse(text, fuzzy=True, default=dt.datetime(1900, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def meta_from_mapping(data: dict, source: str) -> Meta:
    """Metadata from front matter or a JSON record; SOURCE names where it came from."""
    lowered = {str(k).lower(): v for k, v in data.items()}

    def first(*keys: str) -> object:
        for key in keys:
            value = lowered.get(key)
            if isinstance(value, dict):
                value = value.get("name") or value.get("title")
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                value = ", ".join(value)
            if value not in (None, "", []):
                return value
        return None

    outlet = first("outlet", "source", "publisher", "site_name", "sitename", "publication", "domain")
    published = parse_date(first("published", "date", "published_at", "publishedat", "pubdate", "datetime"))
    return Meta(
        title=_text(first("title", "headline")), outlet=_text(outlet),
        outlet_source=source if outlet else None, byline=_text(first("byline", "author", "authors")),
        url=_text(first("url", "link", "canonical_url")), published=published,
        published_source=source if published else None,
    )


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value is not None else None


def header_field(line: str) -> tuple[str, str] | None:
    """`Outlet: NAME` style header lines: (field, value), or None."""
    m = HEADER_LINE.match(line)
    if not m or m.group("key").strip().lower() not in HEADER_KEYS:
        return None
    return HEADER_KEYS[m.group("key").strip().lower()], m.group("value").strip()


def date_line(line: str) -> dt.date | None:
    """The date when LINE is nothing but a date ("February 28, 2023", "Updated 10:32 AM, Tue Feb 28, 2023")."""
    if len(line) > 80 or not re.search(r"(1[89]|20)\d\d", line):
        return None
    rest = DATE_PREFIX.sub("", line.strip())
    rest = re.sub(rf"{WEEKDAY}|\d{{1,2}}:\d\d(?:\s*[ap]\.?m\.?)?|\b(?:[A-Z]{{2,4}}T|GMT|UTC)\b|[,|/•·-]", " ", rest, flags=re.I)
    words = re.sub(rf"{MONTH}|\b\d{{1,4}}(?:st|nd|rd|th)?\b", " ", rest).split()
    if words or len(line.split()) > 10:
        return None
    return parse_date(line)


def byline(line: str) -> tuple[str, str | None] | None:
    """(names, outlet or None) from a "By NAME, OUTLET" line."""
    if len(line.split()) > 16:
        return None
    m = BYLINE.match(line.strip())
    if m:
        names, outlet = m.group("names").strip(" ,"), (m.group("outlet") or "").strip(" .")
        return names, outlet if outlet and _looks_like_outlet(outlet) else None
    m = REPORTING_BY.match(line.strip())
    return (m.group("names").strip(" ,"), None) if m else None


def _looks_like_outlet(text: str) -> bool:
    if ROLE_WORDS.search(text) or re.search(r"\band\b|&", text) and not OUTLET_WORDS.search(text):
        return False
    return bool(OUTLET_WORDS.search(text) or re.fullmatch(r"[A-Z]{2,6}", text))


def dateline(paragraph: str) -> re.Match | None:
    """The dateline at the start of a paragraph ("BEIJING (AP) — ", "MERROW, March 12 (CWS) - ")."""
    m = DATELINE.match(paragraph)
    if not m or not (m.group("place") or m.group("date") and m.group("wire")):
        return None
    place = m.group("place") or ""
    if place and not re.search(r"[A-Z]{3}", place.replace(".", "")):
        return None  # "U.S. — ..." is not a place line
    return m


def outlet_clues(line: str) -> list[tuple[int, str, str]]:
    """(rank, outlet, source) for every outlet this line names; lower rank is stronger evidence."""
    text = line.strip()
    found = []
    by = byline(text)
    if by and by[1]:
        found.append((0, by[1], f"byline:{text}"))
    m = WIRE_CREDIT.match(text)
    if m and len(text.split()) <= 4:
        found.append((2, m.group("outlet").replace("-", " "), f"credit:{text}"))
    m = COPYRIGHT.search(text)
    if m and len(text.split()) <= 30:
        found.append((3, m.group("outlet").strip(), f"copyright:{text}"))
    m = PHOTO_CREDIT.search(text)
    if m:
        found.append((3, (m.group("via") or m.group("own")).strip(" ."), f"photo_credit:{text[:120]}"))
    for rank, pattern, tag in ((4, READ_MORE, "read_more"), (5, SUBSCRIBE, "subscribe")):
        m = pattern.search(text)
        if m and len(text.split()) <= 20:
            found.append((rank, m.group("outlet").strip(" ."), f"{tag}:{text}"))
    return found
