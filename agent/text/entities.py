"""Names and the corpus alias table: every spelling and short form of a name mapped to one canonical name."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from agent.text.names import HONORIFICS, ORG_WORDS, PARTICLES, TITLE_HEADS, NameMention, find_names
from agent.text.norm import fold, same_spelling, spelling_key

__all__ = ["AliasGroup", "AliasTable", "NameMention", "find_names", "split_title"]

_SUFFIXES = frozenset("jr sr ii iii iv".split())
_ACRONYM_SKIP = frozenset("of and the for on in de".split())


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """One entity: its canonical name and each spelling used, with the articles that used it."""

    canonical: str
    variants: dict[str, list[str]]


@dataclass(slots=True)
class _Variant:
    """One distinct written form of a name (case, dots and hyphens aside)."""

    first: str
    middle: tuple[str, ...]
    last: str
    words: tuple[str, ...]
    acronym: str | None
    surfaces: Counter = field(default_factory=Counter)
    articles: dict[str, int] = field(default_factory=dict)
    titled: bool = False
    honorific: bool = False

    @property
    def multi(self) -> bool:
        """Two or more words, not an acronym."""
        return len(self.words) >= 2 and self.acronym is None

    @property
    def person_like(self) -> bool:
        """A full name with no organisation or place word in it."""
        return self.multi and not any(w in ORG_WORDS for w in self.words)


def split_title(name: str) -> tuple[str | None, str]:
    """Split a leading title off a name string: "Mr. Xi" -> ("Mr.", "Xi")."""
    cleaned = re.sub(r"['’]s?$", "", " ".join(name.split()))
    found = find_names(cleaned)
    if len(found) == 1 and found[0].end == len(cleaned):
        return found[0].title, found[0].text
    return None, cleaned


def _parse(surface: str) -> _Variant | None:
    """A variant record for one cleaned name: first, middle (initials or words), last, acronym."""
    words, middle_raw = [], []
    for n, raw in enumerate(re.split(r"[\s]+|(?<=[^\W\d_])-(?=[^\W\d_])", surface)):
        letters = "".join(c for c in fold(raw) if c.isalnum())
        if not letters or letters in _SUFFIXES or (raw.islower() and letters in PARTICLES):
            continue
        dotted = re.fullmatch(r"(?:[A-Za-z]\.)+", raw) and (n > 0 or len(letters) == 1)
        if (len(letters) == 1 or dotted) and len(surface.split()) > 1:
            middle_raw.extend(letters)
            continue
        words.append(letters)
    if not words:
        return None
    is_acronym = len(words) == 1 and not middle_raw and (surface.replace(".", "").isupper() and len(words[0]) <= 6)
    middle = tuple(words[1:-1]) + tuple(middle_raw)
    return _Variant(words[0], middle, words[-1], tuple(words), words[0] if is_acronym else None)


def _middles_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal-length middles whose parts agree: initial with initial, initial with word, word with word."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif not same_spelling(x, y):
            return False
    return True


class _Union:
    """Union-find over variant indexes."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        """The root of i's set."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        """Merge the sets of a and b."""
        self.parent[self.find(a)] = self.find(b)


class AliasTable:
    """Every name in a corpus grouped into entities, each with a canonical name."""

    def __init__(self, variants: list[_Variant], roots: list[int]):
        self._variants = variants
        self._roots = roots
        self._by_key = {_vkey(v): i for i, v in enumerate(variants)}
        members: dict[int, list[int]] = defaultdict(list)
        for i, root in enumerate(roots):
            members[root].append(i)
        self._members = dict(members)
        self._canonical = {root: _best_surface(variants, idx) for root, idx in members.items()}

    @classmethod
    def build(cls, mentions_by_article: dict[str, list[str]]) -> AliasTable:
        """Group the name strings each article used (titles allowed: "Mr. Xi", "President Biden")."""
        variants: dict[tuple, _Variant] = {}
        for article_id, names in mentions_by_article.items():
            for name in names:
                title, surface = split_title(name)
                _add(variants, article_id, surface, title)
        found = list(variants.values())
        return cls(found, _group(found))

    @classmethod
    def from_texts(cls, texts_by_article: dict[str, str]) -> AliasTable:
        """Find the names in each article's text, then group them."""
        variants: dict[tuple, _Variant] = {}
        for article_id, text in texts_by_article.items():
            for m in find_names(text):
                _add(variants, article_id, m.text, m.title)
        found = list(variants.values())
        return cls(found, _group(found))

    def canonical(self, name: str) -> str:
        """The canonical name of the entity a name refers to (the cleaned name when unknown)."""
        _, surface = split_title(name)
        parsed = _parse(surface)
        if parsed is None:
            return surface
        index = self._by_key.get(_vkey(parsed))
        if index is None:
            index = self._lookup_single(parsed)
        return surface if index is None else self._canonical[self._roots[index]]

    def groups(self) -> list[AliasGroup]:
        """Every entity with its spellings and the articles that used each."""
        return sorted((self._group_of(r, idx) for r, idx in self._members.items()), key=lambda g: g.canonical)

    def variant_groups(self) -> list[AliasGroup]:
        """Entities whose name is spelled differently across articles (Kiev/Kyiv), with only those spellings."""
        out = []
        for root, idx in self._members.items():
            vs = self._variants
            clashing = {i for i in idx for j in idx if i != j and _spelled_differently(vs[i], vs[j])}
            if clashing:
                out.append(self._group_of(root, sorted(clashing), one_surface=True))
        return sorted(out, key=lambda g: g.canonical)

    def _group_of(self, root: int, idx: list[int], one_surface: bool = False) -> AliasGroup:
        """An AliasGroup for some variants of one entity."""
        variants: dict[str, set[str]] = defaultdict(set)
        for i in idx:
            v = self._variants[i]
            surfaces = [_display(v)] if one_surface else list(v.surfaces)
            for s in surfaces:
                variants[s].update(v.articles)
        return AliasGroup(self._canonical[root], {s: sorted(a) for s, a in sorted(variants.items())})

    def _lookup_single(self, parsed: _Variant) -> int | None:
        """An unseen one-word name: the one entity whose word it matches (surname, or spelling)."""
        if parsed.multi:
            same = [i for i, v in enumerate(self._variants) if v.multi and _full_match(v, parsed)]
        else:
            same = [i for i, v in enumerate(self._variants) if not v.multi and same_spelling(v.first, parsed.first)]
            same = same or [
                i for i, v in enumerate(self._variants) if v.person_like and same_spelling(v.last, parsed.first)
            ]
        roots = {self._roots[i] for i in same}
        return same[0] if len(roots) == 1 else None


def _vkey(v: _Variant) -> tuple:
    """The identity of a written form: its words and middle parts."""
    return v.words, v.middle, v.acronym is not None


def _add(variants: dict[tuple, _Variant], article_id: str, surface: str, title: str | None) -> None:
    """Record one mention of a name in an article."""
    parsed = _parse(surface)
    if parsed is None:
        return
    v = variants.setdefault(_vkey(parsed), parsed)
    v.surfaces[surface] += 1
    v.articles[article_id] = v.articles.get(article_id, 0) + 1
    title_words = {w.rstrip(".") for w in fold(title or "").split()}
    v.titled |= bool(title_words & TITLE_HEADS)
    v.honorific |= bool(title_words & HONORIFICS)


def _best_surface(variants: list[_Variant], idx: list[int]) -> str:
    """The canonical spelling: a full name over a short form, then the most widely used."""

    def rank(i: int) -> tuple:
        """Sort key: full names first, then the most used."""
        v = variants[i]
        return (not v.multi, -len(v.articles), -sum(v.articles.values()), len(v.middle), _display(v))

    return _display(variants[min(idx, key=rank)])


def _display(v: _Variant) -> str:
    """A variant's usual written form, preferring ordinary case over a dateline's capitals."""
    return min(v.surfaces, key=lambda s: (s.isupper() and v.acronym is None, -v.surfaces[s], s))


def _full_match(a: _Variant, b: _Variant) -> bool:
    """Two full names with matching first and last words."""
    return same_spelling(a.first, b.first) and same_spelling(a.last, b.last)


def _group(variants: list[_Variant]) -> list[int]:
    """Union variants into entities; returns each variant's root index."""
    uf = _Union(len(variants))
    _merge_full_names(variants, uf)
    _merge_singles(variants, uf)
    _merge_acronyms(variants, uf)
    return [uf.find(i) for i in range(len(variants))]


def _merge_full_names(variants: list[_Variant], uf: _Union) -> None:
    """Join full names spelled alike; a name without middle parts joins only an unambiguous one."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, v in enumerate(variants):
        if v.multi:
            blocks[spelling_key(v.first), spelling_key(v.last)].append(i)
    for block in blocks.values():
        for x, i in enumerate(block):
            for j in block[x + 1 :]:
                a, b = variants[i], variants[j]
                if _full_match(a, b) and _middles_match(a.middle, b.middle):
                    uf.join(i, j)
        for i in block:
            if not variants[i].middle:
                roots = {uf.find(j) for j in block if variants[j].middle and _full_match(variants[i], variants[j])}
                if len(roots) == 1:
                    uf.join(i, roots.pop())


def _merge_singles(variants: list[_Variant], uf: _Union) -> None:
    """Join one-word names spelled alike, then to the one person whose surname (or given name) they are."""
    singles = [i for i, v in enumerate(variants) if not v.multi and v.acronym is None]
    blocks: dict[str, list[int]] = defaultdict(list)
    for i in singles:
        blocks[spelling_key(variants[i].first)].append(i)
    for block in blocks.values():
        for x, i in enumerate(block):
            for j in block[x + 1 :]:
                if same_spelling(variants[i].first, variants[j].first):
                    uf.join(i, j)
    plain = not any(v.titled for v in variants)
    people = [i for i, v in enumerate(variants) if v.person_like]
    groups: dict[int, list[int]] = defaultdict(list)  # person roots stay roots: singles join into them
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in people:
        groups[uf.find(p)].append(p)
        for attr in ("last", "first"):
            index[attr, spelling_key(getattr(variants[p], attr))].append(p)
    alone = {v.first for v in variants if not v.multi}
    by_root: dict[int, list[int]] = defaultdict(list)
    for i in singles:
        by_root[uf.find(i)].append(i)
    for root, members in by_root.items():
        word = variants[members[0]].first
        short = {a for i in members for a in variants[i].articles}
        for attr in ("last", "first"):
            block = index.get((attr, spelling_key(word)), [])
            cands = {uf.find(p) for p in block if same_spelling(getattr(variants[p], attr), word)}
            if len(cands) > 1:  # several people share the word: keep the one its articles name in full
                cands = {c for c in cands if short <= {a for p in groups[c] for a in variants[p].articles}}
            if len(cands) != 1:
                continue
            person = cands.pop()
            if _vouched(variants, members, groups[person], attr) or (
                attr == "last" and (plain or _same_articles(variants, members, groups[person], alone))
            ):
                uf.join(root, person)
                break


def _vouched(variants: list[_Variant], members: list[int], group: list[int], attr: str) -> bool:
    """Whether a title ties the word to the person (a given name like "Mr. Xi" needs the full name's title)."""
    if any(variants[i].titled for i in group) or any(variants[i].honorific for i in members):
        return True
    return attr == "last" and any(variants[i].titled for i in members)


def _same_articles(variants: list[_Variant], members: list[int], group: list[int], alone: set[str]) -> bool:
    """News style: a surname alone where the full name was given, whose given name is no entity itself."""
    if any(w in alone for i in group for w in variants[i].words[:-1]):
        return False
    short = {a for i in members for a in variants[i].articles}
    full = {a for i in group for a in variants[i].articles}
    return len(short & full) >= 0.5 * len(short)


def _merge_acronyms(variants: list[_Variant], uf: _Union) -> None:
    """Join an acronym to the one organisation or place whose initials it spells (SCO, U.S.)."""
    initials: dict[str, set[int]] = defaultdict(set)
    for i, v in enumerate(variants):
        if v.multi and not v.person_like:
            letters = "".join(w[0] for w in v.words if w not in _ACRONYM_SKIP)
            initials[letters].add(uf.find(i))
    for i, v in enumerate(variants):
        roots = initials.get(v.acronym or "", set())
        if len({uf.find(r) for r in roots}) == 1:
            uf.join(i, next(iter(roots)))


def _spelled_differently(a: _Variant, b: _Variant) -> bool:
    """Whether two forms of one name spell some word differently (Aleksandr/Alexander), not just shorter."""
    if a.acronym or b.acronym:
        return False
    pairs = ((x, y) for x in a.words for y in b.words)
    return any(x != y and x not in b.words and y not in a.words and same_spelling(x, y) for x, y in pairs)
