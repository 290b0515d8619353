"""HTML from strangers made safe to keep, and plain text derived from it.

nh3 removes scripts, event handlers, styles and unknown tags. Images never keep ``src``: a
remote image is a tracking beacon, so its address moves to ``data-remote-src`` and the viewer
loads it only if the user asks. Links keep ``http``/``https``/``mailto`` addresses only and
get ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import contextlib
import copy
import re
from html.parser import HTMLParser

import nh3

# Stored HTML is capped: past this the text part (or the raw email) is what a person reads.
MAX_HTML_CHARS = 2_000_000
_IMG_SRC = re.compile(r"(<img\b[^>]*?\s)src(\s*=)", re.IGNORECASE)
_REMOTE = re.compile(r"^\s*(https?:|cid:)", re.IGNORECASE)

_TAGS = set(nh3.ALLOWED_TAGS) - {"map", "area"}
_ATTRIBUTES = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES.pop("area", None)
_ATTRIBUTES["img"] = {"alt", "width", "height", "data-remote-src"}
_ATTRIBUTES["a"] = {"href", "title"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "data-remote-src":
        return value if _REMOTE.match(value) else None
    return value


def html_sanitise(html: str) -> str:
    """Safe HTML: shown later in a sandboxed frame with ``default-src 'none'``, as a second wall."""
    if not html:
        return ""
    # Rename before cleaning: nh3 then drops any src this pattern missed, as it is not allowed.
    renamed = _IMG_SRC.sub(r"\1data-remote-src\2", html[:MAX_HTML_CHARS])
    return nh3.clean(
        renamed,
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr", "ul", "ol"}
)
_SKIP = frozenset({"script", "style", "head", "title"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML-only email: blocks become lines, runs of space collapse."""
    extractor = _TextExtractor()
    # html.parser is lenient; if it still gives up, keep what it read.
    with contextlib.suppress(Exception):
        extractor.feed(html[:MAX_HTML_CHARS])
        extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.chunks).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
