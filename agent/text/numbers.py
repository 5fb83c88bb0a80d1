"""Quantities in news text (counts, money, percentages, measures, ages, years) and whether two agree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.text.norm import STOPWORDS
from agent.text.timeparse import find_time_expressions

_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12}
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "bln": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
_FRACTIONS = {"half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25}
_CURRENCIES = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "dollars": "USD", "dollar": "USD",
               "euros": "EUR", "euro": "EUR", "yuan": "CNY", "renminbi": "CNY", "rubles": "RUB", "roubles": "RUB",
               "yen": "JPY", "rupees": "INR", "pounds sterling": "GBP"}
# unit word -> (canonical unit, dimension, factor to the dimension's base)
_UNITS: dict[str, tuple[str, str, float]] = {}
for _names, _unit, _dim, _factor in [
    ("% percent per-cent", "percent", "ratio", 0.01),
    ("percentage-point percentage-points", "percentage_point", "points", 1.0),
    ("km kilometer kilometers kilometre kilometres", "km", "length", 1.0),
    ("mile miles", "mile", "length", 1.609344),
    ("meter meters metre metres", "meter", "length", 0.001),
    ("foot feet ft", "foot", "length", 0.0003048),
    ("kg kilogram kilograms kilo kilos", "kg", "mass", 1.0),
    ("ton tons tonne tonnes", "ton", "mass", 1000.0),
    ("pound pounds lb lbs", "pound", "mass", 0.45359237),
    ("hour hours", "hours", "duration", 1 / 24),
    ("day days", "days", "duration", 1.0),
    ("week weeks", "weeks", "duration", 7.0),
    ("month months", "months", "duration", 30.4375),
    ("year years", "years", "duration", 365.25),
    ("decade decades", "decades", "duration", 3652.5),
    ("point points", "point", "point", 1.0),
    ("year-old years-old", "age", "age", 1.0),
]:
    for _name in _names.split():
        _UNITS[_name] = (_unit, _dim, _factor)

_WORD = "|".join(sorted([*_SMALL, *_TENS, *_SCALES], key=len, reverse=True))
_WORDS = rf"(?:(?:a|one)\s+(?=hundred|thousand|million|billion|dozen))?(?:{_WORD})(?:(?:\s+and\s+|\s+|-)(?:{_WORD}))*"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_WORDS = "|".join(sorted((re.escape(u).replace("\\-", "[- ]") for u in _UNITS if u != "%"), key=len, reverse=True))
_QUALIFIERS = {"more than": "more", "over": "more", "at least": "more", "nearly": "about", "almost": "about",
               "about": "about", "around": "about", "roughly": "about", "approximately": "about", "some": "about",
               "less than": "less", "fewer than": "less", "under": "less", "up to": "less"}
_QUANTITY = re.compile(
    rf"(?:(?P<qual>{'|'.join(_QUALIFIERS)})\s+)?"
    rf"(?:(?P<cur>US\$|\$|€|£|¥)\s?)?"
    rf"(?P<num>{_DIGITS}|\b{_WORDS}\b)"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|bln|mn|mln|tn|trn|[kmb])\b)?"
    rf"(?:(?P<pct>\s?%)|(?P<sep>-|\s)(?P<unit>{_UNIT_WORDS})\b(?P<old>-old)?)?"
    rf"(?:\s(?P<curword>dollars?|euros?|yuan|renminbi|rubles|roubles|yen|rupees)\b)?",
    re.I,
)
_FRACTION = re.compile(r"\b(?:(?P<n>a|one|two|three)[\s-])?(?P<f>half|thirds?|quarters?)\b(?!-)", re.I)
_NOUN = re.compile(r"\s+([a-z][a-z-]+)")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a text (`text[start:end]`), its unit, qualifier ("more", "less", "about") and counted noun."""

    text: str
    value: float
    unit: str | None
    start: int
    end: int
    qualifier: str | None = None
    noun: str | None = None


def words_to_number(text: str) -> float | None:
    """The value of number words ("two hundred and five", "a dozen", "twenty-one"); None if not numeric."""
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", "a", ""):
            current = 1 if word == "a" and not seen else current
            continue
        seen = True
        if word in _SMALL or word in _TENS:
            current += _SMALL.get(word, _TENS.get(word, 0))
        elif word in ("hundred", "dozen"):
            current = max(current, 1) * _SCALES[word]
        elif word in _SCALES:
            total, current = total + max(current, 1) * _SCALES[word], 0.0
        else:
            return None
    return total + current if seen else None


def _bad_context(text: str, start: int, end: int) -> bool:
    """Digits that are part of a code, ordinal, time or fraction: G7, F-16, 9/11, 3:30, 1st, No. 2."""
    before, after = text[max(0, start - 4) : start], text[end : end + 1]
    if re.search(r"(?:[A-Za-z]-?|[/:#.]|\d[,-]?|No\.\s?)$", before) or after in ("/", ":"):
        return True
    if re.match(r"\([a-z]\)", text[end : end + 3]):
        return True  # a statute section: 501(c)
    if re.match(r"\s?[ap]\.m\.|\s?[AP]M\b|-\d", text[end : end + 5]):
        return True  # a clock time or a score ("7 p.m.", "97-1")
    return bool(re.match(r"(?:st|nd|rd|th)\b|[A-Za-z]", text[end : end + 2])) and not re.match(
        r"(?:bn|mn|k|m|b|tn)\b|%", text[end : end + 3], re.I
    )


def _unit_of(m: re.Match[str]) -> tuple[str | None, int]:
    """The quantity's unit and where the match really ends (a bare "m" after a space is not a scale)."""
    currency = m.group("cur") or m.group("curword")
    if currency:
        return _CURRENCIES.get(currency.lower(), _CURRENCIES.get(currency.lower().rstrip("s"), "USD")), m.end()
    if m.group("pct"):
        return "percent", m.end()
    if m.group("unit"):
        key = re.sub(r"\s", "-", m.group("unit").lower()) + (m.group("old") or "")
        return _UNITS[key][0] if key in _UNITS else _UNITS[key.replace("-old", "")][0], m.end()
    return None, m.end()


def _quantity(text: str, m: re.Match[str]) -> Quantity | None:
    """One quantity from a match, or None for numbers that are not quantities."""
    num = m.group("num")
    start, end = m.start(), m.end()
    digits = num[0].isdigit()
    if digits and _bad_context(text, m.start("num"), m.end("num") if not m.group("scale") else m.end("num")):
        return None
    value = float(num.replace(",", "")) if digits else words_to_number(num)
    if value is None:
        return None
    unit, end = _unit_of(m)
    scale = (m.group("scale") or "").lower()
    if scale in ("k", "m", "b") and not m.group("cur") and text[m.end("num")] == " ":
        scale, end = "", m.end("num")
    value *= _SCALES.get(scale, _SHORT_SCALES.get(scale, 1))
    if not digits and num.lower() == "one" and not (unit or scale):
        return None
    plain = unit is None and not scale and digits and "," not in num and "." not in num
    follower = _NOUN.match(text, end)
    if plain and 1900 <= value <= 2099 and len(num) == 4 and not (follower and follower.group(1).endswith("s")):
        unit = "year"
    noun = follower.group(1) if follower and unit in (None, "USD", "EUR", "GBP", "CNY", "JPY") else None
    noun = None if noun and (noun in STOPWORDS or noun.endswith("ed") or noun in _SCALES) else noun
    qualifier = _QUALIFIERS[m.group("qual").lower()] if m.group("qual") else None
    span = text[start:end].rstrip()
    return Quantity(span, value, unit, start, start + len(span), qualifier, noun)


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity in a text; numbers inside dates ("Feb. 28", "three days ago") are left to timeparse."""
    blocked = [(e.start, e.end) for e in find_time_expressions(text) if e.kind != "year"]
    found = [q for m in _QUANTITY.finditer(text) if (q := _quantity(text, m))]
    for m in _FRACTION.finditer(text):
        n, f = (m.group("n") or "").lower(), m.group("f").lower()
        if f.startswith("half") or n:
            count = 1 if n in ("", "a", "one") else _SMALL[n]
            found.append(Quantity(m.group(), count * _FRACTIONS[f], "fraction", m.start(), m.end()))
    found.sort(key=lambda q: (q.start, -(q.end - q.start)))
    chosen: list[Quantity] = []
    for q in found:
        if any(a < q.end and q.start < b for a, b in blocked):
            continue
        if not chosen or q.start >= chosen[-1].end:
            chosen.append(q)
    return chosen


# --- comparing -------------------------------------------------------------------------------------
def _dimension(q: Quantity) -> tuple[str, float]:
    """A quantity's dimension and its value in that dimension's base unit."""
    if q.unit is None:
        return "count", q.value
    if q.unit == "fraction":
        return "ratio", q.value
    if q.unit in ("year",) or q.unit.isupper():
        return q.unit, q.value
    for unit, dim, factor in _UNITS.values():
        if unit == q.unit:
            return dim, q.value * factor
    return q.unit, q.value


def same_quantity(a: Quantity, b: Quantity) -> bool | None:
    """Whether two quantities can be the same amount (units converted, qualifiers honoured); None if incomparable."""
    (dim_a, va), (dim_b, vb) = _dimension(a), _dimension(b)
    if dim_a != dim_b:
        return None
    tolerance = 0.015 if a.unit != b.unit else 1e-9
    if "about" in (a.qualifier, b.qualifier):
        tolerance = 0.1
    lo_a, hi_a = _bounds(va, a.qualifier, tolerance)
    lo_b, hi_b = _bounds(vb, b.qualifier, tolerance)
    return lo_a <= hi_b and lo_b <= hi_a


def _bounds(value: float, qualifier: str | None, tolerance: float) -> tuple[float, float]:
    """The range of amounts a qualified value allows."""
    slack = abs(value) * tolerance
    if qualifier == "more":
        return value - slack, float("inf")
    if qualifier == "less":
        return float("-inf"), value + slack
    return value - slack, value + slack
