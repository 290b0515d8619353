"""What campaigns add to other apps' pages: the triage page's campaigns panel."""

from __future__ import annotations

from typing import Any

from mpoffice.lib.sections import Section
from security.roles import Perm

TRIAGE_LIMIT = 5


def triage_campaigns(request: Any, obj: Any) -> dict[str, Any] | None:
    from campaigns import selectors

    rows = list(selectors.campaign_list(office=request.office, states=selectors.OPEN_STATES)[: TRIAGE_LIMIT + 1])
    return {
        "campaigns": rows[:TRIAGE_LIMIT],
        "more": len(rows) > TRIAGE_LIMIT,
        "new_count": sum(1 for row in rows if row.state == "detected"),
        "can_work": request.membership.allows(Perm.WORK_CASES),
    }


TRIAGE_CAMPAIGNS = Section(
    key="campaigns.campaigns", template="campaigns/_triage_campaigns.html", context=triage_campaigns, order=20
)


def register_all() -> None:
    """Called from ``CampaignsConfig.ready()``."""
    from casework.sections import triage_page

    triage_page.register(TRIAGE_CAMPAIGNS)
