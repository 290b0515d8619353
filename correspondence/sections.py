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


def case_enquiries(request: Any, case: Any) -> dict[str, Any] | None:
    import datetime as dt

    from django.db.models import Count, Q
    from django.utils import timezone

    from correspondence import enquiry_selectors
    from correspondence.models import StepKind

    today = timezone.localdate()
    unsent = Count("steps", filter=Q(steps__kind=StepKind.CHASER_DRAFTED, steps__sent_message=None))
    return {
        "case": case,
        "enquiries": enquiry_selectors.case_enquiries(case=case).annotate(
            unsent_chasers=unsent, reply_since=enquiry_selectors.reply_since()
        ),
        "can_work": request.membership.allows(Perm.WORK_CASES),
        "today": today,
        "soon": today + dt.timedelta(days=7),
    }


def triage_chases(request: Any, obj: Any) -> dict[str, Any] | None:
    """Overdue enquiries on the triage page; nothing shown when none are overdue."""
    from django.utils import timezone

    from correspondence import enquiry_selectors

    overdue = enquiry_selectors.open_enquiries(office=request.office, membership=request.membership).filter(
        due_on__lt=timezone.localdate()
    )
    rows = list(overdue[:TRIAGE_LIMIT])
    if not rows:
        return None
    return {"enquiries": rows, "count": overdue.count() if len(rows) == TRIAGE_LIMIT else len(rows)}


TRIAGE_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_triage_messages.html", context=triage_messages, order=10
)
CASE_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_case_messages.html", context=case_messages
)
CASE_ENQUIRIES = Section(
    key="correspondence.enquiries", template="correspondence/_case_enquiries.html", context=case_enquiries, order=50
)
TRIAGE_CHASES = Section(
    key="correspondence.chases", template="correspondence/_triage_chases.html", context=triage_chases, order=20
)
CONSTITUENT_MESSAGES = Section(
    key="correspondence.messages", template="correspondence/_constituent_messages.html", context=constituent_messages
)


def register_all() -> None:
    """Called from ``CorrespondenceConfig.ready()``."""
    from casework.sections import case_page, triage_page
    from constituents.sections import constituent_page

    triage_page.register(TRIAGE_MESSAGES)
    triage_page.register(TRIAGE_CHASES)
    case_page.register(CASE_ENQUIRIES)
    case_page.register(CASE_MESSAGES)
    constituent_page.register(CONSTITUENT_MESSAGES)
