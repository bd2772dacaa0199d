#!/usr/bin/env python3
"""Checks the internal links of a built HTML book (standard library only).

    python3 docs/check_links.py build/book

Every `href` and `src` that points inside the book must resolve: the file
exists (a folder means its index.html) and, when the link has a `#fragment`,
the target page has an element with that `id` (or an `<a name=…>`), compared
as browsers do: the fragment as written, or percent-decoded. Links with a
scheme (https:, mailto:, data:, javascript:) are external and not checked; a
relative link that leaves the book's folder is reported, because it cannot
work once the book is published.

The book is taken to be served at the root of its site (mdBook's default
`site-url = "/"`): a link starting with `/`, and the relative links of a page
with `<base href="/…">` (mdBook's 404 page), resolve from the book's folder.
A fragment-only link (`#x`) always means the page itself.

Exit status 0 when every link resolves; 1 with one line per broken link:
`page: link — reason`.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"href", "src"}


class Page(HTMLParser):
    """The ids and the links of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if tag == "base" and name == "href":
                self.base = value
            elif name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.links.append(value)

    handle_startendtag = handle_starttag


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def is_external(link: str) -> bool:
    parts = urlsplit(link)
    return bool(parts.scheme) or link.startswith("//")


def check(root: Path) -> tuple[int, int, list[str]]:
    """Returns (pages, internal links checked, problems)."""
    root = root.resolve()
    pages = {p.resolve(): parse(p) for p in sorted(root.rglob("*.html"))}
    problems: list[str] = []
    checked = 0
    for path, page in pages.items():
        shown = path.relative_to(root)
        for link in page.links:
            if not link or is_external(link):
                continue
            checked += 1
            parts = urlsplit(link)
            target = path
            if parts.path:
                relative = unquote(parts.path)
                if relative.startswith("/"):
                    start = root
                    relative = relative.lstrip("/")
                elif page.base is not None and page.base.startswith("/"):
                    start = root / page.base.lstrip("/")
                else:
                    start = path.parent
                target = (start / relative).resolve()
                if root != target and root not in target.parents:
                    problems.append(f"{shown}: {link} — leaves the book ({target})")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(
                        f"{shown}: {link} — no such file ({target.relative_to(root)})"
                    )
                    continue
            fragment = parts.fragment
            if not fragment:
                continue
            if target.suffix != ".html":
                problems.append(f"{shown}: {link} — #fragment on a non-HTML file")
                continue
            target_page = pages.get(target) or parse(target)
            if fragment not in target_page.ids and unquote(fragment) not in target_page.ids:
                problems.append(
                    f"{shown}: {link} — no id `{unquote(fragment)}` in "
                    f"{target.relative_to(root)}"
                )
    return len(pages), checked, problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = Path(argv[1])
    if not root.is_dir():
        print(f"check_links: {root} is not a folder (build the book first)", file=sys.stderr)
        return 2
    n_pages, n_links, problems = check(root)
    for p in problems:
        print(p)
    status = "every one resolves" if not problems else f"{len(problems)} broken"
    print(f"check_links: {n_pages} pages, {n_links} internal links and anchors: {status}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
