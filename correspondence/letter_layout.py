"""A letter laid out on the office's letterhead: as the PDF that is kept and posted, and as HTML to preview.

The layout is our own Django template (``correspondence/letters/letter.html``); the office's and
the caseworker's text only ever reaches it as variables, so it is escaped like any other text.
The PDF is rendered by ``mpoffice.lib.pdf`` with the app's letter stylesheet and at most two
assets, the letterhead's logo and signature from the office's storage; nothing else is fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from correspondence.merge import long_date
from correspondence.models import Letterhead
from mpoffice.lib.pdf import Asset, AssetLoader, RenderedPdf, render_pdf, static_stylesheet
from mpoffice.lib.sniff import sniff_bytes

# A DL window (90 mm wide) shows seven lines of the 10.5 pt address, each of about 44
# characters of ordinary text; more would hide under the envelope.
MAX_ADDRESS_LINES = 7
MAX_ADDRESS_LINE = 44
STYLESHEET = "css/letter.css"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
_BLANK_LINE = re.compile(r"\n[ \t]*\n+")


@dataclass(frozen=True)
class LetterContent:
    """What goes on the page, as the caseworker left it (plain text, nothing merged any more)."""

    address: str
    body: str
    date: dt.date
    our_reference: str = ""
    their_reference: str = ""

    @property
    def address_lines(self) -> list[str]:
        return address_lines(self.address)

    @property
    def paragraphs(self) -> list[str]:
        """Each paragraph with its line breaks as "\n" (printed with ``white-space: pre-line``)."""
        return ["\n".join(lines) for lines in paragraphs(self.body)]


@dataclass(frozen=True)
class ImageSources:
    """Where the page finds the letterhead's pictures: ``asset:`` names in the PDF, URLs on screen."""

    logo: str = ""
    signature: str = ""


def address_lines(address: str) -> list[str]:
    return [line.strip() for line in address.replace("\r\n", "\n").split("\n") if line.strip()]


def paragraphs(body: str) -> list[list[str]]:
    """Blank lines separate paragraphs; a single line break stays a line break."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [[line.rstrip() for line in block.strip("\n").split("\n")] for block in _BLANK_LINE.split(text)]


def _context(content: LetterContent, letterhead: Letterhead, sources: ImageSources) -> dict[str, object]:
    # Blocks of lines are joined here and printed with white-space: pre-line: fewer boxes for
    # WeasyPrint than a <br> per line, which makes a letter about a fifth quicker to render.
    meta = [long_date(content.date)]
    if content.our_reference:
        meta.append(f"Our ref: {content.our_reference}")
    if content.their_reference:
        meta.append(f"Your ref: {content.their_reference}")
    office = address_lines(letterhead.address) + ([letterhead.contact] if letterhead.contact else [])
    return {
        "letterhead": letterhead,
        "content": content,
        "office_block": "\n".join(office),
        "address_block": "\n".join(content.address_lines),
        "meta_block": "\n".join(meta),
        "paragraphs": content.paragraphs,
        "sources": sources,
    }


def letter_html(content: LetterContent, letterhead: Letterhead) -> str:
    """The whole document WeasyPrint renders; its pictures are named ``asset:…``."""
    sources = ImageSources(
        logo="asset:logo" if letterhead.logo else "", signature="asset:signature" if letterhead.signature else ""
    )
    return render_to_string("correspondence/letters/letter.html", _context(content, letterhead, sources))


def letter_sheet_html(content: LetterContent, letterhead: Letterhead, *, logo_url: str, signature_url: str) -> str:
    """The same page as an HTML fragment for the preview on screen (pictures from our own URLs)."""
    sources = ImageSources(
        logo=logo_url if letterhead.logo else "", signature=signature_url if letterhead.signature else ""
    )
    return render_to_string("correspondence/letters/_sheet.html", _context(content, letterhead, sources))


def image_loader(file_field: object) -> AssetLoader:
    """A loader for a letterhead picture in the office's storage; only PNG and JPEG are served."""

    def load() -> Asset:
        with file_field.open("rb") as handle:  # type: ignore[attr-defined]
            body = handle.read()
        content_type = sniff_bytes(body[:16])
        if content_type not in IMAGE_TYPES:
            raise ValueError("A letterhead picture must be a PNG or JPEG.")
        return Asset(body, content_type)

    return load


def letter_assets(letterhead: Letterhead) -> dict[str, AssetLoader]:
    """Everything a letter may fetch: its office's pictures; nothing from the text, nothing else."""
    assets = {}
    if letterhead.logo:
        assets["logo"] = image_loader(letterhead.logo)
    if letterhead.signature:
        assets["signature"] = image_loader(letterhead.signature)
    return assets


def letter_pdf(content: LetterContent, letterhead: Letterhead) -> RenderedPdf:
    return render_pdf(
        letter_html(content, letterhead),
        assets=letter_assets(letterhead),
        stylesheets=[static_stylesheet(STYLESHEET)],
    )
