"""Is the sender a constituent? From the postcode they wrote, the constituent they are, the ward table.

The postcode in the message decides when the office's postcode table knows it; otherwise the
matching constituent's record (their constituency, or their postcode); otherwise "unknown".
Done for many messages at once with two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from campaigns.text import postcode_in
from constituents.models import Constituent, InConstituency, PostcodeWard
from constituents.validation import normalise_postcode
from correspondence.models import Message
from security.models import Office


@dataclass(frozen=True)
class Verdict:
    in_constituency: str
    ward_id: int | None
    postcode: str


def _postcode(text: str) -> str:
    try:
        return normalise_postcode(postcode_in(text))
    except ValidationError:
        return ""


def check_many(office: Office, messages: Iterable[Message]) -> dict[int, Verdict]:
    """A verdict for each message (by id)."""
    messages = list(messages)
    written = {message.pk: _postcode(message.text) for message in messages}
    people = {
        row["pk"]: row
        for row in Constituent.objects.for_office(office)
        .filter(pk__in={m.constituent_id for m in messages if m.constituent_id})
        .values("pk", "in_constituency", "postcode", "ward_id")
    }
    wanted = {code for code in written.values() if code} | {p["postcode"] for p in people.values() if p["postcode"]}
    table = {
        row["postcode"]: row
        for row in PostcodeWard.objects.for_office(office)
        .filter(postcode__in=wanted)
        .values("postcode", "ward_id", "in_constituency")
    }
    verdicts = {}
    for message in messages:
        verdicts[message.pk] = _verdict(written[message.pk], people.get(message.constituent_id), table)
    return verdicts


def _verdict(postcode: str, person: dict | None, table: dict[str, dict]) -> Verdict:
    def from_table(code: str) -> Verdict:
        row = table[code]
        return Verdict(InConstituency.YES if row["in_constituency"] else InConstituency.NO, row["ward_id"], code)

    if postcode and postcode in table:
        return from_table(postcode)
    if person is not None:
        if person["in_constituency"] in (InConstituency.YES, InConstituency.NO):
            return Verdict(person["in_constituency"], person["ward_id"], postcode or person["postcode"])
        if person["postcode"] in table:
            return from_table(person["postcode"])
    return Verdict(InConstituency.UNKNOWN, None, postcode)
