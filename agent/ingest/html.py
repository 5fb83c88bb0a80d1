"""HTML pages: hidden content removed and logged, the main text extracted (trafilatura), the rest audited."""

from __future__ import annotations

import copy
import re
import warnings

import lxml.etree
import lxml.html
from cssselect import GenericTranslator, SelectorError

from agent.errors import BadInput
from agent.ingest import metadata
from agent.ingest.boilerplate import norm
from agent.ingest.metadata import Meta
from agent.types import RemovedLine

BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "li", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th",
    "br", "hr", "form", "address", "details", "summary", "caption", "label", "button",
}
HIDDEN_CLASSES = {"hidden", "d-none", "is-hidden", "visually-hidden", "sr-only", "screen-reader-text", "invisible"}
# Declarations that hide text from a reader: not displayed, invisible, a font too small to read, moved off
# the screen, clipped to nothing, or a box of at most one pixel that hides its overflow.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0*\.?0+(?![.\d])"
    r"|font-size\s*:\s*(?:0*\.\d+|[01])(?:px|pt|em|rem|%)?(?![.\d])|color\s*:\s*transparent"
    r"|(?:left|right|top|margin-left|margin-top|text-indent)\s*:\s*-\d{3,}"
    r"|clip\s*:\s*rect\(\s*0|clip-path\s*:\s*inset\(\s*(?:50|100)%|transform\s*:\s*scale\(\s*0(?![.\d])", re.I)
_TINY_BOX = re.compile(r"(?:^|;)\s*(?:max-)?(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)", re.I)
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden", re.I)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_AT_BLOCK = re.compile(r"@(?:media|supports|container)[^{}]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
MAX_HIDING_SELECTORS = 500  # a page with more hiding rules is hostile: the rest are not matched (time stays bounded)
_NOT_TEXT = ("script", "style", "noscript", "svg", "iframe", "object", "embed", "template")


def parse_html(text: str) -> lxml.html.HtmlElement:
    """An lxml tree of TEXT (an XML declaration is dropped: the text is already decoded)."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ValueError(f"HTML does not parse: {exc}") from None


def strip_hidden(tree: lxml.html.HtmlElement, removed: list[RemovedLine]) -> None:
    """Drop comments and hidden elements (hidden attribute, hiding styles inline or in <style>, hidden classes)."""
    for comment in tree.xpath("//comment()"):
        _drop(comment, "hidden HTML (comment)", removed)
    for el, why in _styled_hidden(tree):
        if el.getparent() is not None:
            _drop(el, f"hidden HTML (stylesheet: {why})", removed)
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        why = _hidden_reason(el)
        if why:
            _drop(el, f"hidden HTML ({why})", removed)


def hiding(declarations: str) -> str | None:
    """The declaration that hides an element's text, if any (`display:none`, `font-size:1px`, off-screen...)."""
    found = _HIDDEN_STYLE.search(declarations)
    if found:
        return found.group().replace(" ", "")
    if _TINY_BOX.search(declarations) and _OVERFLOW_HIDDEN.search(declarations):
        return "a 1px box with overflow:hidden"
    return None


def _styled_hidden(tree: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Elements that <style> rules hide, with the rule's declaration (rules inside @media are left alone)."""
    rules = []
    for style in tree.iter("style"):
        css = _AT_BLOCK.sub("", _CSS_COMMENT.sub("", style.text or ""))
        rules += [(sel.strip(), why) for selectors, body in _CSS_RULE.findall(css) if (why := hiding(body))
                  for sel in selectors.split(",")]
    return [(el, f"{sel} {{{why}}}") for sel, why in rules[:MAX_HIDING_SELECTORS] for el in _select(tree, sel)]


def _select(tree: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """The elements a CSS selector matches (none when it does not parse or names html/body)."""
    try:
        xpath = GenericTranslator().css_to_xpath(selector)
    except SelectorError:
        return []
    return [el for el in tree.xpath(xpath) if isinstance(el.tag, str) and el.tag not in ("html", "body", "head")]


def _hidden_reason(el: lxml.html.HtmlElement) -> str | None:
    if el.get("hidden") is not None:
        return "hidden attribute"
    why = hiding(el.get("style") or "")
    if why:
        return why
    classes = set((el.get("class") or "").lower().split())
    if classes & HIDDEN_CLASSES:
        return f"class {sorted(classes & HIDDEN_CLASSES)[0]}"
    if el.tag == "template":
        return "template"
    return None


def _drop(node, reason: str, removed: list[RemovedLine]) -> None:
    text = node.text if isinstance(node, lxml.etree._Comment) else node.text_content()
    text = " ".join((text or "").split())
    if text:
        removed.append(RemovedLine(text=text[:500], reason=reason))
    if node.getparent() is not None:
        node.drop_tree()


def visible_blocks(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's text, one line per block element, whitespace collapsed."""
    tree = copy.deepcopy(tree)
    body = tree.find("body") if tree.find("body") is not None else tree
    for el in list(body.iter(*_NOT_TEXT)):
        el.drop_tree()
    for el in body.iter():
        if isinstance(el.tag, str) and el.tag in BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in body.text_content().split("\n"))
    return [line for line in lines if line]


def extract(text: str, path: str) -> tuple[str, Meta, list[RemovedLine]]:
    """(main text, metadata, removed) of an HTML page; BadInput when it has no extractable body."""
    try:
        tree = parse_html(text)
    except ValueError as exc:
        raise BadInput(path, str(exc)) from None
    removed: list[RemovedLine] = []
    strip_hidden(tree, removed)
    page = visible_blocks(tree)
    doc = _trafilatura(tree)
    body = (doc.text or "").strip() if doc is not None else ""
    if not body:
        body = "\n".join(_paragraphs(tree))
    if not body.strip():
        raise BadInput(path, "HTML has no extractable article body")
    folded = norm(body)
    removed += [RemovedLine(text=block[:500], reason="outside the main text (HTML extraction)")
                for block in page if norm(block) and norm(block) not in folded]
    return body, _meta(doc, tree), removed


def _trafilatura(tree: lxml.html.HtmlElement):
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trafilatura.bare_extraction(
            copy.deepcopy(tree), with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )


def _paragraphs(tree: lxml.html.HtmlElement) -> list[str]:
    """Fallback for pages too small for the extractor: the text of <p> elements in the article or main part."""
    scope = tree.xpath("//article") or tree.xpath("//main") or [tree]
    texts = (" ".join(p.text_content().split()) for p in scope[0].iter("p"))
    return [t for t in texts if len(t.split()) >= 3]


def _meta(doc, tree: lxml.html.HtmlElement) -> Meta:
    if doc is None:
        title = tree.findtext(".//title")
        return Meta(title=" ".join(title.split()) if title else None)
    published = metadata.parse_date(doc.date)
    return Meta(
        title=doc.title or None, outlet=doc.sitename or None,
        outlet_source="html_metadata:site_name" if doc.sitename else None,
        byline=doc.author or None, url=doc.url or None, published=published,
        published_source="html_metadata:date" if published else None,
    )
