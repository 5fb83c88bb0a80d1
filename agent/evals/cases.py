"""Eval cases: loading with exact errors, suites, and gold quotes resolved to ingested sentences."""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from agent.errors import BadInput, UsageError
from agent.evals.gold import (  # noqa: F401  (re-exported: the case API lives here)
    Case,
    Gold,
    Ref,
    ResolvedDivergence,
    ResolvedFact,
    ResolvedGold,
    ResolvedQuestion,
    ResolvedRef,
    ResolvedRubricItem,
    SentKey,
    Side,
)
from agent.types import Article
from agent.resources import evals_dir

CASES_ENV = "NEWSAGENT_EVAL_CASES"
DEFAULT_ROOT = evals_dir() / "cases"
ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".html", ".htm")


class CaseError(BadInput):
    """A case folder or its gold.yaml is wrong: the message names the file, the field and the problem."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more: {'; '.join(problems[1:4])})" if len(problems) > 1 else ""
        super().__init__(shown(path), problems[0] + more)


# --- matching quotes against text ------------------------------------------------------------
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"',
                       "‟": '"', "″": '"', "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-"})
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Text folded for matching (NFKC, straight quotes, one space, lowercase) and each char's source offset."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        for c in unicodedata.normalize("NFKC", ch).translate(_FOLD).lower():
            if c.isspace():
                if out and out[-1] == " ":
                    continue
                c = " "
            out.append(c)
            where.append(i)
    return "".join(out), where


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """Every (start, end) span of `text` that matches `quote` after folding quotes, case and whitespace."""
    norm, where = normalise_with_map(text)
    needle = normalise_with_map(quote)[0].strip()
    spans, pos = [], norm.find(needle) if needle else -1
    while pos >= 0:
        spans.append((where[pos], where[pos + len(needle) - 1] + 1))
        pos = norm.find(needle, pos + 1)
    return spans


def _strings(obj: object, out: list[str]) -> None:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for value in obj.values():
            _strings(value, out)
    elif isinstance(obj, list):
        for value in obj:
            _strings(value, out)


_TAG = re.compile(r"<[^>]*>")


def plain_text(path: Path) -> str:
    """A rough text view of a raw article file (JSON string values, HTML without tags) for load checks."""
    raw = path.read_text(encoding="utf-8-sig", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return html.unescape(_TAG.sub(" ", raw))
    if suffix in (".json", ".jsonl"):
        values: list[str] = []
        try:
            for line in raw.splitlines() if suffix == ".jsonl" else [raw]:
                if line.strip():
                    _strings(json.loads(line), values)
        except ValueError:
            return raw
        return "\n".join(values)
    return raw


# --- loading ------------------------------------------------------------------------------------
def shown(path: Path | str) -> str:
    """A path as users should see it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _loc(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _validation_problems(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{_loc(err['loc']) or 'top level'}: {msg}")
    return out


def _read_gold(path: Path) -> Gold:
    if not path.is_file():
        raise CaseError(path.parent, ["no gold.yaml in this case folder"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(path, [f"not valid YAML: {exc}".replace("\n", " ")]) from None
    if not isinstance(data, dict):
        raise CaseError(path, ["must be a mapping with at least `event`"])
    try:
        return Gold.model_validate(data)
    except ValidationError as exc:
        raise CaseError(path, _validation_problems(exc)) from None


def load_case(path: Path | str) -> Case:
    """Load and check one case folder; raise one CaseError naming the file, field and problem."""
    root = Path(path)
    if not root.is_dir():
        raise CaseError(root, ["no such case folder"])
    gold = _read_gold(root / "gold.yaml")
    articles = root / "articles"
    files = sorted(
        p.name for p in articles.glob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
    ) if articles.is_dir() else []
    if not files:
        raise CaseError(articles, [f"no article files ({', '.join(ARTICLE_SUFFIXES)})"])
    case = Case(name=root.name, root=root, files=files, gold=gold)
    problems = _ref_problems(case) + _id_problems(gold) + _link_problems(case)
    if problems:
        raise CaseError(case.gold_path, problems)
    return case


def iter_refs(gold: Gold) -> Iterator[tuple[str, Ref]]:
    """Every source reference in the gold, with its field path (`key_facts[2].support[0]`)."""
    groups = [("key_facts", "support", gold.key_facts), ("divergences", "sides", gold.divergences),
              ("questions", "support", gold.questions), ("memo_rubric", "must_cite", gold.memo_rubric)]
    for name, field, items in groups:
        for i, item in enumerate(items):
            for j, ref in enumerate(getattr(item, field)):
                yield f"{name}[{i}].{field}[{j}]", ref


def _ref_problems(case: Case) -> list[str]:
    problems, texts = [], {}
    for where, ref in iter_refs(case.gold):
        if ref.file not in case.files:
            problems.append(f"{where}.file: no article {ref.file!r} in articles/")
            continue
        text = texts.setdefault(ref.file, plain_text(case.articles_dir / ref.file))
        if not find_quote(text, ref.quote):
            problems.append(f"{where}.quote not found in articles/{ref.file}: {ref.quote[:60]!r}")
    return problems


def _id_problems(gold: Gold) -> list[str]:
    problems = []
    for name in ("key_facts", "divergences", "questions", "memo_rubric"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(gold, name)):
            if item.id in seen:
                problems.append(f"{name}[{i}].id: duplicate id {item.id!r}")
            seen.add(item.id)
    asked = [q.id for q in gold.questions]
    for i, q in enumerate(gold.questions):
        if q.follows is not None and q.follows not in asked[:i]:
            problems.append(f"questions[{i}].follows: no earlier question {q.follows!r}")
    return problems


def _link_problems(case: Case) -> list[str]:
    problems = []
    for i, d in enumerate(case.gold.derivatives):
        for field in ("file", "of"):
            if getattr(d, field) not in case.files:
                problems.append(f"derivatives[{i}].{field}: no article {getattr(d, field)!r} in articles/")
        if d.file == d.of:
            problems.append(f"derivatives[{i}]: an article cannot be a derivative of itself")
    corpus = "\n".join(plain_text(p) for p in case.article_paths())
    for name in ("boilerplate", "canaries"):
        for i, line in enumerate(getattr(case.gold, name)):
            if not find_quote(corpus, line):
                problems.append(f"{name}[{i}] not found in any article: {line[:60]!r}")
    return problems


# --- suites -----------------------------------------------------------------------------------------
def cases_root() -> Path:
    """The folder of case folders: NEWSAGENT_EVAL_CASES, else the repository's evals/cases."""
    env = os.environ.get(CASES_ENV)
    return Path(env).expanduser() if env else DEFAULT_ROOT


def suites_file(root: Path) -> Path:
    """Where suites are declared: `suites.yaml` inside the cases folder, else next to it."""
    inside = root / "suites.yaml"
    return inside if inside.is_file() else root.parent / "suites.yaml"


def case_dirs(root: Path | None = None) -> list[Path]:
    """Every case folder under the root (hidden and underscore folders ignored)."""
    root = root or cases_root()
    if not root.is_dir():
        raise CaseError(root, ["cases folder does not exist"])
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _declared_suites(root: Path) -> dict[str, list[str]]:
    path = suites_file(root)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CaseError(path, [f"not valid YAML: {exc}".replace("\n", " ")]) from None
    bad = [k for k, v in data.items() if not isinstance(v, list)] if isinstance(data, dict) else ["top level"]
    if bad:
        raise CaseError(path, [f"{bad[0]}: must be a list of case folder names"])
    return {str(k): [str(c) for c in v] for k, v in data.items()}


def _suite_tags(path: Path) -> list[str]:
    """The `suite` tags of a gold file, read leniently: a broken case fails when loaded, not when listed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    tags = data.get("suite") if isinstance(data, dict) else None
    return [str(t) for t in tags] if isinstance(tags, list) else []


def suites(root: Path | None = None) -> dict[str, list[str]]:
    """Suite name -> case names: suites.yaml, plus each gold's `suite` tags, plus `all` (every case)."""
    root = root or cases_root()
    names = [p.name for p in case_dirs(root)]
    out = _declared_suites(root)
    for suite, members in out.items():
        missing = [m for m in members if m not in names]
        if missing:
            raise CaseError(suites_file(root), [f"{suite}: no case folder {missing[0]!r} in {shown(root)}"])
    for path in case_dirs(root):
        for tag in _suite_tags(path / "gold.yaml"):
            out.setdefault(tag, [])
            if path.name not in out[tag]:
                out[tag].append(path.name)
    out["all"] = sorted(set(out.get("all", [])) | set(names))
    return out


def load_suite(name: str, root: Path | None = None) -> list[Case]:
    """Load every case of a suite (`sample`, `synthetic`, `all`, or one declared by the user)."""
    root = root or cases_root()
    known = suites(root)
    if name not in known:
        raise UsageError(f"unknown eval suite {name!r}; known: {', '.join(sorted(known))}")
    return [load_case(root / case) for case in known[name]]


def sentences_of_span(article: Article, start: int, end: int) -> tuple[int, ...]:
    """Indices of the article's sentences that overlap the span [start, end)."""
    return tuple(s.index for s in article.sentences if s.start < end and s.end > start)


def _resolve_one(where: str, ref: Ref, article: Article) -> tuple[ResolvedRef | None, str]:
    spans = find_quote(article.text, ref.quote)
    if not spans:
        return None, f"{where}.quote not found in articles/{ref.file}: {ref.quote[:60]!r}"
    indices = tuple(sorted({i for s, e in spans for i in sentences_of_span(article, s, e)}))
    if not indices:
        return None, f"{where}.quote lies outside every sentence of articles/{ref.file}"
    version = ref.version if isinstance(ref, Side) else None
    return ResolvedRef(ref.file, ref.quote, article.id, indices, version), ""


def _resolve_all(case: Case, articles: dict[str, Article]) -> dict[str, ResolvedRef]:
    resolved, problems = {}, []
    missing = [f for f in case.files if f not in articles]
    if missing:
        raise CaseError(case.gold_path, [f"articles/{f} was not ingested (no Article given)" for f in missing])
    for where, ref in iter_refs(case.gold):
        got, problem = _resolve_one(where, ref, articles[ref.file])
        if got is None:
            problems.append(problem)
        else:
            resolved[where] = got
    if problems:
        raise CaseError(case.gold_path, problems)
    return resolved


def resolve_refs(case: Case, articles_by_file: dict[str, Article]) -> ResolvedGold:
    """Resolve every gold quote to sentence indices of the ingested articles (keys: file names)."""
    r = _resolve_all(case, articles_by_file)
    g, ids = case.gold, {f: a.id for f, a in articles_by_file.items()}

    def refs(prefix: str, n: int) -> tuple[ResolvedRef, ...]:
        return tuple(r[f"{prefix}[{j}]"] for j in range(n))

    return ResolvedGold(
        case=case.name,
        article_ids=ids,
        facts=tuple(ResolvedFact(f.id, f.text, refs(f"key_facts[{i}].support", len(f.support)), f.min_outlets)
                    for i, f in enumerate(g.key_facts)),
        divergences=tuple(ResolvedDivergence(d.id, d.kind, d.resolution, d.note,
                                             refs(f"divergences[{i}].sides", len(d.sides)))
                          for i, d in enumerate(g.divergences)),
        questions=tuple(ResolvedQuestion(q.id, q.q, q.kind, tuple(q.answers), bool(q.unanswerable), q.follows,
                                         refs(f"questions[{i}].support", len(q.support)), q.paraphrase)
                        for i, q in enumerate(g.questions)),
        rubric=tuple(ResolvedRubricItem(m.id, m.text, refs(f"memo_rubric[{i}].must_cite", len(m.must_cite)))
                     for i, m in enumerate(g.memo_rubric)),
        derivatives={ids[d.file]: ids[d.of] for d in g.derivatives},
        boilerplate=tuple(g.boilerplate),
        canaries=tuple(g.canaries),
    )
