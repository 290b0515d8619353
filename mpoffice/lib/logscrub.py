"""A logging filter that removes personal data from log records before they are written."""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# UK postcodes, loosely: "SW1A 1AA", "m11ae".
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# Runs of nine or more digits, optionally spaced: phone numbers, NI-like numbers.
_PHONE = re.compile(r"(?<![\w.])\+?\d(?:[\s-]?\d){8,}(?![\w.])")


def scrub(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _POSTCODE.sub("[postcode]", text)
    return _PHONE.sub("[number]", text)


class ScrubPersonalDataFilter(logging.Filter):
    """Renders the message once, scrubbed, so arguments cannot re-insert what was removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
