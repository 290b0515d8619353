"""Which constituent wrote, and which case a message continues.

A sender is matched by exact email among the office's constituents; when several share the
address a person decides, and no constituent is ever created here. A message joins a case by
In-Reply-To, then References, then a ``[Ref 2026/0142]`` token in the subject — always within
the office.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from casework.models import Case
from constituents.models import Constituent, ConstituentEmail
from correspondence.models import Message
from security.models import Office

_REFERENCE_TOKEN = re.compile(r"\[\s*ref(?:erence)?\s*[:#.]?\s*(\d{4}/\d{1,6})\s*\]", re.IGNORECASE)
MAX_REFERENCES = 100


def constituent_for_email(*, office: Office, email: str) -> Constituent | None:
    """The one constituent with this address, or None (unknown, or shared by several)."""
    if not email:
        return None
    owners = list(
        ConstituentEmail.objects.for_office(office).filter(email=email.lower()).values_list("constituent_id", flat=True)
    )
    if len(set(owners)) != 1:
        return None
    return Constituent.objects.for_office(office).filter(pk=owners[0]).first()


def _case_by_message_ids(office: Office, ids: Sequence[str]) -> Case | None:
    if not ids:
        return None
    found = (
        Message.objects.for_office(office)
        .filter(message_id__in=list(ids), case__isnull=False)
        .select_related("case")
        .values_list("message_id", "case_id")
    )
    by_id = dict(found)
    # References list the thread oldest first: the newest known message decides.
    for message_id in reversed(ids):
        if message_id in by_id:
            return Case.objects.for_office(office).filter(pk=by_id[message_id]).first()
    return None


def reference_in_subject(subject: str) -> str | None:
    match = _REFERENCE_TOKEN.search(subject or "")
    return match.group(1) if match else None


def case_for_message(
    *, office: Office, in_reply_to: Sequence[str], references: Sequence[str], subject: str
) -> Case | None:
    """The case this message continues, or None (it goes to triage as new)."""
    case = _case_by_message_ids(office, in_reply_to[:MAX_REFERENCES])
    if case is None:
        case = _case_by_message_ids(office, references[-MAX_REFERENCES:])
    if case is None:
        reference = reference_in_subject(subject)
        if reference:
            case = Case.objects.for_office(office).filter(reference=reference).first()
    return case
