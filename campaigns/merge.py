"""Merge fields in a campaign response: ``{{ first_name }}`` and a few others, nothing else.

Staff write response texts, so the syntax is allow-listed, never a Django template: a field is a
name from ``FIELDS`` between double braces, and anything else in braces is refused when the text
is saved. Values are plain text and are inserted as they are (the email is plain text).
(A shared merge engine for letters may later replace this module; its interface is
``problems``/``validate``/``render``.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

FIELDS = {
    "first_name": "The sender's first name (“Sir or Madam” when unknown)",
    "last_name": "The sender's last name",
    "full_name": "The sender's full name",
    "mp_name": "The MP's name",
    "constituency": "The constituency",
    "campaign": "The campaign's name",
}
_FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAME = re.compile(r"^[a-z_]+$")
MAX_LENGTH = 20_000


def problems(template: str) -> list[str]:
    """What is wrong with the template's fields, in words; empty when it is fine."""
    found = []
    for name in _FIELD.findall(template):
        if name not in FIELDS:
            shown = name if _NAME.match(name) else name[:40]
            found.append(f"“{{{{ {shown} }}}}” is not a merge field. Use one of: {', '.join(FIELDS)}.")
    leftover = _FIELD.sub("", template)
    if "{{" in leftover or "}}" in leftover:
        found.append("A merge field is not closed: write it as {{ first_name }}.")
    if len(template) > MAX_LENGTH:
        found.append(f"Keep it under {MAX_LENGTH} characters.")
    return list(dict.fromkeys(found))


def validate(template: str) -> None:
    found = problems(template)
    if found:
        raise ValidationError(found)


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with each field replaced by its value. Refuses a template that does not validate."""
    validate(template)
    return _FIELD.sub(lambda match: values.get(match.group(1), ""), template)


def names_for(*, first: str, last: str, whole: str) -> dict[str, str]:
    """The sender's name fields, from a constituent's record or from the name on the email."""
    if not (first or last) and whole:
        parts = [part for part in whole.replace(",", " ").split() if part.isalpha() or "-" in part or "'" in part]
        if parts:
            first, last = parts[0], " ".join(parts[1:])
    full = " ".join(part for part in (first, last) if part) or whole
    return {"first_name": first or "Sir or Madam", "last_name": last, "full_name": full}
