"""Time expressions in news text, resolved against the publication date by news conventions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Precision = Literal["day", "week", "month", "year", "range"]
Tense = Literal["past", "future"] | None

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 0, "a few": 0, "few": 0}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}

MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
         r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.|Sept)")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]\d\d|20\d\d)"
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
PART = r"(?:\s+(?:morning|afternoon|evening|night))"
COUNT = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+|a few|few|several)"
# A day-first date followed by a number is the month-first date of that number: "the 19 Sept. 11 hijackers".
_DATE = (rf"(?:{WEEKDAY},?\s+)?(?:{MONTH}\s+{DAY}(?:,?\s+{YEAR})?(?!\d)"
         rf"|{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?(?!\.?\s*\d))")
_SEASON, _UNIT = r"(?:spring|summer|autumn|winter|fall)", r"(?:day|week|month|year)"
_OF_YEAR = rf"(?:\s+(?:of\s+)?{YEAR})"
_POINT = rf"(?:{_DATE}|{WEEKDAY}|{YEAR})"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(rx, flags))
    for kind, rx, flags in [
        ("range", rf"\b(?:from\s+|(?P<between>between\s+))?(?P<a>{_POINT})\s*"
                  rf"(?:through|to|until|till|-|–|(?(between)and|(?!x)x))\s*(?P<b>{_POINT})\b", 0),
        ("iso", rf"\b{YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b", 0),
        ("date", rf"\b{_DATE}", 0),
        ("month_year", rf"\b(?:(?:early|mid|late)[- ])?{MONTH}\s+(?:of\s+)?{YEAR}\b", 0),
        ("month", rf"\b(?:(?:last|next|this|early|late|mid)[- ]|(?<=-))?{MONTH}(?![\w-])", 0),
        ("weekday", rf"\b(?:(?:last|next|this|early|late)\s+)?{WEEKDAY}{PART}?\b", 0),
        ("day", r"\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow|last\s+night"
                r"|this\s+(?:morning|afternoon|evening))\b", re.I),
        ("span", rf"\b(?:(?:in|over|during)\s+)?the\s+(?:past|last|next|coming)\s+{COUNT}\s+{_UNIT}s?\b", re.I),
        ("ago", rf"\b(?:(?:more|less)\s+than\s+|nearly\s+|almost\s+|about\s+|some\s+|over\s+)?{COUNT}\s+"
                r"(?:day|week|month|year|decade)s?\s+ago\b", re.I),
        ("relative", r"\b(?:(?:earlier|later)\s+)?(?:this|last|next)\s+(?:week(?:end)?|month|year)\b", re.I),
        ("season", rf"\b(?:(?:this|last|next|the|early|late)\s+{_SEASON}{_OF_YEAR}?|{_SEASON}{_OF_YEAR})\b", re.I),
        ("year", rf"(?<![$\d,.])\b(?:(?:since|until|by|before|after)\s+)?{YEAR}\b(?![-%\d]|\s*per)", re.I),
    ]
]
_MAY_CONTEXT = re.compile(r"\b(?:in|since|until|by|of|from|through|to|before|after|early|late|mid|last|next|this)\s+$")


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A time expression found in a text (`text[start:end]`), with its kind of pattern."""

    text: str
    start: int
    end: int
    kind: str = ""


@dataclass(frozen=True, slots=True)
class TimeValue:
    """A resolved expression: ISO date ("2023-02-28", "2023-02", "2023") or interval ("a/b", ".." open), and why."""

    text: str
    value: str | None
    precision: Precision
    note: str = ""


def find_time_expressions(text: str) -> list[TimeExpr]:
    """Every date, weekday, month, year and relative time phrase in a text, longest match first."""
    found = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if kind == "month" and m.group() == "May" and not _MAY_CONTEXT.search(text[: m.start()]):
                continue
            found.append(TimeExpr(m.group(), m.start(), m.end(), kind))
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    chosen: list[TimeExpr] = []
    for expr in found:
        if not chosen or expr.start >= chosen[-1].end:
            chosen.append(expr)
    return chosen


def _classify(text: str) -> tuple[str, re.Match[str]] | None:
    """The pattern kind an expression fully matches, with the match."""
    cleaned = re.sub(r"^(?:on|in|at|during)\s+", "", text.strip(" ,."), flags=re.I)
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(cleaned)
        if m:
            return kind, m
    return None


# --- calendar helpers ----------------------------------------------------------------------------
def _month_number(word: str) -> int:
    """1-12 for a month name or abbreviation."""
    key = word.lower().rstrip(".")
    return _MONTHS.get(key, _MONTHS.get(key[:3], 0))


def _safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None when it does not exist (Feb. 30)."""
    return date(year, month, day) if 1 <= day <= calendar.monthrange(year, month)[1] else None


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The (year, month) delta months away."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _monday(d: date) -> date:
    """The Monday of d's week."""
    return d - timedelta(days=d.weekday())


def _span(a: date, b: date) -> str:
    """An ISO interval."""
    return f"{a.isoformat()}/{b.isoformat()}"


def _count(word: str) -> int:
    """A small count from digits or words; 0 for vague counts ("a few", "several")."""
    return int(word) if word.isdigit() else _NUMBERS.get(word.lower(), 0)


def _pick(candidates: list[date], published: date, tense: Tense) -> date | None:
    """Past: latest on or before publication; future: earliest on or after; no tense: nearest."""
    if tense == "past":
        before = [d for d in candidates if d <= published]
        return max(before) if before else None
    if tense == "future":
        after = [d for d in candidates if d >= published]
        return min(after) if after else None
    return min(candidates, key=lambda d: (abs((d - published).days), d > published)) if candidates else None


# --- resolvers, one per pattern kind -----------------------------------------------------------
def _resolve_date(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    text = m.group()
    month = _month_number(re.search(MONTH, text).group())
    day = int(re.search(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?(?!\d)", re.sub(YEAR, "", text)).group(1))
    year = re.search(YEAR, text)
    if year:
        found, note = _safe_date(int(year.group()), month, day), "explicit date"
    elif published is None:
        return None, "day", "date without a year and no publication date"
    else:
        years = (published.year - 1, published.year, published.year + 1)
        found, note = _pick_year([d for y in years if (d := _safe_date(y, month, day))], text, published, tense)
    if found is None:
        return None, "day", "no such date"
    weekday = re.search(WEEKDAY, text)
    if weekday and _WEEKDAYS[weekday.group().lower()] != found.weekday():
        note += f"; {weekday.group()} does not match {found.isoformat()}"
    return found.isoformat(), "day", note


def _pick_year(candidates: list[date], text: str, published: date, tense: Tense) -> tuple[date | None, str]:
    """The year for a date written without one: the one its weekday fits, else by tense, else nearest."""
    weekday = re.search(WEEKDAY, text)
    fitting = [d for d in candidates if weekday and _WEEKDAYS[weekday.group().lower()] == d.weekday()]
    if fitting:
        return _pick(fitting, published, None), "year chosen so the weekday fits"
    chosen = _pick(candidates, published, tense)
    if chosen is None:
        return _pick(candidates, published, None), "year taken from the publication date (nearest; tense did not fit)"
    return chosen, "year taken from the publication date"


def _resolve_weekday(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    if published is None:
        return None, "day", "weekday relative to an unknown publication date"
    text = m.group().lower()
    wd = _WEEKDAYS[re.search(WEEKDAY.lower(), text).group()]
    back, ahead = (published.weekday() - wd) % 7, (wd - published.weekday()) % 7
    if text.startswith("last "):
        found, note = published - timedelta(days=back or 7), "the one before publication"
    elif text.startswith("next "):
        found, note = published + timedelta(days=ahead or 7), "the one after publication"
    elif text.startswith("this "):
        found, note = _monday(published) + timedelta(days=wd), "in the publication week"
    elif tense == "future":
        found, note = published + timedelta(days=ahead), "next such day on or after publication (future)"
    else:
        found, note = published - timedelta(days=back), "latest such day on or before publication"
    part = re.search(PART, text)
    return found.isoformat(), "day", note + (f"; {part.group().strip()}" if part else "")


def _resolve_month(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    text = m.group()
    month = _month_number(re.search(MONTH, text).group())
    modifier = (re.match(r"(last|next|this|early|late|mid)", text.lower()) or [None])[0]
    if re.search(YEAR, text):
        return f"{int(re.search(YEAR, text).group()):04d}-{month:02d}", "month", "explicit month"
    if published is None:
        return None, "month", "month without a year and no publication date"
    p = published
    if modifier == "last":
        year = p.year if month < p.month else p.year - 1
    elif modifier == "next":
        year = p.year if month > p.month else p.year + 1
    elif modifier == "this":
        year = p.year
    elif tense == "future":
        year = p.year if month >= p.month else p.year + 1
    elif tense == "past":
        year = p.year if month <= p.month else p.year - 1
    else:  # the nearest: "in February", written in December, is two months ahead, not ten behind
        year = min((p.year - 1, p.year, p.year + 1), key=lambda y: (abs((y - p.year) * 12 + month - p.month), y))
    part = f"; {modifier} in the month" if modifier in ("early", "late", "mid") else ""
    note = "year taken from the publication date" + part
    return f"{year:04d}-{month:02d}", "month", note


def _resolve_day(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    if published is None:
        return None, "day", "relative day and no publication date"
    text = " ".join(m.group().lower().split())
    offset = {"yesterday": -1, "last night": -1, "tomorrow": 1, "the day before yesterday": -2}.get(text, 0)
    return (published + timedelta(days=offset)).isoformat(), "day", f"{text} relative to publication"


def _resolve_relative(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    if published is None:
        return None, "range", "relative period and no publication date"
    words = m.group().lower().split()
    part, which, unit = (words if len(words) == 3 else [None, *words])
    step = {"last": -1, "this": 0, "next": 1}[which]
    p = published
    if unit in ("week", "weekend"):
        monday = _monday(p) + timedelta(weeks=step)
        start, end, precision, value = monday, monday + timedelta(days=6), "week", None
        if unit == "weekend":
            start, precision = monday + timedelta(days=5), "range"
            if step == -1 and p.weekday() >= 5:
                start, end = start + timedelta(weeks=1), end + timedelta(weeks=1)
    elif unit == "month":
        y, mo = _shift_month(p.year, p.month, step)
        start, end, precision, value = date(y, mo, 1), _month_end(y, mo), "month", f"{y:04d}-{mo:02d}"
    else:
        y = p.year + step
        start, end, precision, value = date(y, 1, 1), date(y, 12, 31), "year", f"{y:04d}"
    if part == "earlier":
        return _span(start, p), "range", f"from the start of the {unit} to publication"
    if part == "later":
        return _span(p, end), "range", f"from publication to the end of the {unit}"
    return value or _span(start, end), precision, f"{which} {unit} relative to publication"


def _resolve_span(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    words = m.group().lower().split()
    unit = words[-1].rstrip("s")
    n = _count(" ".join(words[words.index("the") + 2 : -1]))
    if published is None or not n:
        return None, "range", "vague count" if published else "relative period and no publication date"
    forward = words[words.index("the") + 1] in ("next", "coming")
    other = _offset(published, n if forward else -n, unit)
    return (_span(published, other) if forward else _span(other, published)), "range", f"{n} {unit}s around publication"


def _offset(d: date, n: int, unit: str) -> date:
    """d moved n days, weeks, months, years or decades (month ends clamped)."""
    if unit in ("day", "week"):
        return d + timedelta(days=n * (7 if unit == "week" else 1))
    y, mo = _shift_month(d.year, d.month, n * {"month": 1, "year": 12, "decade": 120}[unit])
    return date(y, mo, min(d.day, calendar.monthrange(y, mo)[1]))


def _resolve_ago(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    text = " ".join(m.group().lower().split())
    qualifier = re.match(r"(more than|less than|nearly|almost|about|some|over)\s", text)
    rest = text[qualifier.end() :] if qualifier else text
    count, unit = re.match(rf"({COUNT.lower()})\s+(\w+?)s?\s+ago", rest).groups()
    n = _count(count)
    if published is None or not n:
        return None, "range", "vague count" if published else "relative to an unknown publication date"
    anchor = _offset(published, -n, unit)
    q = qualifier.group(1) if qualifier else ""
    if q in ("more than", "over"):
        return f"../{anchor.isoformat()}", "range", f"{q} {n} {unit}(s) before publication"
    if q == "less than":
        return _span(anchor, published), "range", f"less than {n} {unit}(s) before publication"
    note = f"{n} {unit}(s) before publication" + ("; approximate" if q or unit in ("year", "decade") else "")
    if unit == "day":
        return anchor.isoformat(), "day", note
    if unit == "week":
        return _span(_monday(anchor), _monday(anchor) + timedelta(days=6)), "week", note
    if unit == "month":
        return f"{anchor.year:04d}-{anchor.month:02d}", "month", note
    return f"{anchor.year:04d}", "year", note


def _resolve_season(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    text = m.group().lower()
    name = re.search(r"spring|summer|autumn|winter|fall", text).group()
    first, last = _SEASONS[name]
    year = re.search(YEAR, text)
    def bounds(y: int) -> tuple[date, date]:
        """The first and last day of the season starting in year y."""
        return date(y, first, 1), _month_end(y + (last < first), last)
    if year:
        start, end = bounds(int(year.group()))
    elif published is None:
        return None, "range", "season without a year and no publication date"
    else:
        years = [published.year - 2 + i for i in range(4)]
        modifier = text.split()[0]
        if modifier == "last" or (modifier != "next" and tense != "future"):
            start, end = max((bounds(y) for y in years if bounds(y)[0] <= published), key=lambda b: b[0])
            if modifier == "last" and end >= published:
                start, end = bounds(start.year - 1)
        else:
            start, end = min((bounds(y) for y in years if bounds(y)[1] >= published), key=lambda b: b[0])
            if modifier == "next" and start <= published:
                start, end = bounds(start.year + 1)
    return _span(start, end), "range", f"{name} (northern-hemisphere months)"


def _resolve_year(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    text = m.group().lower()
    year = int(re.search(YEAR, text).group())
    word = text.split()[0]
    until = published.isoformat() if published else ".."
    if word == "since":
        return f"{year:04d}-01-01/{until}", "range", "since the start of the year" + ("" if published else "; open end")
    if word in ("until", "by"):
        return f"../{year:04d}-12-31", "range", f"{word} the end of the year"
    if word == "before":
        return f"../{year - 1:04d}-12-31", "range", "before the year"
    if word == "after":
        return f"{year + 1:04d}-01-01/..", "range", "after the year"
    return f"{year:04d}", "year", "explicit year"


def _resolve_range(m: re.Match[str], published: date | None, tense: Tense) -> tuple[str | None, Precision, str]:
    a, b = resolve(m.group("a"), published, tense=tense), resolve(m.group("b"), published, tense=tense)
    if a.value is None or b.value is None:
        return None, "range", a.note if a.value is None else b.note
    start, end = to_interval(a.value)[0], to_interval(b.value)[1]
    while end < start and re.fullmatch(WEEKDAY, m.group("b")):
        end += timedelta(days=7)
    return _span(start, end), "range", f"{a.note}; {b.note}" if a.note != b.note else a.note


_RESOLVERS = {
    "iso": lambda m, published, tense: (m.group(), "day", "explicit date"), "date": _resolve_date,
    "weekday": _resolve_weekday, "month": _resolve_month, "month_year": _resolve_month, "day": _resolve_day,
    "relative": _resolve_relative, "span": _resolve_span,
    "ago": _resolve_ago, "season": _resolve_season, "year": _resolve_year, "range": _resolve_range,
}


def resolve(expr_text: str, published: date | None, *, tense: Tense = None) -> TimeValue:
    """Resolve one time expression against the publication date (None: only absolute ones resolve)."""
    found = _classify(expr_text)
    if found is None:
        return TimeValue(expr_text, None, "day", "not a recognised time expression")
    kind, m = found
    value, precision, note = _RESOLVERS[kind](m, published, tense)
    return TimeValue(expr_text, value, precision, note)


# --- comparing resolved values -----------------------------------------------------------------
def to_interval(value: str) -> tuple[date | None, date | None]:
    """The first and last day a resolved value covers (None for an open end)."""
    if "/" in value:
        a, b = value.split("/", 1)
        return (None if a == ".." else to_interval(a)[0]), (None if b == ".." else to_interval(b)[1])
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        d = date(*parts)
        return d, d
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), _month_end(parts[0], parts[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def compatible(a: TimeValue, b: TimeValue) -> bool | None:
    """Whether two resolved times can refer to the same time (their intervals overlap); None if unknown."""
    if a.value is None or b.value is None:
        return None
    (a0, a1), (b0, b1) = to_interval(a.value), to_interval(b.value)
    return (a0 is None or b1 is None or a0 <= b1) and (b0 is None or a1 is None or b0 <= a1)
