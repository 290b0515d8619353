"""A report's PDF, rendered by WeasyPrint from its HTML.

WeasyPrint would otherwise fetch any URL the HTML names (file://, http://, the cloud metadata
address…). The fetcher here refuses everything except the app's own static files, which it
reads from disk through the staticfiles finders, never over the network. WeasyPrint is
imported when a PDF is made, not when the app starts (it takes a while, and only workers need it).
"""

from __future__ import annotations

import mimetypes
import posixpath
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# Relative URLs in the report resolve against this; it is never contacted.
BASE_URL = "https://report.invalid/"


def static_file_for(url: str) -> Path:
    """The static file ``url`` names under ``BASE_URL``, or ``ValueError`` for any other URL."""
    parts, base = urlsplit(url), urlsplit(BASE_URL)
    static_prefix = urlsplit(settings.STATIC_URL).path
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(static_prefix):
        raise ValueError(f"Refused to fetch {url[:80]!r}: reports may only use the app's own static files.")
    name = posixpath.normpath(unquote(parts.path[len(static_prefix) :]))
    if name.startswith(("/", "..")):
        raise ValueError(f"Refused to fetch {url[:80]!r}: outside the static files.")
    found = finders.find(name)
    if not found:
        raise ValueError(f"No static file {name!r}.")
    return Path(found)


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        """Serves the app's static files from disk; refuses every other URL."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            path = static_file_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnlyFetcher


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()()).write_pdf()


def static_url(name: str) -> str:
    """The URL of a static file as the PDF's HTML must name it (unhashed, under ``BASE_URL``)."""
    return f"{BASE_URL.rstrip('/')}{settings.STATIC_URL}{name}"
