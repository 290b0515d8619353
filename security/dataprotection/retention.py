"""Retention: the office's periods per registry category, a preview, and the daily sweep."""

from __future__ import annotations

from security.models import Office
from security.personal_data import Retention


def policy_get(office: Office):  # type: ignore[no-untyped-def]
    from security.dataprotection.models import RetentionPolicy

    return RetentionPolicy.objects.for_office(office).first()


def _months(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def policy_summary(office: Office) -> str:
    """One sentence for a subject access export: how long each kind of record is kept."""
    policy = policy_get(office)
    periods = policy.periods if policy is not None and policy.confirmed_at else {}
    parts = [
        f"{label.split(' (')[0].lower()}: {_months(periods[value])}"
        for value, label in Retention.choices
        if periods.get(value) is not None and value != Retention.STAFF
    ]
    if not parts:
        return "The office has not yet set retention periods; records are kept until the office decides."
    return "Kept for a set time after the matter ends, then erased or anonymised — " + "; ".join(parts) + "."
