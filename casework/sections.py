"""What casework adds to other apps' pages."""

from __future__ import annotations

from typing import Any

from casework.selectors import visible_cases
from mpoffice.lib.sections import Section, SectionRegistry
from security.roles import Perm


def constituent_cases(request: Any, constituent: Any) -> dict[str, Any]:
    cases = (
        visible_cases(office=request.office, membership=request.membership)
        .filter(constituent=constituent)
        .select_related("assignee")
        .order_by("-opened_at")
    )
    return {
        "cases": cases,
        "constituent": constituent,
        "can_open": request.membership.allows(Perm.WORK_CASES),
    }


CONSTITUENT_CASES = Section(
    key="casework.cases", template="casework/_constituent_cases.html", context=constituent_cases
)


# Later apps add panels to the triage page (unfiled messages, new campaigns, due chases).
triage_page = SectionRegistry()

# Later apps add to a case's page (its messages in the timeline, enquiries to third parties).
case_page = SectionRegistry()
