"""An article built to attack the page: script tags, event handlers, javascript: links, remote images."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

HOSTILE = """<script>alert('title')</script> Minsk summit <img src=x onerror=alert(1)>
Outlet: Evil <b>Herald</b>
URL: javascript:alert(1)
Published: 2023-03-01

Officials said the <script>alert(document.cookie)</script> summit opened in Minsk on Monday with twelve delegations.
A photo ![pic](http://evil.example/pixel.png) showed <img src="http://evil.example/x.png" onerror="alert(2)"> crowds outside the hall.
Read more [here](javascript:alert(3)) about the talks with <a href="http://evil.example/">delegates</a> from Beijing.
"""
FOREIGN_TAGS = {"img", "iframe", "object", "embed", "base", "b"}  # no template of the app has one; an article might


class _Live(HTMLParser):
    """Collects every element or attribute of a page that could run code or load something from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and not a.get("src", "").startswith("/static/"):
            self.found.append(f"<script {a}>")
        if tag in FOREIGN_TAGS:
            self.found.append(f"<{tag} {a}>")
        self.found += [f"{tag}[{k}]" for k in a if k.startswith("on") or k == "style"]
        for k in ("href", "src", "action"):
            if k in a and (a[k].startswith("//") or not a[k].startswith(("/", "#", "?"))):
                self.found.append(f"{tag}[{k}={a[k]}]")


def live_markup(page: str) -> list[str]:
    """What in PAGE could run a script or load from elsewhere (empty for an inert page)."""
    parser = _Live()
    parser.feed(page)
    return parser.found


def write_hostile(folder: Path) -> Path:
    """Write the hostile article as a .txt file in FOLDER."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    return path
