"""HTML to PDF with WeasyPrint, fetching nothing but the assets the caller hands over.

WeasyPrint would otherwise follow any URL in the document — ``file:///etc/passwd``, a server
on the internal network, ``data:`` — so the renderer is given a fetcher that knows a fixed
set of ``asset:`` URLs and refuses every other URL, recording it. The document names its
assets as ``asset:<name>``; the caller maps each name to a loader that returns the bytes (the
office's letterhead pictures, read from its storage path). Stylesheets are the app's own
static files, parsed once per process.

Imports no app: callers decide which files are theirs to offer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "asset:"
# Printed on every page, only when a letter runs to more than one (see render_pdf).
PAGE_NUMBERS_CSS = """@page { @bottom-right {
    content: "Page " counter(page) " of " counter(pages); width: 30mm; white-space: nowrap; font-size: 8pt; } }"""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str


AssetLoader = Callable[[], Asset]


class RefusedURL(PermissionError):
    """The document asked for a URL it was not given."""


class AssetFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, reduced to a lookup in ``assets`` (``asset:<name>`` → loader).

    ``refused`` lists every other URL the document asked for; ``fetched`` the assets served.
    """

    def __init__(self, assets: Mapping[str, AssetLoader]) -> None:
        # No protocol at all for the parent's opener, should anything ever reach it.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.assets = dict(assets)
        self.refused: list[str] = []
        self.fetched: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        loader = self.assets.get(url.removeprefix(ASSET_SCHEME)) if url.startswith(ASSET_SCHEME) else None
        if loader is None:
            self.refused.append(url[:200])
            logger.warning("PDF rendering refused a URL outside the office's assets (scheme %s)", _scheme(url))
            raise RefusedURL("Only the office's own assets may be used in a letter.")
        asset = loader()
        self.fetched.append(url)
        return URLFetcherResponse(url, body=asset.body, headers={"Content-Type": asset.content_type})


def _scheme(url: str) -> str:
    head, sep, _ = url.partition(":")
    return head[:20] if sep else "(relative)"


@cache
def static_stylesheet(path: str) -> CSS:
    """One of the app's own stylesheets, parsed once per process (static files change only with a
    deploy). Found as collectstatic finds it; given a fetcher that refuses every URL."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found")
    with open(found, encoding="utf-8") as handle:
        return CSS(string=handle.read(), url_fetcher=AssetFetcher({}), font_config=_font_config())


_local = threading.local()


def _font_config() -> FontConfiguration:
    # Building one costs several milliseconds; a thread reuses its own.
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


@cache
def _page_numbers() -> CSS:
    return CSS(string=PAGE_NUMBERS_CSS, url_fetcher=AssetFetcher({}), font_config=_font_config())


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int
    refused: tuple[str, ...]


def render_pdf(
    html: str,
    *,
    assets: Mapping[str, AssetLoader],
    stylesheets: Sequence[CSS] = (),
    number_pages: bool = True,
) -> RenderedPdf:
    """``html`` as a PDF with ``stylesheets``. Only ``asset:<name>`` URLs named in ``assets`` are fetched.

    With ``number_pages`` a document of more than one page is laid out again with
    "Page n of m" at the foot of each page; a one-page letter carries no number.
    """
    fetcher = AssetFetcher(assets)
    fonts = _font_config()
    # No base URL: a relative URL resolves to nothing rather than to a file on this machine.
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(
        stylesheets=list(stylesheets), font_config=fonts
    )
    if number_pages and len(document.pages) > 1:
        numbers = [*stylesheets, _page_numbers()]
        document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(stylesheets=numbers, font_config=fonts)
    pdf = document.write_pdf()
    return RenderedPdf(pdf=pdf, pages=len(document.pages), refused=tuple(dict.fromkeys(fetcher.refused)))
