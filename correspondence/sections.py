"""What correspondence adds to other apps' pages: message triage, a case's messages, a constituent's."""

from __future__ import annotations

from typing import Any

from mpoffice.lib.sections import Section
from security.roles import Perm

TRIAGE_LIMIT = 10
CONSTITUENT_LIMIT = 10


def triage_messages(request: Any, obj: Any) -> dict[str, Any] | None:
    from correspondence import selectors

    found = selectors.triage_messages(office=request.office, membership=request.membership)
    rows = selectors.with_suggestions(office=request.office, messages=found[:TRIAGE_LIMIT])
    return {"messages": rows, "count": found.count() if len(rows) == TRIAGE_LIMIT else len(rows)}


def case_messages(request: Any, case: Any) -> dict[str, Any] | None:
    from correspondence import selectors

    return {
        "case": case,
        "messages": selectors.case_messages(case=case),
        "can_log": request.membership.allows(Perm.LOG_CONTACT),
        "can_reply": request.membership.allows(Perm.WORK_CASES),
    }


def constituent_messages(request: Any, constituent: Any) -> dict[str, Any] | None:
    from correspondence import selectors

    found = selectors.constituent_messages(
        office=request.office, membership=request.membership, constituent=constituent
    )
    return {
        "constituent": constituent,
        "messages": found[:CONSTITUENT_LIMIT],
        "can_log": request.membership.allows(Perm.LOG_CONTACT),
    }


TRIAGE_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_triage_messages.html", context=triage_messages, order=10
)
CASE_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_case_messages.html", context=case_messages
)
CONSTITUENT_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_constituent_messages.html", context=constituent_messages
)


def register_all() -> None:
    """Called from ``CorrespondenceConfig.ready()``."""
    from casework.sections import case_page, triage_page
    from constituents.sections import constituent_page

    triage_page.register(TRIAGE_MESSAGES)
    case_page.register(CASE_MESSAGES)
    constituent_page.register(CONSTITUENT_MESSAGES)
