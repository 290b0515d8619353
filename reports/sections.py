"""What the reports app adds to other apps' pages: the managers' and the MP's overview home."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from mpoffice.lib.sections import Section
from reports import figures
from reports.periods import DEFAULT_PRESET, preset
from reports.selectors import latest_report
from security.roles import Perm

SUMMARY_KEYS = ("weekly", "caseload", "response", "emerging")


def home_summary(request: Any, _obj: Any) -> dict[str, Any] | None:
    """The last twelve weeks at a glance, with a link to the dashboard, for those who read it."""
    if request.membership is None or not request.membership.allows(Perm.VIEW_DASHBOARD):
        return None
    options = figures.report_settings(request.office)
    scope = figures.scope_for(request.office, preset(DEFAULT_PRESET, _today(options)), options=options)
    built = {figure.key: figure for figure in figures.build(scope, keys=SUMMARY_KEYS)}
    emerging = [row[0] for row in built["emerging"].rows if row[-1] == "Yes"]
    stats = [stat for key in SUMMARY_KEYS for stat in built[key].stats if stat.label != "Emerging issues"]
    return {"stats": stats, "emerging": emerging, "latest": latest_report(office=request.office)}


def _today(options: Any) -> dt.date:
    return timezone.localdate(timezone.now(), ZoneInfo(options.time_zone))


HOME_SUMMARY = Section(key="reports.summary", template="reports/_home_summary.html", context=home_summary, order=10)
