"""Merge fields in office-written text: ``Dear {{ constituent.salutation }}``, ``{{ case.reference }}``.

The office writes letter templates, standard paragraphs and reply templates; this module fills
in their fields. It is deliberately not a template language: a field is a fixed name from the
allow-list below, looked up in a dictionary of strings that ``merge_fields_for`` computes. No
attribute is read from an object by name, no filter, tag, expression or loop exists, and
everything outside ``{{ … }}`` (including ``{% … %}``) is literal text. An unknown name is an
error that names it, when a template is saved and again when it is used.

The result is plain text; whoever puts it into HTML escapes it (Django's autoescape does).

    fields = merge_fields_for(office=office, case=case, sender=user)
    unknown = merge_validate(text)          # [] when every field is allowed
    letter = merge_render(text, fields)     # raises MergeError naming unknown fields
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from security.errors import DomainError

if TYPE_CHECKING:
    from casework.models import Case
    from constituents.models import Constituent, Organisation
    from correspondence.models import Letterhead
    from security.models import Office, User

# ``{{`` then anything but braces and line breaks, then ``}}``: a field never spans lines, and
# braces inside one are not a field (they stay literal).
FIELD = re.compile(r"\{\{([^{}\r\n]*)\}\}")
# Names in error messages are cut to this: an "unknown field" may be a pasted paragraph.
SHOWN_NAME = 60
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class MergeField:
    name: str
    description: str
    example: str


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("today", "Today's date", "3 March 2026"),
    MergeField("constituent.full_name", "The constituent's title, first and last name", "Ms Priya Sharma"),
    MergeField("constituent.title", "Their title", "Ms"),
    MergeField("constituent.first_name", "Their first name", "Priya"),
    MergeField("constituent.last_name", "Their last name", "Sharma"),
    MergeField(
        "constituent.salutation", "For “Dear …”: title and last name, or the full name without a title", "Ms Sharma"
    ),
    MergeField("constituent.address", "Their address on one line", "12 Mill Lane, Northtown, NT1 1AB"),
    MergeField("constituent.postcode", "Their postcode", "NT1 1AB"),
    MergeField("case.reference", "The case reference", "2026/0142"),
    MergeField("case.summary", "The case's one-line summary", "PIP award reduced at review"),
    MergeField("case.opened", "The date the case was opened", "14 January 2026"),
    MergeField("organisation.name", "The organisation written to", "Northtown Borough Council"),
    MergeField("organisation.address", "Its postal address on one line", "Town Hall, Market Square, Northtown"),
    MergeField("enquiry.sent_on", "For a chaser: the date the enquiry was sent", "2 February 2026"),
    MergeField("enquiry.due_on", "For a chaser: the date the answer was due", "2 March 2026"),
    MergeField("enquiry.question", "For a chaser: what was asked", "Why was the PIP award reduced?"),
    MergeField("mp.name", "The MP's name as signed", "Alex Example MP"),
    MergeField("mp.title", "The title under the MP's name", "Member of Parliament for Northtown"),
    MergeField("mp.constituency", "The constituency", "Northtown and Eastley"),
    MergeField("office.name", "The office's name", "Office of Alex Example MP"),
    MergeField("office.address", "The office's address on one line", "House of Commons, London, SW1A 0AA"),
    MergeField("office.contact", "The office's telephone and email line", "020 7946 0000 · alex.example.mp@…"),
    MergeField("sender.name", "The member of staff writing", "Casey Worker"),
    MergeField("sender.email", "Their email address", "casey.worker@…"),
)
ALLOWED: frozenset[str] = frozenset(field.name for field in MERGE_FIELDS)


class MergeError(DomainError):
    """Text uses merge fields that do not exist; ``unknown`` names them as written."""

    def __init__(self, unknown: list[str]) -> None:
        self.unknown = unknown
        super().__init__(unknown_fields_message(unknown))


def _shown(name: str) -> str:
    return name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 1] + "…"


def unknown_fields_message(unknown: list[str]) -> str:
    """“Unknown merge field {{ constituent.fullname }} (did you mean {{ constituent.full_name }}?).”"""
    parts = []
    for name in unknown:
        part = "{{ " + _shown(name) + " }}"
        close = difflib.get_close_matches(name, sorted(ALLOWED), n=1, cutoff=0.75)
        if close:
            part += " (did you mean {{ " + close[0] + " }}?)"
        parts.append(part)
    noun = "field" if len(unknown) == 1 else "fields"
    return f"Unknown merge {noun}: {', '.join(parts)}. Use only the fields listed."


def merge_names(text: str) -> list[str]:
    """Every field written in ``text``, as written (stripped), first appearance first."""
    seen: dict[str, None] = {}
    for match in FIELD.finditer(text):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def merge_validate(text: str) -> list[str]:
    """The field names in ``text`` that are not allowed (empty when all are)."""
    return [name for name in merge_names(text) if name not in ALLOWED]


def merge_missing(text: str, fields: dict[str, str]) -> list[str]:
    """Allowed fields used in ``text`` that have no value here (no organisation chosen, …)."""
    return [name for name in merge_names(text) if name in ALLOWED and not fields.get(name)]


def merge_render(text: str, fields: dict[str, str]) -> str:
    """``text`` with each field replaced by its value, in one pass: a value is never merged again.

    Raises ``MergeError`` when a field is not allowed; a known field without a value is empty.
    """
    unknown = merge_validate(text)
    if unknown:
        raise MergeError(unknown)
    return FIELD.sub(lambda match: str(fields.get(match.group(1).strip(), "")), text)


# --- Values ------------------------------------------------------------------------------------
def long_date(day: dt.date) -> str:
    """3 March 2026: the form used in British letters, whatever the server's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def one_line(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def _constituent_values(constituent: Constituent | None) -> dict[str, str]:
    if constituent is None:
        return {}
    surname = constituent.last_name.strip()
    salutation = f"{constituent.title.strip()} {surname}" if constituent.title.strip() and surname else ""
    return {
        "constituent.full_name": constituent.full_name,
        "constituent.title": constituent.title,
        "constituent.first_name": constituent.first_name,
        "constituent.last_name": constituent.last_name,
        "constituent.salutation": salutation or constituent.full_name,
        "constituent.address": constituent.address,
        "constituent.postcode": constituent.postcode,
    }


def _case_values(case: Case | None) -> dict[str, str]:
    if case is None:
        return {}
    return {
        "case.reference": case.reference,
        "case.summary": case.summary,
        "case.opened": long_date(timezone.localdate(case.opened_at)),
    }


def _organisation_values(organisation: Organisation | None) -> dict[str, str]:
    if organisation is None:
        return {}
    return {"organisation.name": organisation.name, "organisation.address": one_line(organisation.postal_address)}


def _office_values(office: Office, letterhead: Letterhead | None) -> dict[str, str]:
    if letterhead is None:
        from correspondence.letters import letterhead_get

        letterhead = letterhead_get(office)
    return {
        "mp.name": letterhead.mp_name or office.mp_name,
        "mp.title": letterhead.mp_title,
        "mp.constituency": letterhead.constituency or office.constituency,
        "office.name": office.name,
        "office.address": one_line(letterhead.address or office.letterhead_address),
        "office.contact": letterhead.contact,
    }


def merge_fields_for(
    *,
    office: Office,
    case: Case | None = None,
    constituent: Constituent | None = None,
    organisation: Organisation | None = None,
    sender: User | None = None,
    letterhead: Letterhead | None = None,
    today: dt.date | None = None,
    enquiry: Any = None,
) -> dict[str, str]:
    """Every allowed field's value for this letter or reply; "" where there is nothing to say.

    The constituent defaults to the case's. Values are computed here, field by field: nothing
    the office writes can reach any other attribute.
    """
    if constituent is None and case is not None:
        constituent = case.constituent
    values: dict[str, Any] = dict.fromkeys(ALLOWED, "")
    values["today"] = long_date(today or timezone.localdate())
    values |= _constituent_values(constituent)
    values |= _case_values(case)
    values |= _organisation_values(organisation)
    values |= _office_values(office, letterhead)
    if sender is not None:
        values |= {"sender.name": sender.full_name, "sender.email": sender.email}
    if enquiry is not None:
        values |= {
            "enquiry.sent_on": long_date(enquiry.sent_on),
            "enquiry.due_on": long_date(enquiry.due_on),
            "enquiry.question": enquiry.question,
        }
    return {name: str(value or "") for name, value in values.items() if name in ALLOWED}
